//! Moving a reservation to another slot of the same provider.

use shared::{dynamo::StoreError, ids, time};

use super::{
    BUSY,
    availability::slot_id,
    reservations::{GetError, Refusals, from_get_error, owned},
};
use crate::{
    Store,
    domain::{Reservation, Status, Timings, within_lead},
    store::Part,
};

#[derive(Debug, thiserror::Error)]
pub enum RescheduleError {
    #[error("there is no reservation {}", ids::shown(.0))]
    NotFound(String),
    #[error("there is no slot {}", ids::shown(.0))]
    SlotNotFound(String),
    #[error("must be a slot of the reservation's own provider")]
    OtherProvider,
    #[error("only a held or confirmed reservation can be moved; this one is {0}")]
    NotActive(Status),
    #[error("slots must be reserved at least {} hours ahead", .min_lead.num_minutes() as f64 / 60.0)]
    TooLate { min_lead: chrono::Duration },
    #[error("the slot is already held or confirmed")]
    SlotTaken,
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

from_get_error!(RescheduleError);

/// Moves `client_id`'s reservation to the slot `raw_slot_id` of the same provider, under the
/// rules of reserving (the lead time, one live reservation per slot): one transaction takes the
/// new slot and frees the old one; the status, the hold's end and the client's holds stay as they
/// were. Moving it to the slot it is on changes nothing (false: not moved). A refusal leaves it
/// where it was.
pub async fn reschedule(
    store: &Store,
    timings: &Timings,
    reservation_id: &str,
    client_id: &str,
    raw_slot_id: &str,
) -> Result<(Reservation, bool), RescheduleError> {
    let not_found = || RescheduleError::SlotNotFound(raw_slot_id.to_owned());
    let mut refusals = Refusals::new();
    loop {
        let now = time::now();
        let reservation = owned(store, reservation_id, client_id, now).await?;
        match reservation.status {
            Status::Held if refusals.slot_lost => return Err(RescheduleError::NotActive(Status::Expired)),
            Status::Held | Status::Confirmed => {}
            status => return Err(RescheduleError::NotActive(status)),
        }
        let to = slot_id(raw_slot_id, None).ok_or_else(not_found)?;
        if to.provider_id != reservation.provider_id {
            return Err(RescheduleError::OtherProvider);
        }
        if to.to_string() == reservation.slot_id {
            return Ok((reservation, false));
        }
        if !within_lead(to.start, now, timings) {
            return Err(match store.slot(&to).await? {
                Some(found) if found.slot_minutes == to.minutes => {
                    RescheduleError::TooLate { min_lead: timings.min_lead }
                }
                _ => not_found(),
            });
        }
        match store.reschedule(&reservation, &to, now).await? {
            Ok(()) => return Ok((reservation.moved(&to), true)),
            Err(shared::dynamo::Refusal::Condition(Part::Target)) => {
                return match store.slot(&to).await? {
                    Some(found) if found.slot_minutes == to.minutes => Err(RescheduleError::SlotTaken),
                    _ => Err(not_found()),
                };
            }
            Err(refusal) if refusals.next(refusal).await => {}
            Err(_) => return Err(RescheduleError::Busy),
        }
    }
}
