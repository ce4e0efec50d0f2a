//! The reservation rules, free of I/O: slot lengths and alignment, slot ids, what is bookable,
//! hold expiry. `now` is always a parameter.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

pub use shared::person::PersonName;

/// The longest range one availability request may cover.
pub const MAX_RANGE_DAYS: i64 = 31;

/// The most slots one availability request may create. Each slot is a write and a line of the
/// response: this keeps a request to a few dozen transactions, well inside the function's
/// timeout and the response size limit, and still lets the default 15-minute slots cover the
/// longest range (31 days are 2976 of them).
pub const MAX_SLOTS_PER_REQUEST: i64 = 3000;

/// SQS delivers a message at most 15 minutes late; longer waits are re-enqueued.
pub const MAX_SQS_DELAY_SECONDS: i64 = 900;

/// Business timings, from the environment (`BOOKING_*`).
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// How long a hold lasts before it expires (`BOOKING_HOLD_SECONDS`, 1800).
    pub hold: Duration,
    /// How far ahead a slot must start to be reserved or listed (`BOOKING_MIN_LEAD_SECONDS`, 86400).
    pub min_lead: Duration,
    /// Slot length when a request does not say (`BOOKING_SLOT_MINUTES`, 15).
    pub default_slot_minutes: SlotMinutes,
}

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

/// Why a requested availability range is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeProblem {
    /// 400: `field` is not on a slot boundary.
    NotAligned { field: &'static str, minutes: u32 },
    /// 400: the end is not after the start.
    EndNotAfterStart,
    /// 422: the range starts in the past.
    InThePast,
    /// 422: more than [`MAX_RANGE_DAYS`].
    TooLong,
    /// 422: the range cuts into more than [`MAX_SLOTS_PER_REQUEST`] slots.
    TooManySlots { slots: i64, limit: i64 },
}

/// Cuts `[start, end)` into slots of `minutes`, after checking the range.
pub fn cut_range(
    provider_id: &str,
    start: Timestamp,
    end: Timestamp,
    minutes: SlotMinutes,
    now: Timestamp,
) -> Result<Vec<SlotId>, RangeProblem> {
    if end <= start {
        return Err(RangeProblem::EndNotAfterStart);
    }
    for (field, ts) in [("start_time", start), ("end_time", end)] {
        if !minutes.is_aligned(ts) {
            return Err(RangeProblem::NotAligned { field, minutes: minutes.0 });
        }
    }
    if start < now {
        return Err(RangeProblem::InThePast);
    }
    if end - start > Duration::days(MAX_RANGE_DAYS) {
        return Err(RangeProblem::TooLong);
    }
    let count = (end - start).num_minutes() / minutes.get() as i64;
    if count > MAX_SLOTS_PER_REQUEST {
        return Err(RangeProblem::TooManySlots { slots: count, limit: MAX_SLOTS_PER_REQUEST });
    }
    let mut slots = Vec::new();
    let mut at = start;
    while at < end {
        slots.push(SlotId { provider_id: provider_id.to_owned(), start: at, minutes });
        at += minutes.duration();
    }
    Ok(slots)
}

/// How far past its start a listing looks when the request gives no end.
pub const DEFAULT_LISTING_DAYS: i64 = 3660;

/// The last second a listing looks at: the end of year 9999, the last one RFC 3339 writes with
/// four digits. Slot keys are start times in RFC 3339 and sort by time only up to there (a
/// later bound would be written `+10000-...` and sort before every slot).
pub fn latest_listable() -> Timestamp {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().expect("a valid date")
}

/// The start times `[from, to)` a listing covers: from the later of `from` and the lead time,
/// up to `to` (by default [`DEFAULT_LISTING_DAYS`] later), never past [`latest_listable`].
/// `None` when nothing can be listed.
pub fn listing_window(
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    now: Timestamp,
    timings: &Timings,
) -> Option<(Timestamp, Timestamp)> {
    let latest = latest_listable();
    let earliest = now + timings.min_lead;
    let from = from.map_or(earliest, |from| from.max(earliest));
    let to = to
        .or_else(|| from.checked_add_signed(Duration::days(DEFAULT_LISTING_DAYS)))
        .map_or(latest, |to| to.min(latest));
    (from < to).then_some((from, to))
}

