//! The reservation operations. Each reads what it needs, decides with [`crate::domain`], and
//! commits with one conditional write or transaction of [`crate::store`]. A transaction
//! cancelled by a concurrent one (not by its conditions) is retried a few times, then is a 503.

use chrono::Duration;
use serde::Serialize;
use shared::{
    http::ApiError,
    ids,
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{
        ExpiryStep, PersonName, RangeProblem, SlotId, SlotMinutes, Status, cut_range, expiry_step, listing_window,
        overlaps, within_lead,
    },
    expiry::ExpiryMessage,
    store::{Refused, Reservation, Slot, client_key, provider_key},
};

const MAX_ATTEMPTS: u32 = 6;
/// Creations of one provider's slots commit one at a time, so a provider posting several ranges
/// at once queues them: each loser reads again and retries, and needs more turns than a
/// reservation that merely met a conflict.
const AVAILABILITY_ATTEMPTS: u32 = 10;
/// The longest slot (a whole day): a slot overlapping a new range starts at most this early.
const LONGEST_SLOT: Duration = Duration::days(1);

fn busy() -> ApiError {
    ApiError::unavailable("too many concurrent changes to this reservation; try again")
}

#[derive(Serialize)]
pub struct Provider {
    pub provider_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
}

#[derive(Serialize)]
pub struct Client {
    pub client_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
}

pub async fn create_provider(app: &App, first_name: PersonName, last_name: PersonName) -> Result<Provider, ApiError> {
    let provider = Provider { provider_id: ids::new_id(), first_name, last_name, created_at: time::now() };
    app.store.put_profile(provider_key(&provider.provider_id), &provider).await?;
    Ok(provider)
}

pub async fn create_client(app: &App, first_name: PersonName, last_name: PersonName) -> Result<Client, ApiError> {
    let client = Client { client_id: ids::new_id(), first_name, last_name, created_at: time::now() };
    app.store.put_profile(client_key(&client.client_id), &client).await?;
    Ok(client)
}

fn provider_not_found(provider_id: &str) -> ApiError {
    ApiError::not_found("provider_not_found", format!("there is no provider {}", ids::shown(provider_id)))
}

/// An id from a client that cannot be one of ours is not found, without a request that DynamoDB
/// would refuse (keys over 2 KB) and we would answer with a 500.
fn plausible(id: &str, not_found: impl FnOnce(&str) -> ApiError) -> Result<(), ApiError> {
    if ids::is_plausible(id) { Ok(()) } else { Err(not_found(id)) }
}

fn client_not_found(client_id: &str) -> ApiError {
    ApiError::not_found("client_not_found", format!("there is no client {}", ids::shown(client_id)))
}

async fn provider_exists(app: &App, provider_id: &str) -> Result<(), ApiError> {
    match app.store.profile::<serde_json::Value>(provider_key(provider_id)).await? {
        Some(_) => Ok(()),
        None => Err(provider_not_found(provider_id)),
    }
}

impl From<RangeProblem> for ApiError {
    fn from(problem: RangeProblem) -> Self {
        match problem {
            RangeProblem::NotAligned { field, minutes } => ApiError::invalid_field(
                field,
                format!(
                    "must fall on a {minutes}-minute boundary (whole minutes since midnight UTC divisible by {minutes})"
                ),
            ),
            RangeProblem::EndNotAfterStart => ApiError::invalid_field("end_time", "must be after `start_time`"),
            RangeProblem::InThePast => ApiError::unprocessable("range_in_past", "`start_time` is in the past"),
            RangeProblem::TooLong => ApiError::unprocessable(
                "range_too_long",
                format!("the range spans more than {} days; post it in parts", crate::domain::MAX_RANGE_DAYS),
            ),
            RangeProblem::TooManySlots { slots, limit } => ApiError::unprocessable(
                "too_many_slots",
                format!(
                    "the range would be cut into {slots} slots; a request may create at most {limit}: \
                     use a longer `slot_minutes` or a shorter range"
                ),
            ),
        }
    }
}

