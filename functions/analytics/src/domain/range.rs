//! The queries' date ranges: UTC days, both ends inclusive, at most 366 days apart.

use chrono::{Days, NaiveDate};
use shared::time::Timestamp;

/// How far apart `start_date` and `end_date` may be.
pub const MAX_RANGE_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("missing query parameter `{0}`")]
    Missing(&'static str),
    #[error("`{0}` must be a date YYYY-MM-DD, got {1:?}")]
    NotADate(&'static str, String),
    #[error("`start_date` {0} is after `end_date` {1}")]
    Reversed(NaiveDate, NaiveDate),
    #[error("the range is {0} days long; `start_date` and `end_date` may be at most {MAX_RANGE_DAYS} days apart")]
    TooLong(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A `YYYY-MM-DD` date, strictly (chrono alone also takes `2020-9-1`).
pub fn parse_date(name: &'static str, raw: &str) -> Result<NaiveDate, RangeError> {
    let strict = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| strict)
        .ok_or_else(|| RangeError::NotADate(name, raw.chars().take(40).collect()))
}

impl DateRange {
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<Self, RangeError> {
        let start = parse_date("start_date", start.ok_or(RangeError::Missing("start_date"))?)?;
        let end = parse_date("end_date", end.ok_or(RangeError::Missing("end_date"))?)?;
        if start > end {
            return Err(RangeError::Reversed(start, end));
        }
        let apart = (end - start).num_days();
        if apart > MAX_RANGE_DAYS {
            return Err(RangeError::TooLong(apart + 1));
        }
        Ok(Self { start, end })
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let end = self.end;
        std::iter::successors(Some(self.start), move |d| d.checked_add_days(Days::new(1)).filter(|d| *d <= end))
    }
}

/// A date as the store keys it.
pub fn key(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The UTC day of a time, as the store keys it (`YYYY-MM-DD`): an event counts on the day it
/// occurred.
pub fn day(at: Timestamp) -> String {
    key(at.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_bounded() {
        let range = DateRange::parse(Some("2020-02-28"), Some("2020-03-01")).unwrap();
        assert_eq!(range.days().map(key).collect::<Vec<_>>(), ["2020-02-28", "2020-02-29", "2020-03-01"]);
        assert_eq!(DateRange::parse(Some("2020-01-01"), Some("2020-01-01")).unwrap().days().count(), 1);
        assert!(DateRange::parse(Some("2020-01-01"), Some("2021-01-01")).is_ok());
        assert_eq!(DateRange::parse(Some("2020-01-01"), Some("2021-01-02")), Err(RangeError::TooLong(368)));
        assert!(matches!(DateRange::parse(Some("2020-01-02"), Some("2020-01-01")), Err(RangeError::Reversed(..))));
        assert!(matches!(
            DateRange::parse(Some("2020-9-1"), Some("2020-09-02")),
            Err(RangeError::NotADate("start_date", _))
        ));
        assert!(matches!(
            DateRange::parse(Some("2020-09-01"), Some("tomorrow")),
            Err(RangeError::NotADate("end_date", _))
        ));
        assert_eq!(DateRange::parse(None, Some("2020-09-01")), Err(RangeError::Missing("start_date")));
    }
}
