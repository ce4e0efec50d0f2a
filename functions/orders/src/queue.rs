//! The orders queue: one message per order, `{"order_id": ...}`, consumed by the processor and
//! sent through [`shared::queue::Queue`].

use serde::{Deserialize, Serialize};

use crate::domain::{Minute, generated_order_id, spread};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrderMessage {
    pub order_id: String,
}

impl OrderMessage {
    pub fn new(order_id: impl Into<String>) -> Self {
        Self { order_id: order_id.into() }
    }
}

/// The messages of a minute's orders with their delays, spread evenly over `window_seconds` so
/// that the processor sees an even cadence.
pub fn minute_messages(marker: &Minute, window_seconds: u32) -> Vec<(OrderMessage, i32)> {
    spread(marker.orders, window_seconds)
        .into_iter()
        .zip(0..)
        .map(|(delay, i)| (OrderMessage::new(generated_order_id(marker.minute, i)), delay))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_has_one_message_per_order_spread_over_the_window() {
        let minute = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
        let messages = minute_messages(&Minute { minute, orders: 3, queued: false }, 6);
        assert_eq!(
            messages,
            [
                (OrderMessage::new("gen-20261122T1030Z-0000"), 0),
                (OrderMessage::new("gen-20261122T1030Z-0001"), 2),
                (OrderMessage::new("gen-20261122T1030Z-0002"), 4),
            ]
        );
        assert_eq!(serde_json::to_string(&messages[0].0).unwrap(), r#"{"order_id":"gen-20261122T1030Z-0000"}"#);
    }
}