/// Cuts the range into slots and creates those that do not overlap an existing slot.
///
/// Two requests for one provider could otherwise both read no slots and both create theirs,
/// overlapping (30-minute slots from 10:00 and 15-minute slots from 10:15 have different keys).
/// So the provider's availability version is read before its slots, and the creation commits
/// only if the version is still the one read; a request that loses the race reads again and
/// creates what is still missing (its own earlier chunks are then simply existing slots, and
/// still reported as created).
pub async fn add_availability(
    app: &App,
    provider_id: &str,
    start: Timestamp,
    end: Timestamp,
    minutes: Option<SlotMinutes>,
    now: Timestamp,
) -> Result<Vec<Slot>, ApiError> {
    plausible(provider_id, provider_not_found)?;
    let minutes = minutes.unwrap_or(app.timings.default_slot_minutes);
    let wanted = cut_range(provider_id, start, end, minutes, now)?;
    let mut created = Vec::new();
    let mut backoff = Backoff::new(AVAILABILITY_ATTEMPTS);
    loop {
        // The version first: a creation that commits after this read moves it and refuses
        // ours; one that committed before it is in the (strongly consistent) query below.
        let version =
            app.store.availability_version(provider_id).await?.ok_or_else(|| provider_not_found(provider_id))?;
        let existing = app.store.slots(provider_id, start - LONGEST_SLOT, end).await?;
        let missing: Vec<Slot> = wanted
            .iter()
            .filter(|id| !existing.iter().any(|slot| overlaps((id.start, id.end()), (slot.start_time, slot.end_time))))
            .map(Slot::new)
            .collect();
        let creation = app.store.create_slots(provider_id, &missing, version).await?;
        created.extend(creation.created);
        if creation.complete {
            return Ok(created);
        }
        if !backoff.wait().await {
            return Err(ApiError::unavailable(
                "too many concurrent changes to this provider's availability; try again \
                 (the slots created so far are kept)",
            ));
        }
    }
}

/// The provider's bookable slots starting in `[from, to)`, by start time: far enough ahead and
/// not held by a live reservation.
pub async fn list_availability(
    app: &App,
    provider_id: &str,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    now: Timestamp,
) -> Result<Vec<Slot>, ApiError> {
    plausible(provider_id, provider_not_found)?;
    if let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        return Err(ApiError::invalid_field("to", "must be after `from`"));
    }
    let Some((from, to)) = listing_window(from, to, now, &app.timings) else {
        provider_exists(app, provider_id).await?;
        return Ok(Vec::new());
    };
    let slots = app.store.slots(provider_id, from, to).await?;
    if slots.is_empty() {
        // Nothing listed: say whether the provider exists at all (only then is a read spent).
        provider_exists(app, provider_id).await?;
    }
    Ok(slots.into_iter().filter(|s| s.start_time >= from && s.start_time < to && s.is_free(now)).collect())
}

fn slot_not_found(slot_id: &str) -> ApiError {
    ApiError::not_found("slot_not_found", format!("there is no slot {}", ids::shown(slot_id)))
}

/// Parses a slot id of `provider_id` (if given); an id that cannot be one is simply not found.
fn slot_id(raw: &str, provider_id: Option<&str>) -> Result<SlotId, ApiError> {
    raw.parse::<SlotId>()
        .ok()
        .filter(|id| provider_id.is_none_or(|p| p == id.provider_id))
        .ok_or_else(|| slot_not_found(raw))
}

pub async fn delete_slot(app: &App, provider_id: &str, raw_slot_id: &str, now: Timestamp) -> Result<Slot, ApiError> {
    let id = slot_id(raw_slot_id, Some(provider_id))?;
    let slot = app.store.slot(&id).await?.ok_or_else(|| slot_not_found(raw_slot_id))?;
    if app.store.delete_slot(&id, now).await? {
        return Ok(slot);
    }
    match app.store.slot(&id).await? {
        None => Err(slot_not_found(raw_slot_id)),
        Some(_) => Err(ApiError::conflict("slot_reserved", "the slot is held or confirmed; it cannot be removed")),
    }
}

