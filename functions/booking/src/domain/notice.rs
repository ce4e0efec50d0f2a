//! What the emails are about: the events of a reservation that both sides hear of, who they are,
//! and when a reminder is due.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::{Reservation, Status, TimeZone};

/// An event of a reservation that is emailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notice {
    Confirmed,
    Cancelled,
    Rescheduled,
    /// To the client, `BOOKING_REMINDER_SECONDS` before a confirmed appointment.
    Reminder,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Rescheduled => "rescheduled",
            Self::Reminder => "reminder",
        }
    }

    /// Who hears of it: both sides, but a reminder goes to the client only.
    pub fn recipients(self) -> &'static [Side] {
        match self {
            Self::Reminder => &[Side::Client],
            _ => &[Side::Client, Side::Provider],
        }
    }
}

/// One side of a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Provider,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Provider => "provider",
        }
    }
}

/// A side as an email needs them: name, verified email (none: no email to them) and zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub time_zone: TimeZone,
}

/// Both sides of a reservation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parties {
    pub client: Party,
    pub provider: Party,
}

impl Parties {
    pub fn side(&self, side: Side) -> &Party {
        match side {
            Side::Client => &self.client,
            Side::Provider => &self.provider,
        }
    }
}

/// Which notices a change of a reservation sends: the emails are about appointments, so a hold's
/// own changes (moved or cancelled before it was confirmed) send none.
pub fn notices_of(before: Status, event: Notice) -> bool {
    match event {
        Notice::Confirmed | Notice::Reminder => true,
        Notice::Cancelled | Notice::Rescheduled => before == Status::Confirmed,
    }
}

/// When the reminder of `reservation` is due: `before` ahead of its start.
pub fn reminder_due(reservation: &Reservation, before: Duration) -> Timestamp {
    reservation.start_time - before
}

/// The key that makes each email go at most once: the reservation, the event, the invite's
/// sequence at that event, and the side.
pub fn claim_key(reservation_id: &str, event: Notice, sequence: u32, side: Side) -> String {
    format!("{reservation_id}#{}#{sequence}#{}", event.as_str(), side.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        SlotId,
        test_support::{m, ts},
    };

    #[test]
    fn only_appointments_are_announced_and_reminders_go_to_the_client() {
        assert!(notices_of(Status::Held, Notice::Confirmed));
        assert!(!notices_of(Status::Held, Notice::Cancelled));
        assert!(!notices_of(Status::Held, Notice::Rescheduled));
        assert!(notices_of(Status::Confirmed, Notice::Cancelled));
        assert_eq!(Notice::Reminder.recipients(), &[Side::Client]);
        assert_eq!(Notice::Cancelled.recipients().len(), 2);
        let slot = SlotId { provider_id: "p".into(), start: ts("2026-11-24T10:15:00Z"), minutes: m(15) };
        let r = Reservation::hold("r".into(), &slot, "c", ts("2026-11-22T10:00:00Z"), Duration::minutes(30));
        assert_eq!(reminder_due(&r, Duration::hours(24)), ts("2026-11-23T10:15:00Z"));
        assert_eq!(claim_key("r", Notice::Rescheduled, 2, Side::Provider), "r#rescheduled#2#provider");
    }
}
