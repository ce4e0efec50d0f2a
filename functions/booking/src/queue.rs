//! The service's SQS messages, sent through the one SQS adapter, [`shared::queue::Queue`]:
//! - the expiry queue's: every hold sends one, delayed until the hold ends (in steps of at most
//!   15 minutes, SQS's limit; the worker sends it again until the stored due time passes);
//! - the notice queue's: one per emailed event (confirmed, cancelled, rescheduled), and one
//!   reminder per confirmed appointment, which waits the same way until its due time.

use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

pub use shared::queue::{Queue, QueueError};

use crate::domain::{Notice, Parties, Reservation};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExpiryMessage {
    pub reservation_id: String,
    pub expires_at: Timestamp,
}

/// An email to send about a reservation: what happened, the reservation as it was right after,
/// its invite's sequence then, and both sides as they were (a side deleting their account still
/// hears of the cancellations it made).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeMessage {
    pub event: Notice,
    pub reservation: Reservation,
    pub sequence: u32,
    pub parties: Parties,
    /// A reminder's due time: it waits until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
}
