//! The template's event sources, run locally the way Lambda runs them:
//!
//! - an SQS event-source mapping polls its queue, invokes the function with a real SQS event,
//!   deletes what succeeded (honouring `batchItemFailures` when the mapping declares
//!   `ReportBatchItemFailures`), and leaves the rest to reappear after the visibility timeout,
//!   where the queue's redrive policy moves repeat failures to the dead-letter queue;
//! - a schedule invokes its function with an EventBridge "Scheduled Event" at its rate.

use std::{collections::HashSet, sync::Arc, time::Duration};

use anyhow::{Context, Result, bail};
use aws_config::SdkConfig;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::{
    invoke::Invoker,
    provision::{QueueInfo, Stack},
    template::{EventDef, Template},
};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "000000000000";

pub struct SqsSource {
    pub function: String,
    pub queue: QueueInfo,
    pub batch_size: i32,
    pub report_batch_item_failures: bool,
    client: aws_sdk_sqs::Client,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    pub received: usize,
    pub deleted: usize,
    pub failed: usize,
}

impl SqsSource {
    /// Every SQS event source of the template, bound to the provisioned queues.
    pub fn from_template(template: &Template, stack: &Stack, sdk: &SdkConfig) -> Result<Vec<SqsSource>> {
        let client = aws_sdk_sqs::Client::new(sdk);
        let mut sources = Vec::new();
        for function in template.functions()? {
            for event in &function.events {
                if let EventDef::Sqs { queue, batch_size, report_batch_item_failures } = event {
                    let queue = stack
                        .queues
                        .get(queue)
                        .with_context(|| format!("{}: unknown queue {queue}", function.logical_id))?;
                    sources.push(SqsSource {
                        function: function.binary.clone(),
                        queue: queue.clone(),
                        batch_size: (*batch_size).clamp(1, 10) as i32,
                        report_batch_item_failures: *report_batch_item_failures,
                        client: client.clone(),
                    });
                }
            }
        }
        Ok(sources)
    }

    /// Receives one batch (waiting up to `wait_seconds` for it), invokes the function once and
    /// settles the batch.
    pub async fn poll_once<I: Invoker>(&self, invoker: &I, wait_seconds: i32) -> Result<BatchOutcome> {
        let messages = self
            .client
            .receive_message()
            .queue_url(&self.queue.url)
            .max_number_of_messages(self.batch_size)
            .wait_time_seconds(wait_seconds)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?
            .messages
            .unwrap_or_default();
        if messages.is_empty() {
            return Ok(BatchOutcome::default());
        }
        let event = json!({"Records": messages.iter().map(|m| self.record(m)).collect::<Vec<_>>()});
        let failed: HashSet<String> = match invoker.invoke(&self.function, event).await {
            Ok(response) => self.failed_ids(&messages, &response),
            Err(error) => {
                tracing::warn!(function = %self.function, %error, "batch failed; its messages will be retried");
                messages.iter().filter_map(|m| m.message_id.clone()).collect()
            }
        };
        let done: Vec<&Message> =
            messages.iter().filter(|m| !failed.contains(m.message_id.as_deref().unwrap_or_default())).collect();
        for chunk in done.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.client
                .delete_message_batch()
                .queue_url(&self.queue.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| anyhow::anyhow!(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
        }
        Ok(BatchOutcome { received: messages.len(), deleted: done.len(), failed: messages.len() - done.len() })
    }

    /// Which messages the function reported as failed. As in Lambda, a malformed report (an id
    /// that is not in the batch, an empty id) fails the whole batch.
    fn failed_ids(&self, messages: &[Message], response: &Value) -> HashSet<String> {
        let all = || messages.iter().filter_map(|m| m.message_id.clone()).collect();
        if !self.report_batch_item_failures {
            return HashSet::new();
        }
        let Some(failures) = response.get("batchItemFailures").and_then(Value::as_array) else {
            return HashSet::new();
        };
        let mut ids = HashSet::new();
        for failure in failures {
            match failure.get("itemIdentifier").and_then(Value::as_str) {
                Some(id) if messages.iter().any(|m| m.message_id.as_deref() == Some(id)) => {
                    ids.insert(id.to_owned());
                }
                _ => {
                    tracing::warn!(function = %self.function, %response, "invalid batchItemFailures; failing the whole batch");
                    return all();
                }
            }
        }
        ids
    }

    /// One record of the SQS event, as Lambda builds it.
    fn record(&self, m: &Message) -> Value {
        let attributes: Map<String, Value> = m
            .attributes
            .iter()
            .flatten()
            .map(|(name, value)| (name.as_str().to_owned(), Value::String(value.clone())))
            .collect();
        let message_attributes: Map<String, Value> = m
            .message_attributes
            .iter()
            .flatten()
            .map(|(name, value)| {
                (
                    name.clone(),
                    json!({
                        "stringValue": value.string_value,
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value.data_type,
                    }),
                )
            })
            .collect();
        json!({
            "messageId": m.message_id,
            "receiptHandle": m.receipt_handle,
            "body": m.body,
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": m.md5_of_body,
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": REGION,
        })
    }

    /// Polls until `stop` turns true.
    pub async fn run<I: Invoker>(self, invoker: Arc<I>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            tokio::select! {
                _ = stop.changed() => break,
                outcome = self.poll_once(invoker.as_ref(), 2) => match outcome {
                    Ok(o) if o.received > 0 => tracing::info!(function = %self.function, received = o.received, deleted = o.deleted, failed = o.failed, "sqs batch"),
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(queue = %self.queue.name, %error, "polling failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                },
            }
        }
    }
}

pub struct ScheduleSource {
    pub function: String,
    pub rule: String,
    pub every: Duration,
}

/// `rate(1 minute)`, `rate(5 minutes)`, `rate(2 hours)`, `rate(1 day)`.
pub fn parse_rate(expression: &str) -> Option<Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (value, unit) = inner.trim().split_once(' ')?;
    let value: u64 = value.parse().ok().filter(|v| *v > 0)?;
    let unit_seconds = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(value * unit_seconds))
}

