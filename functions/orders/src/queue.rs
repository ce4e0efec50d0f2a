//! The orders queue: one message per order, `{"order_id": ...}`, consumed by the processor.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::{TryStreamExt, stream};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrderMessage {
    pub order_id: String,
}

/// `SendMessageBatch` requests in flight at once: 6,000 orders a minute are 600 requests.
const BATCHES_IN_FLIGHT: usize = 10;

pub struct OrdersQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

fn sqs_err<E: std::error::Error + 'static>(err: aws_sdk_sqs::error::SdkError<E>) -> String {
    aws_sdk_sqs::error::DisplayErrorContext(err).to_string()
}

impl OrdersQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    pub async fn send(&self, order_id: &str) -> Result<(), String> {
        let body = serde_json::to_string(&OrderMessage { order_id: order_id.to_owned() }).map_err(|e| e.to_string())?;
        self.client.send_message().queue_url(&self.url).message_body(body).send().await.map_err(sqs_err)?;
        Ok(())
    }

    /// Sends one message per `(order_id, delay_seconds)`, ten to a request and
    /// [`BATCHES_IN_FLIGHT`] requests at a time, so that a large minute fits in the generator's
    /// timeout; entries SQS refuses are retried once, then reported.
    pub async fn send_all(&self, messages: &[(String, i32)]) -> Result<(), String> {
        stream::iter(messages.chunks(10).map(Ok))
            .try_for_each_concurrent(BATCHES_IN_FLIGHT, |chunk| self.send_batch(chunk))
            .await
    }

    async fn send_batch(&self, chunk: &[(String, i32)]) -> Result<(), String> {
        let mut pending: Vec<&(String, i32)> = chunk.iter().collect();
        for attempt in 0..2 {
            let entries = pending
                .iter()
                .enumerate()
                .map(|(i, (order_id, delay))| {
                    let body = serde_json::to_string(&OrderMessage { order_id: order_id.clone() })
                        .map_err(|e| e.to_string())?;
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .delay_seconds((*delay).clamp(0, 900))
                        .build()
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, String>>()?;
            let output = self
                .client
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(sqs_err)?;
            let failed: Vec<usize> = output.failed.iter().filter_map(|f| f.id.parse().ok()).collect();
            if failed.is_empty() {
                return Ok(());
            }
            if attempt == 1 {
                return Err(format!("SQS refused {} messages", failed.len()));
            }
            pending = failed.into_iter().filter_map(|i| pending.get(i).copied()).collect();
        }
        Ok(())
    }
}
