//! Time as the contract wants it: UTC, RFC 3339 with a `Z` suffix.
//!
//! `chrono`'s serde support writes `DateTime<Utc>` that way, so stored and returned records use
//! `Timestamp` directly. Its reading is lenient (`2026-11-24 10:00:00 UTC`, five-digit years), so
//! timestamps that come from clients go through [`parse`] instead: `#[serde(deserialize_with =
//! "shared::time::deserialize")]`.

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

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

/// The one sortable form of a timestamp in keys: RFC 3339 in UTC with milliseconds, always the
/// same width (`2026-11-24T10:00:00.000Z`), so text order is time order.
pub fn sortable(ts: Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 timestamp with any offset, converting it to UTC. Years are four digits,
/// as RFC 3339 says, so every accepted timestamp also formats back to one.
pub fn parse(value: &str) -> Result<Timestamp, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|ts| ts.with_timezone(&Utc))
        .map_err(|err| format!("{value:?} is not an RFC 3339 timestamp ({err})"))
        .and_then(|ts| match ts.year() {
            0..=9999 => Ok(ts),
            _ => Err(format!("{value:?} is not an RFC 3339 timestamp (the year must have four digits)")),
        })
}

/// Serde's `deserialize_with` for a client's timestamp: strict RFC 3339, any offset, as UTC.
pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    let raw = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    parse(&raw).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc() {
        let ts = parse("2026-11-24T10:00:00+02:00").unwrap();
        assert_eq!(format(ts), "2026-11-24T08:00:00Z");
        assert!(parse("24/11/2026").is_err());
        assert!(parse("2026-11-24 10:00:00 UTC").is_err());
        assert!(parse("+10000-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn bodies_are_read_strictly() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "deserialize")]
            at: Timestamp,
        }
        let body: Body = serde_json::from_str(r#"{"at": "2026-11-24T10:00:00+01:00"}"#).unwrap();
        assert_eq!(format(body.at), "2026-11-24T09:00:00Z");
        let err = serde_json::from_str::<Body>(r#"{"at": "2026-11-24 10:00:00 UTC"}"#).err().unwrap();
        assert!(err.to_string().contains("not an RFC 3339 timestamp"), "{err}");
    }

    #[test]
    fn sortable_timestamps_sort_as_time() {
        let early = parse("2026-11-24T09:59:59.5Z").unwrap();
        let late = parse("2026-11-24T10:00:00Z").unwrap();
        assert_eq!(sortable(late), "2026-11-24T10:00:00.000Z");
        assert!(sortable(early) < sortable(late));
    }

    #[test]
    fn now_has_millisecond_precision() {
        assert_eq!(now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
