//! The calendar invite each email carries (RFC 5545), built with the `icalendar` crate: one
//! event per reservation, whose `UID` never changes and whose `SEQUENCE` grows with every change
//! (moved, cancelled), so that calendar programs update or remove the event they imported.
//! Times are written in UTC (`DTSTART:20261124T101500Z`): each calendar shows them in its
//! owner's zone.

use icalendar::{Attendee, Calendar, Component, Event, EventLike, EventStatus, PartStat, Property, Role};
use shared::time::Timestamp;

/// What the invite asks of the calendar: add or update the event, or remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// A person on the invite.
#[derive(Debug, Clone)]
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// One reservation as an invite.
#[derive(Debug, Clone)]
pub struct Invite<'a> {
    pub reservation_id: &'a str,
    pub sequence: u32,
    pub method: Method,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: &'a str,
    pub description: &'a str,
    /// The provider (or the service's sender address for a provider without an email).
    pub organizer: Person<'a>,
    /// The client.
    pub attendee: Person<'a>,
    /// When the invite was made (`DTSTAMP`).
    pub stamp: Timestamp,
}

/// The `UID` of a reservation's event, the same in every invite about it.
pub fn uid(reservation_id: &str) -> String {
    format!("{reservation_id}@booking")
}

impl Invite<'_> {
    /// The invite as `text/calendar` content.
    pub fn render(&self) -> String {
        let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", self.organizer.email));
        organizer.add_parameter("CN", self.organizer.name);
        let attendee = Attendee::new(format!("mailto:{}", self.attendee.email))
            .cn(self.attendee.name.to_owned())
            .role(Role::ReqParticipant)
            .partstat(match self.method {
                Method::Request => PartStat::Accepted,
                Method::Cancel => PartStat::Declined,
            });
        let event = Event::new()
            .uid(&uid(self.reservation_id))
            .sequence(self.sequence)
            .timestamp(self.stamp)
            .starts(self.start)
            .ends(self.end)
            .summary(self.summary)
            .description(self.description)
            .status(match self.method {
                Method::Request => EventStatus::Confirmed,
                Method::Cancel => EventStatus::Cancelled,
            })
            .append_property(organizer)
            .attendee(attendee)
            .done();
        let mut calendar = Calendar::new();
        calendar.append_property(Property::new("METHOD", self.method.as_str()));
        calendar.push(event);
        calendar.done().to_string()
    }
}

#[cfg(test)]
mod tests {
    use icalendar::{Calendar, CalendarComponent, DatePerhapsTime};

    use super::*;
    use crate::domain::test_support::ts;

    fn invite(method: Method, sequence: u32) -> String {
        Invite {
            reservation_id: "r-1",
            sequence,
            method,
            start: ts("2026-03-29T00:30:00Z"),
            end: ts("2026-03-29T01:30:00Z"),
            summary: "Appointment with Pat Lee",
            description: "Cancelled by the provider: the clinic is closed; sorry, truly.",
            organizer: Person { name: "Pat Lee", email: "pat@example.com" },
            attendee: Person { name: "Cam Ray", email: "cam@example.com" },
            stamp: ts("2026-03-20T10:00:00Z"),
        }
        .render()
    }

    fn parsed(text: &str) -> (Calendar, icalendar::Event) {
        let calendar: Calendar = text.parse().unwrap();
        let event = calendar
            .components
            .iter()
            .find_map(|c| match c {
                CalendarComponent::Event(e) => Some(e.clone()),
                _ => None,
            })
            .expect("one event");
        (calendar, event)
    }

    #[test]
    fn an_invite_parses_back_with_its_uid_sequence_method_and_utc_times() {
        let text = invite(Method::Request, 0);
        assert!(text.contains("DTSTART:20260329T003000Z"), "UTC on the wire: {text}");
        let (calendar, event) = parsed(&text);
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        assert_eq!(event.get_uid(), Some("r-1@booking"));
        assert_eq!(event.get_sequence(), Some(0));
        assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
        let utc = |d: Option<DatePerhapsTime>| match d {
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(dt))) => Some(dt),
            _ => None,
        };
        assert_eq!(utc(event.get_start()), Some(ts("2026-03-29T00:30:00Z")));
        assert_eq!(utc(event.get_end()), Some(ts("2026-03-29T01:30:00Z")));
        assert!(event.property_value("ORGANIZER").unwrap().contains("pat@example.com"));
        let attendees = event.get_attendees();
        assert_eq!(attendees[0].cal_address, "mailto:cam@example.com");
        // Text with the characters RFC 5545 escapes comes back as written.
        assert_eq!(event.get_description(), Some("Cancelled by the provider: the clinic is closed; sorry, truly."));
    }

    #[test]
    fn a_change_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_says_cancel() {
        let (_, first) = parsed(&invite(Method::Request, 0));
        let (_, moved) = parsed(&invite(Method::Request, 1));
        let (calendar, cancelled) = parsed(&invite(Method::Cancel, 2));
        assert_eq!(first.get_uid(), moved.get_uid());
        assert_eq!(moved.get_uid(), cancelled.get_uid());
        assert!(first.get_sequence() < moved.get_sequence() && moved.get_sequence() < cancelled.get_sequence());
        assert_eq!(calendar.property_value("METHOD"), Some("CANCEL"));
        assert_eq!(cancelled.get_status(), Some(EventStatus::Cancelled));
    }
}
