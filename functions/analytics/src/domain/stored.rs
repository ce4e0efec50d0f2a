//! An event once received: what is kept of it (the JSON as sent, its fingerprint, its times), what
//! `GET /events/{id}` shows and what a repeat is compared with.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::time::Timestamp;

use super::{Event, range};

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event_id: String,
    /// The event's canonical JSON, as sent.
    pub body: String,
    /// SHA-256 of `body`.
    pub fingerprint: String,
    pub occurred_at: Timestamp,
    pub received_at: Timestamp,
}

impl StoredEvent {
    /// The event's JSON object as it was sent.
    pub fn sent(&self) -> Map<String, Value> {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    /// Whether `event` is this one sent again (the same canonical content), not another event
    /// under the same id.
    pub fn is_repeat_of(&self, event: &Event) -> bool {
        self.fingerprint == event.fingerprint()
    }
}

/// An event ready to be stored: the validated event with its times.
pub struct Recorded<'a> {
    pub event: &'a Event,
    /// When it happened: as the event says, or when it was received if it does not say.
    pub occurred_at: Timestamp,
    pub received_at: Timestamp,
}

impl<'a> Recorded<'a> {
    pub fn new(event: &'a Event, received_at: Timestamp) -> Self {
        Self { event, occurred_at: event.occurred_at.unwrap_or(received_at), received_at }
    }

    /// The UTC day it counts on.
    pub fn day(&self) -> String {
        range::day(self.occurred_at)
    }

    /// What is kept of it.
    pub fn stored(&self) -> StoredEvent {
        StoredEvent {
            event_id: self.event.event_id.clone(),
            body: self.event.canonical(),
            fingerprint: self.event.fingerprint(),
            occurred_at: self.occurred_at,
            received_at: self.received_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use shared::time;

    use super::*;

    #[test]
    fn an_event_without_a_time_happened_when_it_was_received() {
        let mut value = json!({"event_type": "order.created", "event_id": "e-1", "lovevery_user_id": "c",
            "shipping_address": {"province": "Idaho", "country": "US"}, "currency": "USD",
            "order_value": "0.1", "line_items": []});
        let received = time::parse("2020-09-02T00:00:00Z").unwrap();
        let event = Event::from_json(&value).unwrap();
        let recorded = Recorded::new(&event, received);
        assert_eq!((recorded.occurred_at, recorded.day()), (received, "2020-09-02".to_owned()));
        let stored = recorded.stored();
        assert_eq!(stored.sent(), *value.as_object().unwrap());
        assert!(stored.is_repeat_of(&event));

        value["occurred_at"] = json!("2020-09-01T23:59:59.999Z");
        let event = Event::from_json(&value).unwrap();
        let recorded = Recorded::new(&event, received);
        assert_eq!(recorded.day(), "2020-09-01");
        assert!(!stored.is_repeat_of(&event), "other content under the same id");
    }
}