/// Whether two half-open intervals overlap.
pub fn overlaps(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Held,
    Confirmed,
    Expired,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Held => "held",
            Status::Confirmed => "confirmed",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Whether a slot starting at `start` may still be reserved.
pub fn within_lead(start: Timestamp, now: Timestamp, timings: &Timings) -> bool {
    start - now >= timings.min_lead
}

/// A hold is live until its `expires_at`; from that instant it counts as expired everywhere,
/// whether or not the expiry worker has recorded it yet.
pub fn hold_is_live(expires_at: Timestamp, now: Timestamp) -> bool {
    now < expires_at
}

/// What the expiry worker does with a message for a hold ending at `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStep {
    /// Not yet: send it again, delayed this many seconds (at most SQS's 900).
    Requeue(i32),
    /// Due: expire the hold now.
    Expire,
}

pub fn expiry_step(expires_at: Timestamp, now: Timestamp) -> ExpiryStep {
    let remaining_ms = (expires_at - now).num_milliseconds();
    if remaining_ms <= 0 {
        return ExpiryStep::Expire;
    }
    let seconds = (remaining_ms + 999) / 1000;
    ExpiryStep::Requeue(seconds.min(MAX_SQS_DELAY_SECONDS) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        shared::time::parse(s).unwrap()
    }

    fn m(n: i64) -> SlotMinutes {
        SlotMinutes::try_from(n).unwrap()
    }

    #[test]
    fn slot_lengths_divide_a_day() {
        assert!(SlotMinutes::try_from(15).is_ok());
        assert!(SlotMinutes::try_from(0).unwrap_err().contains("positive"));
        assert!(SlotMinutes::try_from(-15).unwrap_err().contains("positive"));
        assert!(SlotMinutes::try_from(7).unwrap_err().contains("divide"));
        assert!(SlotMinutes::try_from(2880).is_err());
    }

    #[test]
    fn ranges_are_cut_into_aligned_slots() {
        let now = ts("2026-11-22T00:00:00Z");
        let slots = cut_range("p", ts("2026-11-24T10:00:00Z"), ts("2026-11-24T11:00:00Z"), m(15), now).unwrap();
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[3].start, ts("2026-11-24T10:45:00Z"));
        assert_eq!(slots[3].end(), ts("2026-11-24T11:00:00Z"));
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        let now = ts("2026-11-22T00:00:00Z");
        let cut = |a, b, n| cut_range("p", ts(a), ts(b), m(n), now);
        assert_eq!(
            cut("2026-11-24T10:05:00Z", "2026-11-24T11:00:00Z", 15),
            Err(RangeProblem::NotAligned { field: "start_time", minutes: 15 })
        );
        assert_eq!(
            cut("2026-11-24T10:00:00Z", "2026-11-24T10:50:00Z", 15),
            Err(RangeProblem::NotAligned { field: "end_time", minutes: 15 })
        );
        assert_eq!(
            cut("2026-11-24T10:00:30Z", "2026-11-24T11:00:00Z", 15),
            Err(RangeProblem::NotAligned { field: "start_time", minutes: 15 })
        );
        assert_eq!(cut("2026-11-24T11:00:00Z", "2026-11-24T10:00:00Z", 15), Err(RangeProblem::EndNotAfterStart));
        assert_eq!(cut("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z", 15), Err(RangeProblem::EndNotAfterStart));
        assert_eq!(cut("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z", 15), Err(RangeProblem::InThePast));
        assert_eq!(cut("2026-11-23T00:00:00Z", "2026-12-24T00:15:00Z", 15), Err(RangeProblem::TooLong));
        assert_eq!(cut("2026-11-23T00:00:00Z", "2026-12-24T00:00:00Z", 60).unwrap().len(), 31 * 24);
    }

    #[test]
    fn a_request_creates_at_most_a_bounded_number_of_slots() {
        let now = ts("2026-11-22T00:00:00Z");
        let cut = |a, b, n| cut_range("p", ts(a), ts(b), m(n), now);
        // The default length covers the longest range.
        assert_eq!(cut("2026-11-23T00:00:00Z", "2026-12-24T00:00:00Z", 15).unwrap().len(), 2976);
        // One-minute slots: 3000 minutes is the limit, one more is refused before anything is cut.
        assert_eq!(cut("2026-11-23T00:00:00Z", "2026-11-25T02:00:00Z", 1).unwrap().len(), 3000);
        assert_eq!(
            cut("2026-11-23T00:00:00Z", "2026-11-25T02:01:00Z", 1),
            Err(RangeProblem::TooManySlots { slots: 3001, limit: MAX_SLOTS_PER_REQUEST })
        );
        assert_eq!(
            cut("2026-11-23T00:00:00Z", "2026-12-24T00:00:00Z", 1),
            Err(RangeProblem::TooManySlots { slots: 44_640, limit: MAX_SLOTS_PER_REQUEST })
        );
        // A range too long is said to be too long, whatever its slot count.
        assert_eq!(cut("2026-11-23T00:00:00Z", "2026-12-25T00:00:00Z", 1), Err(RangeProblem::TooLong));
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
    fn overlap_is_half_open() {
        let a = (ts("2026-11-24T10:00:00Z"), ts("2026-11-24T10:30:00Z"));
        assert!(overlaps(a, (ts("2026-11-24T10:15:00Z"), ts("2026-11-24T10:30:00Z"))));
        assert!(!overlaps(a, (ts("2026-11-24T10:30:00Z"), ts("2026-11-24T10:45:00Z"))));
    }

    #[test]
    fn lead_time_and_hold_liveness() {
        let timings =
            Timings { hold: Duration::minutes(30), min_lead: Duration::hours(24), default_slot_minutes: m(15) };
        let now = ts("2026-11-22T10:00:00Z");
        assert!(within_lead(ts("2026-11-23T10:00:00Z"), now, &timings));
        assert!(!within_lead(ts("2026-11-23T09:45:00Z"), now, &timings));
        assert!(hold_is_live(ts("2026-11-22T10:00:01Z"), now));
        assert!(!hold_is_live(now, now));
    }

    #[test]
    fn listings_stay_within_what_slot_keys_can_order() {
        let timings =
            Timings { hold: Duration::minutes(30), min_lead: Duration::hours(24), default_slot_minutes: m(15) };
        let now = ts("2026-11-22T10:00:00Z");
        let window = |from: Option<&str>, to: Option<&str>| listing_window(from.map(ts), to.map(ts), now, &timings);
        assert_eq!(window(None, None), Some((ts("2026-11-23T10:00:00Z"), ts("2036-11-30T10:00:00Z"))));
        // A start inside the lead time moves to its end.
        assert_eq!(
            window(Some("2026-11-22T12:00:00Z"), Some("2026-11-24T00:00:00Z")),
            Some((ts("2026-11-23T10:00:00Z"), ts("2026-11-24T00:00:00Z")))
        );
        assert_eq!(window(Some("2026-11-22T12:00:00Z"), Some("2026-11-23T00:00:00Z")), None);
        // Near the end of year 9999 the default end stops at its last second.
        let end = latest_listable();
        assert_eq!(end, ts("9999-12-31T23:59:59Z"));
        assert_eq!(window(Some("9999-12-01T00:00:00Z"), None), Some((ts("9999-12-01T00:00:00Z"), end)));
        assert_eq!(window(Some("9990-01-01T00:00:00Z"), Some("9999-12-31T23:59:59.999Z")).unwrap().1, end);
        assert_eq!(window(Some("9999-12-31T23:59:59.500Z"), None), None);
        assert_eq!(window(Some("9999-12-31T23:59:59Z"), None), None);
    }

    #[test]
    fn expiry_waits_in_steps_of_at_most_fifteen_minutes() {
        let now = ts("2026-11-22T10:00:00Z");
        assert_eq!(expiry_step(ts("2026-11-22T10:30:00Z"), now), ExpiryStep::Requeue(900));
        assert_eq!(expiry_step(ts("2026-11-22T10:10:00Z"), now), ExpiryStep::Requeue(600));
        assert_eq!(expiry_step(ts("2026-11-22T10:00:00.200Z"), now), ExpiryStep::Requeue(1));
        assert_eq!(expiry_step(now, now), ExpiryStep::Expire);
        assert_eq!(expiry_step(ts("2026-11-22T09:00:00Z"), now), ExpiryStep::Expire);
    }
}
