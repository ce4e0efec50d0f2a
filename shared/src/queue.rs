//! The one SQS adapter every service sends its messages through: JSON bodies, SQS's delay limit,
//! and batches of ten with one retry of the entries SQS refuses.

use aws_sdk_sqs::{error::DisplayErrorContext, types::SendMessageBatchRequestEntry};
use futures::{TryStreamExt, stream};
use serde::Serialize;

/// SQS delays a message by at most 15 minutes; a longer wait is re-enqueued by its consumer.
pub const MAX_DELAY_SECONDS: i32 = 900;

/// `SendMessageBatch` takes at most ten entries.
const BATCH_ENTRIES: usize = 10;

/// `SendMessageBatch` requests in flight at once: 6,000 messages are 600 requests.
const BATCHES_IN_FLIGHT: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// SQS could not be reached, or answered with an error: nothing (or not everything) was sent.
    #[error("the queue is unavailable: {0}")]
    Unavailable(String),
    /// SQS took the request but refused some of its entries twice.
    #[error("SQS refused {0} messages")]
    Refused(usize),
    /// A message that does not serialise: a bug.
    #[error("cannot encode the message: {0}")]
    Encode(String),
}

/// One queue and the client to reach it.
#[derive(Clone)]
pub struct Queue {
    client: aws_sdk_sqs::Client,
    url: String,
}

fn encode<T: Serialize>(message: &T) -> Result<String, QueueError> {
    serde_json::to_string(message).map_err(|e| QueueError::Encode(e.to_string()))
}

fn unavailable<E: std::error::Error + 'static>(err: aws_sdk_sqs::error::SdkError<E>) -> QueueError {
    QueueError::Unavailable(DisplayErrorContext(err).to_string())
}

impl Queue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    /// Sends one message, delivered after `delay_seconds` (clamped to SQS's 0–900 s).
    pub async fn send<T: Serialize>(&self, message: &T, delay_seconds: i32) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(encode(message)?)
            .delay_seconds(delay_seconds.clamp(0, MAX_DELAY_SECONDS))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Sends one message of `body` as it is, with string message attributes (a signature, say).
    pub async fn send_text(&self, body: &str, attributes: &[(&str, &str)]) -> Result<(), QueueError> {
        let mut request = self.client.send_message().queue_url(&self.url).message_body(body);
        for (name, value) in attributes {
            let attribute = aws_sdk_sqs::types::MessageAttributeValue::builder()
                .data_type("String")
                .string_value(*value)
                .build()
                .map_err(|e| QueueError::Encode(e.to_string()))?;
            request = request.message_attributes(*name, attribute);
        }
        request.send().await.map_err(unavailable)?;
        Ok(())
    }

    /// Sends one message per `(message, delay_seconds)`, ten to a request and a few requests at a
    /// time, so that thousands fit in one invocation; entries SQS refuses are retried once, then
    /// reported.
    pub async fn send_all<T: Serialize + Sync>(&self, messages: &[(T, i32)]) -> Result<(), QueueError> {
        stream::iter(messages.chunks(BATCH_ENTRIES).map(Ok))
            .try_for_each_concurrent(BATCHES_IN_FLIGHT, |chunk| self.send_batch(chunk))
            .await
    }

    async fn send_batch<T: Serialize>(&self, chunk: &[(T, i32)]) -> Result<(), QueueError> {
        let mut pending: Vec<&(T, i32)> = chunk.iter().collect();
        for attempt in 0..2 {
            let entries = pending
                .iter()
                .enumerate()
                .map(|(i, (message, delay))| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(encode(message)?)
                        .delay_seconds((*delay).clamp(0, MAX_DELAY_SECONDS))
                        .build()
                        .map_err(|e| QueueError::Encode(e.to_string()))
                })
                .collect::<Result<Vec<_>, QueueError>>()?;
            let output = self
                .client
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(unavailable)?;
            let failed: Vec<usize> = output.failed.iter().filter_map(|f| f.id.parse().ok()).collect();
            if failed.is_empty() {
                return Ok(());
            }
            if attempt == 1 {
                return Err(QueueError::Refused(failed.len()));
            }
            pending = failed.into_iter().filter_map(|i| pending.get(i).copied()).collect();
        }
        Ok(())
    }

    /// Forwards a message that can never be handled (not valid, conflicting) to this queue, a
    /// dead-letter queue, so that its consumer acknowledges it at once and the rest of its batch
    /// goes on: the body as the JSON it holds (redriven as is, it is the same message), or as a
    /// JSON string if it is not JSON at all. `reason` is logged; the body is not (it may hold
    /// personal data).
    pub async fn dead_letter(&self, body: &str, reason: &str) -> Result<(), String> {
        tracing::warn!(%reason, "message refused; sent to the dead-letter queue");
        let sent = match serde_json::from_str::<serde_json::Value>(body) {
            Ok(value) => self.send(&value, 0).await,
            Err(_) => self.send(&body, 0).await,
        };
        sent.map_err(|err| format!("{reason}; and the dead-letter queue refused it: {err}"))
    }
}
