//! A client's reservations: holding a slot, looking a reservation up, confirming, cancelling.

use shared::{
    dynamo::{Refusal, StoreError},
    ids,
    quota::{Quota, QuotaError},
    retry::Backoff,
    time::{self, Timestamp},
};

use super::{BUSY, MAX_ATTEMPTS, availability::slot_id, expiry::expire_one, plausible};
use crate::{
    Store,
    domain::{CancelReason, CancelledBy, ExpiryStep, Reservation, Status, Timings, expiry_step, within_lead},
    queue::{ExpiryMessage, Queue},
    store::Part,
};

#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("there is no slot {}", ids::shown(.0))]
    SlotNotFound(String),
    #[error("make your client profile first: POST /booking/v1/clients")]
    ClientProfileRequired,
    #[error("you already hold {max} unconfirmed reservations; confirm or cancel one first")]
    TooManyHolds { max: u32 },
    #[error("slots must be reserved at least {} hours ahead", .min_lead.num_minutes() as f64 / 60.0)]
    TooLate { min_lead: chrono::Duration },
    #[error("the slot is already held or confirmed")]
    SlotTaken,
    #[error("{}", BUSY)]
    Busy,
    /// Past the client's quota of holds an hour.
    #[error(transparent)]
    Quota(#[from] QuotaError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What governs a new hold: where its expiry is scheduled, the timings, the hold limit and the
/// client's quota of holds.
#[derive(Clone, Copy)]
pub struct HoldRules<'a> {
    pub expiry: &'a Queue,
    pub timings: &'a Timings,
    pub max_holds: u32,
    pub quota: &'a Quota,
}

/// Holds a slot for a client (`client_id`: the caller, whose profile must exist): one
/// transaction, then the expiry message on `expiry`. The transaction also counts the hold on the
/// client's profile, refused when they hold `max_holds` already; holds of theirs that have run
/// out but are not yet recorded do not count: they are expired then, and the reservation tried
/// once more.
pub async fn reserve(
    store: &Store,
    rules: &HoldRules<'_>,
    client_id: &str,
    raw_slot_id: &str,
    now: Timestamp,
) -> Result<Reservation, ReserveError> {
    let HoldRules { expiry, timings, max_holds, quota } = *rules;
    let not_found = || ReserveError::SlotNotFound(raw_slot_id.to_owned());
    let slot = slot_id(raw_slot_id, None).ok_or_else(not_found)?;
    plausible(client_id, |_| ReserveError::ClientProfileRequired)?;
    // The profile: that there is one, and the name the provider's listing shows.
    let client = store.client(client_id).await?.ok_or(ReserveError::ClientProfileRequired)?;
    if !within_lead(slot.start, now, timings) {
        // Refused either way; a slot that does not exist is a 404 whatever its time, so this
        // path (and only this one) spends a read to tell the two apart.
        return Err(match store.slot(&slot).await? {
            Some(found) if found.slot_minutes == slot.minutes => ReserveError::TooLate { min_lead: timings.min_lead },
            _ => not_found(),
        });
    }
    spend_quota(store, quota, max_holds, client_id, now).await?;
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    let mut released_overdue = false;
    loop {
        let reservation = Reservation::hold(ids::new_id(), &slot, client_id, now, timings.hold);
        match store.reserve(&reservation, &slot, &client, max_holds, now, timings.retention).await? {
            Ok(()) => {
                schedule_expiry(expiry, &reservation, now).await;
                return Ok(reservation);
            }
            Err(Refusal::Condition(Part::Client)) => {
                if !released_overdue && expire_overdue_holds(store, client_id, now).await? > 0 {
                    released_overdue = true;
                    continue;
                }
                match store.held_by(client_id).await? {
                    None => return Err(ReserveError::ClientProfileRequired),
                    // One of their holds ended since the refusal: go round again.
                    Some(held) if held.len() < max_holds as usize && backoff.wait().await => {}
                    Some(_) => return Err(ReserveError::TooManyHolds { max: max_holds }),
                }
            }
            Err(Refusal::Condition(Part::Slot)) => {
                return match store.slot(&slot).await? {
                    Some(found) if found.slot_minutes == slot.minutes => Err(ReserveError::SlotTaken),
                    _ => Err(not_found()),
                };
            }
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(ReserveError::Busy),
        }
    }
}