/// Holds a slot for a client: one transaction, then the expiry message.
pub async fn reserve(app: &App, client_id: &str, raw_slot_id: &str, now: Timestamp) -> Result<Reservation, ApiError> {
    let slot = slot_id(raw_slot_id, None)?;
    plausible(client_id, client_not_found)?;
    if !within_lead(slot.start, now, &app.timings) {
        // Refused either way; a slot that does not exist is a 404 whatever its time, so this
        // path (and only this one) spends a read to tell the two apart.
        return Err(match app.store.slot(&slot).await? {
            Some(found) if found.slot_minutes == slot.minutes => ApiError::unprocessable(
                "too_late",
                format!(
                    "slots must be reserved at least {} hours ahead",
                    app.timings.min_lead.num_minutes() as f64 / 60.0
                ),
            ),
            _ => slot_not_found(raw_slot_id),
        });
    }
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let reservation = Reservation {
            reservation_id: ids::new_id(),
            slot_id: slot.to_string(),
            provider_id: slot.provider_id.clone(),
            client_id: client_id.to_owned(),
            start_time: slot.start,
            end_time: slot.end(),
            status: Status::Held,
            created_at: now,
            expires_at: now + app.timings.hold,
            confirmed_at: None,
            cancelled_at: None,
            expired_at: None,
        };
        match app.store.reserve(&reservation, &slot, now).await? {
            Ok(()) => {
                schedule_expiry(app, &reservation, now).await;
                return Ok(reservation);
            }
            Err(Refused::Client) => {
                return Err(client_not_found(client_id));
            }
            Err(Refused::Slot) => {
                return match app.store.slot(&slot).await? {
                    Some(found) if found.slot_minutes == slot.minutes => {
                        Err(ApiError::conflict("slot_unavailable", "the slot is already held or confirmed"))
                    }
                    _ => Err(slot_not_found(raw_slot_id)),
                };
            }
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(busy()),
        }
    }
}

/// Sends the hold's expiry message. A failure here loses nothing: the hold still ends on time
/// for every reader, and the sweep records it within minutes.
async fn schedule_expiry(app: &App, reservation: &Reservation, now: Timestamp) {
    let Some(queue) = &app.expiry else {
        tracing::error!("BOOKING_EXPIRY_QUEUE_URL is not set; the sweep will expire this hold");
        return;
    };
    let ExpiryStep::Requeue(delay) = expiry_step(reservation.expires_at, now) else { return };
    let message =
        ExpiryMessage { reservation_id: reservation.reservation_id.clone(), expires_at: reservation.expires_at };
    if let Err(error) = queue.send(&message, delay).await {
        tracing::error!(reservation_id = %reservation.reservation_id, %error, "could not schedule expiry; the sweep will catch it");
    }
}

fn reservation_not_found(reservation_id: &str) -> ApiError {
    ApiError::not_found("reservation_not_found", format!("there is no reservation {}", ids::shown(reservation_id)))
}

/// The reservation as clients see it now (an overdue hold reads as expired).
pub async fn get(app: &App, reservation_id: &str, now: Timestamp) -> Result<Reservation, ApiError> {
    plausible(reservation_id, reservation_not_found)?;
    let mut reservation =
        app.store.reservation(reservation_id).await?.ok_or_else(|| reservation_not_found(reservation_id))?;
    reservation.status = reservation.status_at(now);
    Ok(reservation)
}

async fn owned(app: &App, reservation_id: &str, client_id: &str, now: Timestamp) -> Result<Reservation, ApiError> {
    let reservation = get(app, reservation_id, now).await?;
    if reservation.client_id != client_id {
        return Err(ApiError::new(
            lambda_http::http::StatusCode::FORBIDDEN,
            "client_mismatch",
            "this reservation belongs to another client",
        ));
    }
    Ok(reservation)
}

fn expired() -> ApiError {
    ApiError::new(
        lambda_http::http::StatusCode::GONE,
        "reservation_expired",
        "the hold has expired; reserve the slot again",
    )
}

/// A confirm or cancel refused by a condition reads the reservation again to answer (see
/// [`Refusals`]). One read settles it (two when the hold ends within the same millisecond);
/// the bound only stops a read that keeps disagreeing with the conditions, which would be a bug.
const MAX_REREADS: u32 = 3;