impl ScheduleSource {
    /// Every enabled schedule of the template. Only `rate(...)` expressions run locally.
    pub fn from_template(template: &Template) -> Result<Vec<ScheduleSource>> {
        let mut sources = Vec::new();
        for function in template.functions()? {
            for event in &function.events {
                if let EventDef::Schedule { name, expression, enabled } = event {
                    if !enabled {
                        continue;
                    }
                    let Some(every) = parse_rate(expression) else {
                        bail!(
                            "{}: schedule {expression:?} is not a rate(...) expression; the local stack runs only rates",
                            function.logical_id
                        );
                    };
                    sources.push(ScheduleSource {
                        function: function.binary.clone(),
                        rule: format!("{}{name}", function.logical_id),
                        every,
                    });
                }
            }
        }
        Ok(sources)
    }

    /// The EventBridge event a scheduled rule delivers.
    pub fn event(&self, now: chrono::DateTime<chrono::Utc>) -> Value {
        json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "region": REGION,
            "resources": [format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{}", self.rule)],
            "detail": {},
        })
    }

    /// Fires every `every`, the first time one period after start, as EventBridge does.
    pub async fn run<I: Invoker>(self, invoker: Arc<I>, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + self.every, self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = ticks.tick() => {
                    match invoker.invoke(&self.function, self.event(chrono::Utc::now())).await {
                        Ok(_) => tracing::info!(function = %self.function, rule = %self.rule, "schedule fired"),
                        Err(error) => tracing::warn!(function = %self.function, %error, "scheduled invocation failed"),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("rate(1 minute)"), Some(Duration::from_secs(60)));
        assert_eq!(parse_rate("rate(5 minutes)"), Some(Duration::from_secs(300)));
        assert_eq!(parse_rate("rate(2 hours)"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_rate("rate(0 minutes)"), None);
        assert_eq!(parse_rate("cron(0 12 * * ? *)"), None);
    }

    #[test]
    fn scheduled_event_deserialises_as_eventbridge() {
        let source = ScheduleSource { function: "f".into(), rule: "R".into(), every: Duration::from_secs(60) };
        let event = source.event(chrono::Utc::now());
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["resources"][0], "arn:aws:events:us-east-1:000000000000:rule/R");
    }
}
