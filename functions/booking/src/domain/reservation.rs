//! Reservations: a client's hold on a slot, and what it becomes (confirmed, cancelled, expired).

use chrono::Duration;
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::SlotId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Held,
    Confirmed,
    Expired,
    Cancelled,
}

/// The name a status is stored and answered as (`held`), from serde: one table, the enum's.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.serialize(f)
    }
}

/// A status by its name, through serde as stored and answered; the message names the statuses
/// there are (without serde's backticks, for plain text).
impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        use serde::de::{IntoDeserializer, value::Error};
        Self::deserialize(IntoDeserializer::<Error>::into_deserializer(s))
            .map_err(|err| err.to_string().replace('`', ""))
    }
}

/// Who cancelled a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CancelledBy {
    Client,
    Provider,
}

/// Why a reservation was cancelled, as its canceller wrote it: trimmed, 1 to 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CancelReason(String);

impl TryFrom<String> for CancelReason {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        match trimmed.chars().count() {
            0 => Err("must not be empty (leave it out to give no reason)".into()),
            1..=500 => Ok(Self(trimmed.to_owned())),
            n => Err(format!("must be at most 500 characters, got {n}")),
        }
    }
}

impl From<CancelReason> for String {
    fn from(reason: CancelReason) -> String {
        reason.0
    }
}

