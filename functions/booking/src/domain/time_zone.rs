//! A profile's IANA time zone (`Europe/Paris`), in which emails show times.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

/// An IANA time zone name the database knows; `UTC` when a profile never said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(Tz);

impl Default for TimeZone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        // Exact names only (`Europe/Paris`, not `europe/paris` nor `+02:00`), as calendars write them.
        name.parse::<Tz>().map(Self).map_err(|_| {
            format!("{} is not an IANA time zone name (e.g. \"Europe/Paris\", \"UTC\")", shared::ids::shown(&name))
        })
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> String {
        zone.0.name().to_owned()
    }
}

impl TimeZone {
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// `at` as a person in this zone reads it: "Sunday 29 March 2026, 03:30 CEST".
    pub fn show(&self, at: Timestamp) -> String {
        at.with_timezone(&self.0).format("%A %-d %B %Y, %H:%M %Z").to_string()
    }

    /// `at`'s wall-clock time only ("03:30"), for the end of a range shown on the same day.
    pub fn show_time(&self, at: Timestamp) -> String {
        at.with_timezone(&self.0).format("%H:%M %Z").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::ts;

    #[test]
    fn only_iana_names_are_zones() {
        assert_eq!(TimeZone::try_from("Europe/Paris".to_owned()).unwrap().name(), "Europe/Paris");
        assert_eq!(TimeZone::default().name(), "UTC");
        for bad in ["Mars/Olympus", "+02:00", "europe/paris", ""] {
            let err = TimeZone::try_from(bad.to_owned()).unwrap_err();
            assert!(err.contains("not an IANA time zone"), "{bad}: {err}");
        }
        let zone: TimeZone = serde_json::from_value(serde_json::json!("America/New_York")).unwrap();
        assert_eq!(serde_json::to_value(zone).unwrap(), "America/New_York");
    }

    #[test]
    fn times_are_shown_in_the_zone_across_a_daylight_saving_change() {
        let paris = TimeZone::try_from("Europe/Paris".to_owned()).unwrap();
        // Clocks go forward at 01:00 UTC on 29 March 2026 (02:00 CET becomes 03:00 CEST).
        assert_eq!(paris.show(ts("2026-03-29T00:30:00Z")), "Sunday 29 March 2026, 01:30 CET");
        assert_eq!(paris.show(ts("2026-03-29T01:30:00Z")), "Sunday 29 March 2026, 03:30 CEST");
        // And back at 01:00 UTC on 25 October 2026: 02:30 happens twice, told apart by the zone.
        assert_eq!(paris.show_time(ts("2026-10-25T00:30:00Z")), "02:30 CEST");
        assert_eq!(paris.show_time(ts("2026-10-25T01:30:00Z")), "02:30 CET");
        let new_york = TimeZone::try_from("America/New_York".to_owned()).unwrap();
        assert_eq!(new_york.show(ts("2026-11-02T14:00:00Z")), "Monday 2 November 2026, 09:00 EST");
    }
}