/// Spends one of the client's holds an hour. The route's own limit is told first: a client past
/// the quota who also holds `max_holds` already hears `too_many_holds` (a read only then).
async fn spend_quota(
    store: &Store,
    quota: &Quota,
    max_holds: u32,
    client_id: &str,
    now: Timestamp,
) -> Result<(), ReserveError> {
    match quota.spend(client_id, now).await {
        Err(QuotaError::Exceeded(exceeded)) => {
            let held = store.held_by(client_id).await?.map_or(0, |held| held.len());
            if held >= max_holds as usize {
                return Err(ReserveError::TooManyHolds { max: max_holds });
            }
            Err(QuotaError::Exceeded(exceeded).into())
        }
        other => Ok(other?),
    }
}

/// Records the expiry of the client's holds that have run out (their messages are late, or the
/// sweep has not come yet), so that they stop counting; how many it expired.
async fn expire_overdue_holds(store: &Store, client_id: &str, now: Timestamp) -> Result<usize, ReserveError> {
    let mut expired = 0;
    for reservation_id in store.held_by(client_id).await?.unwrap_or_default() {
        match expire_one(store, &reservation_id, now).await {
            Ok(Some(_)) => expired += 1,
            Ok(None) => {}
            Err(super::ExpireError::Busy) => return Err(ReserveError::Busy),
            Err(super::ExpireError::Store(err)) => return Err(err.into()),
        }
    }
    Ok(expired)
}

