//! Availability: how a requested range is checked and cut into slots, and which start times a
//! listing covers.

use chrono::{Duration, TimeZone, Utc};
use shared::time::Timestamp;

use super::{SlotId, SlotMinutes, Timings};

/// The longest range one availability request may cover.
pub const MAX_RANGE_DAYS: i64 = 31;

/// The most slots one availability request may create. Each slot is a write and a line of the
/// response: this keeps a request to a few dozen transactions, well inside the function's
/// timeout and the response size limit, and still lets the default 15-minute slots cover the
/// longest range (31 days are 2976 of them).
pub const MAX_SLOTS_PER_REQUEST: i64 = 3000;

/// Why a requested availability range is refused. The text is what a client reads; for the
/// 400s it says what is wrong with the named `field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeProblem {
    /// 400: `field` is not on a slot boundary.
    #[error("must fall on a {minutes}-minute boundary (whole minutes since midnight UTC divisible by {minutes})")]
    NotAligned { field: &'static str, minutes: u32 },
    /// 400: the end (`end_time`) is not after the start.
    #[error("must be after `start_time`")]
    EndNotAfterStart,
    /// 422: the range starts in the past.
    #[error("`start_time` is in the past")]
    InThePast,
    /// 422: more than [`MAX_RANGE_DAYS`].
    #[error("the range spans more than {MAX_RANGE_DAYS} days; post it in parts")]
    TooLong,
    /// 422: the range cuts into more than [`MAX_SLOTS_PER_REQUEST`] slots.
    #[error(
        "the range would be cut into {slots} slots; a request may create at most {limit}: \
         use a longer `slot_minutes` or a shorter range"
    )]
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
            return Err(RangeProblem::NotAligned { field, minutes: minutes.get() });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::{m, timings, ts};

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
    fn range_problems_read_as_the_contract_words_them() {
        assert_eq!(
            RangeProblem::NotAligned { field: "start_time", minutes: 15 }.to_string(),
            "must fall on a 15-minute boundary (whole minutes since midnight UTC divisible by 15)"
        );
        assert_eq!(RangeProblem::TooLong.to_string(), "the range spans more than 31 days; post it in parts");
        assert_eq!(
            RangeProblem::TooManySlots { slots: 3001, limit: 3000 }.to_string(),
            "the range would be cut into 3001 slots; a request may create at most 3000: \
             use a longer `slot_minutes` or a shorter range"
        );
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
    fn overlap_is_half_open() {
        let a = (ts("2026-11-24T10:00:00Z"), ts("2026-11-24T10:30:00Z"));
        assert!(overlaps(a, (ts("2026-11-24T10:15:00Z"), ts("2026-11-24T10:30:00Z"))));
        assert!(!overlaps(a, (ts("2026-11-24T10:30:00Z"), ts("2026-11-24T10:45:00Z"))));
    }

    #[test]
    fn listings_stay_within_what_slot_keys_can_order() {
        let timings = timings();
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
}
