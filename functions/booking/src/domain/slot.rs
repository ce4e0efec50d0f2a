//! Slots: a provider's bookable time, its length and its id, and whether it is free.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::Status;

/// A slot length in minutes that divides a day, so that slots line up with midnight UTC and
/// every slot of a given length has one possible start per boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct SlotMinutes(u32);

impl TryFrom<i64> for SlotMinutes {
    type Error = String;
    fn try_from(minutes: i64) -> Result<Self, String> {
        if minutes <= 0 {
            return Err(format!("must be a positive number of minutes, got {minutes}"));
        }
        if minutes > 1440 || 1440 % minutes != 0 {
            return Err(format!("must divide a day (1440 minutes), e.g. 10, 15, 30 or 60; got {minutes}"));
        }
        Ok(Self(minutes as u32))
    }
}

impl From<SlotMinutes> for u32 {
    fn from(minutes: SlotMinutes) -> u32 {
        minutes.0
    }
}

impl FromStr for SlotMinutes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<i64>().map_err(|e| e.to_string()).and_then(SlotMinutes::try_from)
    }
}

impl SlotMinutes {
    pub fn get(self) -> u32 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Duration::minutes(self.0 as i64)
    }

    /// Whether `ts` falls on a boundary of this slot length (whole minutes since midnight UTC
    /// divisible by the length, no seconds).
    pub fn is_aligned(self, ts: Timestamp) -> bool {
        ts.timestamp_subsec_nanos() == 0 && ts.second() == 0 && (ts.hour() * 60 + ts.minute()).is_multiple_of(self.0)
    }
}

/// A slot is identified by its provider, start and length; the id encodes them, so a
/// reservation needs no lookup to know which item to lock, and posting the same slot twice
/// cannot create a second one. Clients treat it as opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlotId {
    pub provider_id: String,
    pub start: Timestamp,
    pub minutes: SlotMinutes,
}

const SLOT_ID_TIME: &str = "%Y%m%dT%H%MZ";

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.provider_id, self.start.format(SLOT_ID_TIME), self.minutes.0)
    }
}

impl FromStr for SlotId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if !shared::ids::is_plausible(s) {
            return Err(());
        }
        let mut parts = s.rsplitn(3, '.');
        let minutes: SlotMinutes = parts.next().ok_or(())?.parse().map_err(|_| ())?;
        let start = chrono::NaiveDateTime::parse_from_str(parts.next().ok_or(())?, SLOT_ID_TIME).map_err(|_| ())?;
        let provider_id = parts.next().filter(|p| !p.is_empty()).ok_or(())?.to_owned();
        let start = DateTime::from_naive_utc_and_offset(start, Utc);
        if !minutes.is_aligned(start) {
            return Err(());
        }
        Ok(SlotId { provider_id, start, minutes })
    }
}

impl SlotId {
    pub fn end(&self) -> Timestamp {
        self.start + self.minutes.duration()
    }
}

/// A provider's slot, and the reservation holding it if any: the slot carries its holder so that
/// one conditional write on it decides who gets it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    pub slot_id: String,
    pub provider_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub slot_minutes: SlotMinutes,
    /// "First Last", copied from the provider's profile when the slot is created (slots created
    /// before it was have none; a listing fills it in from the profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_ms: Option<i64>,
}

impl Slot {
    pub fn new(id: &SlotId) -> Self {
        Self {
            slot_id: id.to_string(),
            provider_id: id.provider_id.clone(),
            start_time: id.start,
            end_time: id.end(),
            slot_minutes: id.minutes,
            provider_name: None,
            reservation_id: None,
            reservation_status: None,
            hold_expires_ms: None,
        }
    }

    /// A new slot of the provider called `provider_name`.
    pub fn named(id: &SlotId, provider_name: &str) -> Self {
        Self { provider_name: Some(provider_name.to_owned()), ..Self::new(id) }
    }

    /// Free: never reserved, released, or held by a hold that has run out (an expired hold frees
    /// the slot at once, before any worker records the expiry).
    pub fn is_free(&self, now: Timestamp) -> bool {
        match (self.reservation_status, self.hold_expires_ms) {
            (None, _) => true,
            (Some(Status::Held), Some(expires)) => expires <= now.timestamp_millis(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::{m, ts};

    #[test]
    fn slot_lengths_divide_a_day() {
        assert!(SlotMinutes::try_from(15).is_ok());
        assert!(SlotMinutes::try_from(0).unwrap_err().contains("positive"));
        assert!(SlotMinutes::try_from(-15).unwrap_err().contains("positive"));
        assert!(SlotMinutes::try_from(7).unwrap_err().contains("divide"));
        assert!(SlotMinutes::try_from(2880).is_err());
    }

    #[test]
    fn slot_ids_round_trip_and_reject_garbage() {
        let id = SlotId { provider_id: "a1b2-c3".into(), start: ts("2026-11-24T10:15:00Z"), minutes: m(15) };
        let text = id.to_string();
        assert_eq!(text, "a1b2-c3.20261124T1015Z.15");
        assert_eq!(text.parse::<SlotId>(), Ok(id));
        for bad in [
            "",
            "x",
            "p.20261124T1015Z",
            "p.20261124T1010Z.15",
            "p.2026-11-24.15",
            ".20261124T1015Z.15",
            "p.20261124T1015Z.7",
            "p q.20261124T1015Z.15",
        ] {
            assert!(bad.parse::<SlotId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_slot_spans_its_length_and_is_free() {
        let id = SlotId { provider_id: "p".into(), start: ts("2026-11-24T23:30:00Z"), minutes: m(30) };
        let slot = Slot::new(&id);
        assert_eq!(
            (slot.slot_id.as_str(), slot.end_time, slot.slot_minutes),
            ("p.20261124T2330Z.30", ts("2026-11-25T00:00:00Z"), m(30))
        );
        assert!(slot.is_free(ts("2026-11-24T00:00:00Z")));
    }

    #[test]
    fn a_held_slot_is_free_again_from_the_instant_its_hold_runs_out() {
        let now = ts("2026-11-22T10:00:00Z");
        let mut slot =
            Slot::new(&SlotId { provider_id: "p".into(), start: ts("2026-11-24T10:00:00Z"), minutes: m(15) });
        slot.reservation_id = Some("r".into());
        slot.reservation_status = Some(Status::Held);
        slot.hold_expires_ms = Some(now.timestamp_millis() + 1);
        assert!(!slot.is_free(now));
        slot.hold_expires_ms = Some(now.timestamp_millis());
        assert!(slot.is_free(now));
        // Confirmed: taken whatever the time (confirming removes the hold's end).
        slot.reservation_status = Some(Status::Confirmed);
        slot.hold_expires_ms = None;
        assert!(!slot.is_free(now));
    }
}