/// Sends the hold's expiry message. A failure here loses nothing: the hold still ends on time
/// for every reader, and the sweep records it within minutes.
async fn schedule_expiry(queue: &Queue, reservation: &Reservation, now: Timestamp) {
    let ExpiryStep::Requeue(delay) = expiry_step(reservation.expires_at, now) else { return };
    let message =
        ExpiryMessage { reservation_id: reservation.reservation_id.clone(), expires_at: reservation.expires_at };
    if let Err(error) = queue.send(&message, delay).await {
        tracing::error!(reservation_id = %reservation.reservation_id, %error, "could not schedule expiry; the sweep will catch it");
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error("there is no reservation {}", ids::shown(.0))]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A use case that reads a reservation first answers the read's errors as its own `NotFound` and
/// `Store` cases.
macro_rules! from_get_error {
    ($error:ty) => {
        impl From<GetError> for $error {
            fn from(err: GetError) -> Self {
                match err {
                    GetError::NotFound(id) => Self::NotFound(id),
                    GetError::Store(err) => Self::Store(err),
                }
            }
        }
    };
}
pub(super) use from_get_error;

/// The reservation as clients see it now (an overdue hold reads as expired), whoever's it is.
async fn read(store: &Store, reservation_id: &str, now: Timestamp) -> Result<Reservation, GetError> {
    plausible(reservation_id, GetError::NotFound)?;
    let mut reservation =
        store.reservation(reservation_id).await?.ok_or_else(|| GetError::NotFound(reservation_id.to_owned()))?;
    reservation.status = reservation.status_at(now);
    Ok(reservation)
}

/// The reservation as [`read`] reads it, if `caller` (a `sub`) is its client or its provider;
/// anyone else is told it does not exist.
pub async fn get(store: &Store, reservation_id: &str, caller: &str, now: Timestamp) -> Result<Reservation, GetError> {
    let reservation = read(store, reservation_id, now).await?;
    if reservation.client_id != caller && reservation.provider_id != caller {
        return Err(GetError::NotFound(reservation_id.to_owned()));
    }
    Ok(reservation)
}

/// The reservation as [`read`] reads it, if it is `client_id`'s; not found if it is another's.
pub(super) async fn owned(
    store: &Store,
    reservation_id: &str,
    client_id: &str,
    now: Timestamp,
) -> Result<Reservation, GetError> {
    let reservation = read(store, reservation_id, now).await?;
    if reservation.client_id != client_id {
        return Err(GetError::NotFound(reservation_id.to_owned()));
    }
    Ok(reservation)
}

/// A confirm or cancel refused by a condition reads the reservation again to answer (see
/// [`Refusals`]). One read settles it (two when the hold ends within the same millisecond);
/// the bound only stops a read that keeps disagreeing with the conditions, which would be a bug.
const MAX_REREADS: u32 = 3;

/// What a refused confirm or cancel does next. A conflict with another transaction is retried
/// after a pause (a bounded number of times, then busy). A refusal by a condition would refuse
/// every retry the same way, so the reservation is read again and the answer given from it: the
/// reservation's condition failing means its status or hold changed, which the read shows; the
/// slot's failing means the slot is no longer held by this reservation although the reservation
/// still reads as held: another request, deciding by its own clock that the hold had run out,
/// took or removed the slot, so the hold is over (expired).
pub(super) struct Refusals {
    backoff: Backoff,
    rereads: u32,
    pub(super) slot_lost: bool,
}

impl Refusals {
    pub(super) fn new() -> Self {
        Self { backoff: Backoff::new(MAX_ATTEMPTS), rereads: 0, slot_lost: false }
    }

    /// True to go round again (read, decide, commit), false to give up (busy).
    pub(super) async fn next(&mut self, refusal: Refusal<Part>) -> bool {
        match refusal {
            Refusal::Conflict => self.backoff.wait().await,
            Refusal::Condition(_) if self.rereads < MAX_REREADS => {
                self.rereads += 1;
                self.slot_lost |= refusal == Refusal::Condition(Part::Slot);
                true
            }
            Refusal::Condition(_) => false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("there is no reservation {}", ids::shown(.0))]
    NotFound(String),
    #[error("the reservation is already confirmed")]
    AlreadyConfirmed,
    #[error("the reservation was cancelled")]
    Cancelled,
    #[error("the hold has expired; reserve the slot again")]
    Expired,
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

from_get_error!(ConfirmError);

/// Confirms `client_id`'s held reservation; another client's is not found.
pub async fn confirm(store: &Store, reservation_id: &str, client_id: &str) -> Result<Reservation, ConfirmError> {
    let mut refusals = Refusals::new();
    loop {
        let now = time::now();
        let reservation = owned(store, reservation_id, client_id, now).await?;
        match reservation.status {
            Status::Confirmed => return Err(ConfirmError::AlreadyConfirmed),
            Status::Cancelled => return Err(ConfirmError::Cancelled),
            Status::Expired => return Err(ConfirmError::Expired),
            Status::Held if refusals.slot_lost => return Err(ConfirmError::Expired),
            Status::Held => {}
        }
        match store.confirm(&reservation, now).await? {
            Ok(()) => return Ok(reservation.confirmed(now)),
            Err(refusal) if refusals.next(refusal).await => {}
            Err(_) => return Err(ConfirmError::Busy),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("there is no reservation {}", ids::shown(.0))]
    NotFound(String),
    #[error("the hold has expired; reserve the slot again")]
    Expired,
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

from_get_error!(CancelError);

/// Cancels a reservation at the request of `caller` (a `sub`): its client, or its provider (the
/// one who is both cancels as the client); anyone else is told it does not exist.
pub async fn cancel(
    store: &Store,
    reservation_id: &str,
    caller: &str,
    reason: Option<CancelReason>,
) -> Result<Reservation, CancelError> {
    let mut refusals = Refusals::new();
    loop {
        let now = time::now();
        let reservation = read(store, reservation_id, now).await?;
        let by = if reservation.client_id == caller {
            CancelledBy::Client
        } else if reservation.provider_id == caller {
            CancelledBy::Provider
        } else {
            return Err(CancelError::NotFound(reservation_id.to_owned()));
        };
        match reservation.status {
            // Cancelling twice is not an error: it is cancelled, as asked.
            Status::Cancelled => return Ok(reservation),
            Status::Expired => return Err(CancelError::Expired),
            Status::Held if refusals.slot_lost => return Err(CancelError::Expired),
            Status::Held | Status::Confirmed => {}
        }
        let written = if refusals.slot_lost {
            // Confirmed, yet the slot is not held by it: nothing to release (a confirmed slot
            // can be neither reserved nor removed, so only a change outside the service gets
            // here); cancel the reservation alone rather than refuse the client.
            tracing::warn!(reservation_id, slot_id = %reservation.slot_id, "confirmed reservation without its slot");
            store.cancel_reservation_only(&reservation, now, by, reason.as_ref()).await?
        } else {
            store.cancel(&reservation, now, by, reason.as_ref()).await?
        };
        match written {
            Ok(()) => return Ok(reservation.cancelled(now, by, reason)),
            Err(refusal) if refusals.next(refusal).await => {}
            Err(_) => return Err(CancelError::Busy),
        }
    }
}
