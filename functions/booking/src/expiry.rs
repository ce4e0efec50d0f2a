//! The expiry queue: every hold sends one message, delayed until the hold ends (in steps of at
//! most 15 minutes, SQS's limit; the worker sends it again until the stored due time passes).

use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExpiryMessage {
    pub reservation_id: String,
    pub expires_at: Timestamp,
}

pub struct ExpiryQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl ExpiryQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    pub async fn send(&self, message: &ExpiryMessage, delay_seconds: i32) -> Result<(), String> {
        let body = serde_json::to_string(message).map_err(|e| e.to_string())?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .delay_seconds(delay_seconds.clamp(0, 900))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())
    }
}
