//! The expiry queue's message: every hold sends one, delayed until the hold ends (in steps of at
//! most 15 minutes, SQS's limit; the worker sends it again until the stored due time passes).
//! It goes through the one SQS adapter, [`shared::queue::Queue`].

use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

pub use shared::queue::{Queue, QueueError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExpiryMessage {
    pub reservation_id: String,
    pub expires_at: Timestamp,
}
