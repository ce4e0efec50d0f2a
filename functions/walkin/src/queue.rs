//! The notices queue: what a call, a check-in or a cancel hands to the notifier function, so
//! that a slow or failing SMS or mail service never slows the desk. Sending is best effort: a
//! message that cannot be queued is logged and the request still succeeds.

use serde::{Deserialize, Serialize};

/// One message of the notices queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeMessage {
    /// A ticket was called (or recalled): tell its customer where to go, once for this call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called: Option<CallNotice>,
    /// The queue moved (a call, a check-in near the front, a cancel): tell whoever is now first
    /// or second in line, once per ticket.
    #[serde(default)]
    pub almost: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNotice {
    pub service_id: u64,
    /// The ticket's call number (1 for `next`, one more per recall).
    pub call: u32,
}

/// Where notices are queued; `None` in a function that sends none.
#[derive(Clone, Default)]
pub struct Notices {
    queue: Option<shared::queue::Queue>,
}

impl Notices {
    pub fn new(queue: Option<shared::queue::Queue>) -> Self {
        Self { queue }
    }

    /// Queues `message`; a failure is logged, never returned: notices never block the desk.
    pub async fn send(&self, message: NoticeMessage) {
        let Some(queue) = &self.queue else { return };
        if let Err(err) = queue.send(&message, 0).await {
            tracing::warn!(%err, "a notice could not be queued; it is skipped");
        }
    }
}
