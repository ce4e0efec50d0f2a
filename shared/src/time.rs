//! Time as the contract wants it: UTC, RFC 3339 with a `Z` suffix.
//!
//! `chrono`'s serde support already writes `DateTime<Utc>` that way and reads any RFC 3339 offset,
//! converting it to UTC, so domain types use `Timestamp` directly.

use chrono::{DateTime, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

/// The current time, truncated to milliseconds so that what is stored, returned and compared is
/// the same value.
pub fn now() -> Timestamp {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// RFC 3339 in UTC with `Z`; fractional seconds only when there are any.
pub fn format(ts: Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Parses an RFC 3339 timestamp with any offset, converting it to UTC.
pub fn parse(value: &str) -> Result<Timestamp, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|ts| ts.with_timezone(&Utc))
        .map_err(|err| format!("{value:?} is not an RFC 3339 timestamp ({err})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc() {
        let ts = parse("2026-11-24T10:00:00+02:00").unwrap();
        assert_eq!(format(ts), "2026-11-24T08:00:00Z");
        assert!(parse("24/11/2026").is_err());
    }

    #[test]
    fn now_has_millisecond_precision() {
        assert_eq!(now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