/// What a refused confirm or cancel does next. A conflict with another transaction is retried
/// after a pause (a bounded number of times, then 503). A refusal by a condition would refuse
/// every retry the same way, so the reservation is read again and the answer given from it: the
/// reservation's condition failing means its status or hold changed, which the read shows; the
/// slot's failing means the slot is no longer held by this reservation although the reservation
/// still reads as held: another request, deciding by its own clock that the hold had run out,
/// took or removed the slot, so the hold is over (410).
struct Refusals {
    backoff: Backoff,
    rereads: u32,
    slot_lost: bool,
}

impl Refusals {
    fn new() -> Self {
        Self { backoff: Backoff::new(MAX_ATTEMPTS), rereads: 0, slot_lost: false }
    }

    /// `Ok` to go round again (read, decide, commit), `Err` to give up.
    async fn next(&mut self, refused: Refused) -> Result<(), ApiError> {
        match refused {
            Refused::Conflict if self.backoff.wait().await => Ok(()),
            Refused::Conflict => Err(busy()),
            _ if self.rereads < MAX_REREADS => {
                self.rereads += 1;
                self.slot_lost |= refused == Refused::Slot;
                Ok(())
            }
            _ => Err(busy()),
        }
    }
}

pub async fn confirm(app: &App, reservation_id: &str, client_id: &str) -> Result<Reservation, ApiError> {
    let mut refusals = Refusals::new();
    loop {
        let now = time::now();
        let mut reservation = owned(app, reservation_id, client_id, now).await?;
        match reservation.status {
            Status::Confirmed => {
                return Err(ApiError::conflict("already_confirmed", "the reservation is already confirmed"));
            }
            Status::Cancelled => {
                return Err(ApiError::conflict("reservation_cancelled", "the reservation was cancelled"));
            }
            Status::Expired => return Err(expired()),
            Status::Held if refusals.slot_lost => return Err(expired()),
            Status::Held => {}
        }
        match app.store.confirm(&reservation, now).await? {
            Ok(()) => {
                reservation.status = Status::Confirmed;
                reservation.confirmed_at = Some(now);
                return Ok(reservation);
            }
            Err(refused) => refusals.next(refused).await?,
        }
    }
}

pub async fn cancel(app: &App, reservation_id: &str, client_id: &str) -> Result<Reservation, ApiError> {
    let mut refusals = Refusals::new();
    loop {
        let now = time::now();
        let mut reservation = owned(app, reservation_id, client_id, now).await?;
        match reservation.status {
            // Cancelling twice is not an error: it is cancelled, as asked.
            Status::Cancelled => return Ok(reservation),
            Status::Expired => return Err(expired()),
            Status::Held if refusals.slot_lost => return Err(expired()),
            Status::Held | Status::Confirmed => {}
        }
        let outcome = if refusals.slot_lost {
            // Confirmed, yet the slot is not held by it: nothing to release (a confirmed slot
            // can be neither reserved nor removed, so only a change outside the service gets
            // here); cancel the reservation alone rather than refuse the client.
            tracing::warn!(reservation_id, slot_id = %reservation.slot_id, "confirmed reservation without its slot");
            if app.store.cancel_reservation_only(&reservation, now).await? { Ok(()) } else { Err(Refused::Reservation) }
        } else {
            app.store.cancel(&reservation, now).await?
        };
        match outcome {
            Ok(()) => {
                reservation.status = Status::Cancelled;
                reservation.cancelled_at = Some(now);
                return Ok(reservation);
            }
            Err(refused) => refusals.next(refused).await?,
        }
    }
}

