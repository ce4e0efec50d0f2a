//! What the API answers: one view per record, borrowed from the domain's, so that what is stored
//! (a provider's availability version, a slot's holder, a reservation's index keys) and what is
//! shown are different types and a stored field is never shown by accident.

use serde::Serialize;
use shared::time::Timestamp;

use crate::domain::{Appointment, CancelledBy, Client, DirectoryEntry, Provider, Reservation, Slot, Status};

/// A provider's profile, as its owner sees it.
#[derive(Serialize)]
pub(super) struct ProviderView<'a> {
    provider_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    created_at: Timestamp,
    /// The verified email notices go to (none: no notices).
    email: Option<&'a str>,
    time_zone: &'static str,
}

impl<'a> From<&'a Provider> for ProviderView<'a> {
    fn from(p: &'a Provider) -> Self {
        Self {
            provider_id: &p.provider_id,
            first_name: p.first_name.as_str(),
            last_name: p.last_name.as_str(),
            created_at: p.created_at,
            email: p.email.as_deref(),
            time_zone: p.time_zone.name(),
        }
    }
}

/// A client's profile, as its owner sees it.
#[derive(Serialize)]
pub(super) struct ClientView<'a> {
    client_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    created_at: Timestamp,
    /// The verified email notices go to (none: no notices).
    email: Option<&'a str>,
    time_zone: &'static str,
}

impl<'a> From<&'a Client> for ClientView<'a> {
    fn from(c: &'a Client) -> Self {
        Self {
            client_id: &c.client_id,
            first_name: c.first_name.as_str(),
            last_name: c.last_name.as_str(),
            created_at: c.created_at,
            email: c.email.as_deref(),
            time_zone: c.time_zone.name(),
        }
    }
}

/// A provider as the public directory lists them: nothing but the public fields.
#[derive(Serialize)]
pub(super) struct DirectoryEntryView<'a> {
    provider_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
}

impl<'a> From<&'a DirectoryEntry> for DirectoryEntryView<'a> {
    fn from(e: &'a DirectoryEntry) -> Self {
        Self { provider_id: &e.provider_id, first_name: e.first_name.as_str(), last_name: e.last_name.as_str() }
    }
}

/// A slot, without who holds it.
#[derive(Serialize)]
pub(super) struct SlotView<'a> {
    slot_id: &'a str,
    provider_id: &'a str,
    provider_name: Option<&'a str>,
    start_time: Timestamp,
    end_time: Timestamp,
}

impl<'a> From<&'a Slot> for SlotView<'a> {
    fn from(s: &'a Slot) -> Self {
        Self {
            slot_id: &s.slot_id,
            provider_id: &s.provider_id,
            provider_name: s.provider_name.as_deref(),
            start_time: s.start_time,
            end_time: s.end_time,
        }
    }
}

/// A reservation, as its client and its provider see it; each ending's time once it happened.
#[derive(Serialize)]
pub(super) struct ReservationView<'a> {
    reservation_id: &'a str,
    slot_id: &'a str,
    provider_id: &'a str,
    client_id: &'a str,
    start_time: Timestamp,
    end_time: Timestamp,
    status: Status,
    created_at: Timestamp,
    expires_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled_by: Option<CancelledBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancel_reason: Option<&'a str>,
}

impl<'a> From<&'a Reservation> for ReservationView<'a> {
    fn from(r: &'a Reservation) -> Self {
        Self {
            reservation_id: &r.reservation_id,
            slot_id: &r.slot_id,
            provider_id: &r.provider_id,
            client_id: &r.client_id,
            start_time: r.start_time,
            end_time: r.end_time,
            status: r.status,
            created_at: r.created_at,
            expires_at: r.expires_at,
            confirmed_at: r.confirmed_at,
            cancelled_at: r.cancelled_at,
            expired_at: r.expired_at,
            cancelled_by: r.cancelled_by,
            cancel_reason: r.cancel_reason.as_ref().map(|reason| reason.as_str()),
        }
    }
}

/// A reservation as its provider lists it: with the client's name (null for reservations made
/// before names were copied onto them).
#[derive(Serialize)]
pub(super) struct AppointmentView<'a> {
    #[serde(flatten)]
    reservation: ReservationView<'a>,
    client_first_name: Option<&'a str>,
    client_last_name: Option<&'a str>,
}

impl<'a> From<&'a Appointment> for AppointmentView<'a> {
    fn from(a: &'a Appointment) -> Self {
        Self {
            reservation: (&a.reservation).into(),
            client_first_name: a.client_first_name.as_deref(),
            client_last_name: a.client_last_name.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::{PersonName, SlotId};

    fn at(s: &str) -> Timestamp {
        shared::time::parse(s).unwrap()
    }

    fn name(s: &str) -> PersonName {
        PersonName::try_from(s.to_owned()).unwrap()
    }

    #[test]
    fn stored_fields_are_not_shown() {
        let provider = Provider {
            provider_id: "p".into(),
            first_name: name("Ada"),
            last_name: name("Lovelace"),
            created_at: at("2026-11-22T10:00:00Z"),
            email: None,
            time_zone: Default::default(),
            availability_version: 7,
        };
        assert_eq!(
            serde_json::to_value(ProviderView::from(&provider)).unwrap(),
            json!({"provider_id": "p", "first_name": "Ada", "last_name": "Lovelace", "created_at": "2026-11-22T10:00:00Z",
                   "email": null, "time_zone": "UTC"})
        );
        let id = SlotId { provider_id: "p".into(), start: at("2026-11-24T10:15:00Z"), minutes: 15.try_into().unwrap() };
        let mut slot = Slot::named(&id, "Ada Lovelace");
        slot.reservation_id = Some("r".into());
        slot.reservation_status = Some(Status::Held);
        slot.hold_expires_ms = Some(1);
        assert_eq!(
            serde_json::to_value(SlotView::from(&slot)).unwrap(),
            json!({"slot_id": "p.20261124T1015Z.15", "provider_id": "p", "provider_name": "Ada Lovelace",
                   "start_time": "2026-11-24T10:15:00Z", "end_time": "2026-11-24T10:30:00Z"})
        );
    }

    #[test]
    fn a_reservation_shows_each_ending_once_it_happened_and_an_appointment_adds_the_client() {
        let id = SlotId { provider_id: "p".into(), start: at("2026-11-24T10:15:00Z"), minutes: 15.try_into().unwrap() };
        let held = Reservation::hold("r".into(), &id, "c", at("2026-11-22T10:00:00Z"), chrono::Duration::minutes(30));
        let shown = serde_json::to_value(ReservationView::from(&held)).unwrap();
        assert_eq!(shown["status"], "held");
        assert!(shown.get("confirmed_at").is_none(), "{shown}");
        let confirmed = held.clone().confirmed(at("2026-11-22T10:05:00Z"));
        assert_eq!(
            serde_json::to_value(ReservationView::from(&confirmed)).unwrap()["confirmed_at"],
            "2026-11-22T10:05:00Z"
        );
        // The view shows a reservation as the record itself serialises.
        assert_eq!(
            serde_json::to_value(ReservationView::from(&confirmed)).unwrap(),
            serde_json::to_value(&confirmed).unwrap()
        );
        let appointment =
            Appointment { reservation: held, client_first_name: Some("Cam".into()), client_last_name: None };
        let shown = serde_json::to_value(AppointmentView::from(&appointment)).unwrap();
        assert_eq!((shown["reservation_id"].as_str(), shown["client_first_name"].as_str()), (Some("r"), Some("Cam")));
        assert!(shown["client_last_name"].is_null(), "{shown}");
    }
}
