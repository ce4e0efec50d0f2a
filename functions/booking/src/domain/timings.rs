//! The business timings and the lead-time rule.

use chrono::Duration;
use shared::time::Timestamp;

use super::SlotMinutes;

/// Business timings, from the environment (`BOOKING_*`).
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// How long a hold lasts before it expires (`BOOKING_HOLD_SECONDS`, 1800).
    pub hold: Duration,
    /// How far ahead a slot must start to be reserved or listed (`BOOKING_MIN_LEAD_SECONDS`, 86400).
    pub min_lead: Duration,
    /// Slot length when a request does not say (`BOOKING_SLOT_MINUTES`, 15).
    pub default_slot_minutes: SlotMinutes,
    /// How long a reservation is kept after it was stored (`BOOKING_RETENTION_DAYS`, 730).
    pub retention: Duration,
}

/// Whether a slot starting at `start` may still be reserved.
pub fn within_lead(start: Timestamp, now: Timestamp, timings: &Timings) -> bool {
    start - now >= timings.min_lead
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::{timings, ts};

    #[test]
    fn a_slot_may_be_reserved_until_the_lead_time() {
        let now = ts("2026-11-22T10:00:00Z");
        assert!(within_lead(ts("2026-11-23T10:00:00Z"), now, &timings()));
        assert!(!within_lead(ts("2026-11-23T09:45:00Z"), now, &timings()));
    }
}