impl CancelReason {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A hold is live until its `expires_at`; from that instant it counts as expired everywhere,
/// whether or not the expiry worker has recorded it yet.
pub fn hold_is_live(expires_at: Timestamp, now: Timestamp) -> bool {
    now < expires_at
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reservation {
    pub reservation_id: String,
    pub slot_id: String,
    pub provider_id: String,
    pub client_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub status: Status,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<CancelledBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<CancelReason>,
    /// How many times the appointment changed since it was made (moved, cancelled): the
    /// calendar invite's `SEQUENCE`. Written by the store's updates alone (`ADD sequence`), and
    /// never shown.
    #[serde(default, skip_serializing)]
    pub sequence: u32,
}

impl Reservation {
    /// A new hold of `slot` for `client_id`, lasting `hold` from `now`.
    pub fn hold(reservation_id: String, slot: &SlotId, client_id: &str, now: Timestamp, hold: Duration) -> Self {
        Self {
            reservation_id,
            slot_id: slot.to_string(),
            provider_id: slot.provider_id.clone(),
            client_id: client_id.to_owned(),
            start_time: slot.start,
            end_time: slot.end(),
            status: Status::Held,
            created_at: now,
            expires_at: now + hold,
            confirmed_at: None,
            cancelled_at: None,
            expired_at: None,
            cancelled_by: None,
            cancel_reason: None,
            sequence: 0,
        }
    }

    /// The status as of `now`: a hold past its `expires_at` is expired, recorded or not.
    pub fn status_at(&self, now: Timestamp) -> Status {
        match self.status {
            Status::Held if !hold_is_live(self.expires_at, now) => Status::Expired,
            status => status,
        }
    }

    /// The reservation once a confirmation at `now` has committed.
    pub fn confirmed(self, now: Timestamp) -> Self {
        Self { status: Status::Confirmed, confirmed_at: Some(now), ..self }
    }

    /// The reservation once a cancellation at `now` by `by` has committed.
    pub fn cancelled(self, now: Timestamp, by: CancelledBy, reason: Option<CancelReason>) -> Self {
        Self {
            status: Status::Cancelled,
            cancelled_at: Some(now),
            cancelled_by: Some(by),
            cancel_reason: reason,
            sequence: self.sequence + 1,
            ..self
        }
    }

    /// The reservation once moved to `slot` (status and hold kept).
    pub fn moved(self, slot: &SlotId) -> Self {
        Self {
            slot_id: slot.to_string(),
            start_time: slot.start,
            end_time: slot.end(),
            sequence: self.sequence + 1,
            ..self
        }
    }

    /// Whether it holds its slot as of `now`: confirmed, or held with a live hold.
    pub fn is_active(&self, now: Timestamp) -> bool {
        matches!(self.status_at(now), Status::Held | Status::Confirmed)
    }

    /// The reservation once its expiry at `now` has been recorded.
    pub fn expired(self, now: Timestamp) -> Self {
        Self { status: Status::Expired, expired_at: Some(now), ..self }
    }
}

/// A reservation as its provider sees it: with the client's name (copied from the client's
/// profile when the slot was reserved).
#[derive(Debug, Clone, Serialize)]
pub struct Appointment {
    #[serde(flatten)]
    pub reservation: Reservation,
    pub client_first_name: Option<String>,
    pub client_last_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::{m, timings, ts};

    fn held(now: Timestamp) -> Reservation {
        let slot = SlotId { provider_id: "p".into(), start: ts("2026-11-24T10:15:00Z"), minutes: m(15) };
        Reservation::hold("r".into(), &slot, "c", now, timings().hold)
    }

    #[test]
    fn a_hold_covers_its_slot_and_lasts_the_hold_time() {
        let now = ts("2026-11-22T10:00:00Z");
        let r = held(now);
        assert_eq!(
            (r.slot_id.as_str(), r.provider_id.as_str(), r.client_id.as_str()),
            ("p.20261124T1015Z.15", "p", "c")
        );
        assert_eq!((r.start_time, r.end_time), (ts("2026-11-24T10:15:00Z"), ts("2026-11-24T10:30:00Z")));
        assert_eq!((r.status, r.created_at, r.expires_at), (Status::Held, now, ts("2026-11-22T10:30:00Z")));
    }

    #[test]
    fn a_hold_reads_as_expired_from_the_instant_it_runs_out() {
        let now = ts("2026-11-22T10:00:00Z");
        assert!(hold_is_live(ts("2026-11-22T10:00:01Z"), now));
        assert!(!hold_is_live(now, now));
        let r = held(now);
        assert_eq!(r.status_at(ts("2026-11-22T10:29:59.999Z")), Status::Held);
        assert_eq!(r.status_at(ts("2026-11-22T10:30:00Z")), Status::Expired);
        // Only a hold runs out: a confirmed reservation stays confirmed.
        let confirmed = r.confirmed(ts("2026-11-22T10:10:00Z"));
        assert_eq!(confirmed.status_at(ts("2026-11-23T00:00:00Z")), Status::Confirmed);
    }

    #[test]
    fn a_move_takes_the_new_slots_times_and_keeps_the_rest() {
        let now = ts("2026-11-22T10:00:00Z");
        let r = held(now);
        let to = SlotId { provider_id: "p".into(), start: ts("2026-11-25T09:00:00Z"), minutes: m(30) };
        let moved = r.clone().moved(&to);
        assert_eq!(
            (moved.slot_id.as_str(), moved.start_time, moved.end_time),
            ("p.20261125T0900Z.30", to.start, ts("2026-11-25T09:30:00Z"))
        );
        assert_eq!((moved.status, moved.expires_at, moved.sequence), (r.status, r.expires_at, r.sequence + 1));
        assert!(moved.is_active(now) && !moved.is_active(r.expires_at));
        let reason = CancelReason::try_from("  ill  ".to_owned()).unwrap();
        assert_eq!(reason.as_str(), "ill");
        assert!(CancelReason::try_from(" ".to_owned()).is_err());
        assert!(CancelReason::try_from("x".repeat(501)).is_err());
    }

    #[test]
    fn statuses_read_as_they_are_written() {
        for status in [Status::Held, Status::Confirmed, Status::Expired, Status::Cancelled] {
            let text = serde_json::to_value(status).unwrap();
            assert_eq!(text.as_str().unwrap().parse::<Status>(), Ok(status));
        }
        assert!("HELD".parse::<Status>().unwrap_err().contains("one of held"));
        assert_eq!(Status::Cancelled.to_string(), "cancelled");
    }

    #[test]
    fn an_appointment_is_the_reservation_and_the_clients_name() {
        let now = ts("2026-11-22T10:00:00Z");
        let shown = serde_json::to_value(Appointment {
            reservation: held(now),
            client_first_name: Some("Cam".into()),
            client_last_name: Some("Client".into()),
        })
        .unwrap();
        assert_eq!((shown["reservation_id"].as_str(), shown["status"].as_str()), (Some("r"), Some("held")));
        assert_eq!(
            (shown["client_first_name"].as_str(), shown["client_last_name"].as_str()),
            (Some("Cam"), Some("Client"))
        );
    }

    #[test]
    fn each_ending_records_when_it_happened() {
        let now = ts("2026-11-22T10:00:00Z");
        let later = ts("2026-11-22T10:05:00Z");
        let confirmed = held(now).confirmed(later);
        assert_eq!((confirmed.status, confirmed.confirmed_at), (Status::Confirmed, Some(later)));
        let cancelled = confirmed.clone().cancelled(later, CancelledBy::Provider, None);
        assert_eq!((cancelled.status, cancelled.cancelled_at), (Status::Cancelled, Some(later)));
        assert_eq!((cancelled.cancelled_by, cancelled.sequence), (Some(CancelledBy::Provider), confirmed.sequence + 1));
        let expired = held(now).expired(later);
        assert_eq!((expired.status, expired.expired_at, expired.confirmed_at), (Status::Expired, Some(later), None));
    }
}