/// Records the expiry of one hold whose time is up and releases its slot. `None` when there is
/// nothing to do: unknown, already confirmed, cancelled or expired, or not due yet. Safe to run
/// any number of times, concurrently with confirm and cancel.
pub async fn expire_one(app: &App, reservation_id: &str, now: Timestamp) -> Result<Option<Reservation>, ApiError> {
    if !ids::is_plausible(reservation_id) {
        return Ok(None);
    }
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let Some(mut reservation) = app.store.reservation(reservation_id).await? else { return Ok(None) };
        if reservation.status != Status::Held || reservation.expires_at > now {
            return Ok(None);
        }
        let outcome = app.store.expire(&reservation, now).await?;
        let expired = match outcome {
            Ok(()) => true,
            // The slot was freed by the hold running out and then deleted or taken by another
            // client: record the expiry alone.
            Err(Refused::Slot) => app.store.expire_reservation_only(&reservation, now).await?,
            Err(Refused::Conflict) if backoff.wait().await => continue,
            Err(Refused::Conflict) => return Err(busy()),
            // Confirmed or cancelled meanwhile, or expired by another delivery.
            Err(_) => false,
        };
        if !expired {
            return Ok(None);
        }
        reservation.status = Status::Expired;
        reservation.expired_at = Some(now);
        return Ok(Some(reservation));
    }
}

/// Handles one expiry message: re-enqueue it if the hold ends more than a moment from now,
/// otherwise expire the hold. Returns what it did (the delay it re-enqueued with).
pub async fn handle_expiry_message(app: &App, message: &ExpiryMessage, now: Timestamp) -> Result<ExpiryStep, String> {
    let step = expiry_step(message.expires_at, now);
    match step {
        ExpiryStep::Requeue(delay) => {
            let queue = app.expiry.as_ref().ok_or("BOOKING_EXPIRY_QUEUE_URL is not set")?;
            queue.send(message, delay).await?;
        }
        ExpiryStep::Expire => {
            expire_one(app, &message.reservation_id, now).await.map_err(|e| e.message)?;
        }
    }
    Ok(step)
}

/// How long one sweep keeps expiring holds before it stops: well inside API Gateway's 30 s for
/// `POST /reservations/expire` and the function's 15 s; the schedule picks up the rest.
pub const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// What a sweep did.
#[derive(Debug, Default)]
pub struct Sweep {
    /// The holds it expired.
    pub expired: Vec<Reservation>,
    /// Holds it could not expire, or pages of the index it could not read (logged; the next
    /// sweep tries again).
    pub failed: usize,
    /// False when it stopped at its time budget with overdue holds left.
    pub finished: bool,
}

/// Expires the overdue holds the queue has not (yet) handled, found through the sparse
/// `HeldByExpiry` index, page by page, each hold once, for at most `budget`. A hold that cannot
/// be expired is logged and counted and the sweep carries on; the sweep fails only when it
/// expired nothing and something failed, so that the schedule's retry tries again.
pub async fn sweep(app: &App, now: Timestamp, budget: std::time::Duration) -> Result<Sweep, ApiError> {
    const PAGE: i32 = 100;
    let deadline = std::time::Instant::now() + budget;
    let mut sweep = Sweep::default();
    let mut first_error = None;
    let mut start = None;
    // Each hold once per sweep, even if a page lists one again (the index changes under the
    // sweep as it expires holds).
    let mut seen = std::collections::HashSet::new();
    'pages: loop {
        let (due, next) = match app.store.overdue_holds(now, PAGE, start).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "sweep: could not read the overdue holds");
                sweep.failed += 1;
                first_error.get_or_insert(ApiError::from(error));
                break;
            }
        };
        let mut fresh = due.into_iter().filter(|id| seen.insert(id.clone())).peekable();
        if fresh.peek().is_none() {
            sweep.finished = true;
            break;
        }
        for reservation_id in fresh {
            let reservation_id = reservation_id.as_str();
            if std::time::Instant::now() >= deadline {
                tracing::info!(expired = sweep.expired.len(), "sweep: out of time; the next sweep goes on");
                break 'pages;
            }
            match expire_one(app, reservation_id, now).await {
                Ok(Some(reservation)) => sweep.expired.push(reservation),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(reservation_id, error = %error.message, "sweep: could not expire a hold");
                    sweep.failed += 1;
                    first_error.get_or_insert(error);
                }
            }
        }
        match next {
            Some(key) => start = Some(key),
            None => {
                sweep.finished = true;
                break;
            }
        }
    }
    match first_error {
        Some(error) if sweep.expired.is_empty() => Err(error),
        _ => Ok(sweep),
    }
}
