//! Holds that run out: the expiry queue's messages, and the sweep that catches the holds whose
//! message was lost or late.

use futures::StreamExt;
use shared::{
    dynamo::{Refusal, StoreError},
    ids,
    retry::Backoff,
    time::Timestamp,
};

use super::{BUSY, MAX_ATTEMPTS};
use crate::{
    Store,
    domain::{ExpiryStep, Reservation, Status, expiry_step},
    queue::{ExpiryMessage, Queue, QueueError},
    store::Part,
};

#[derive(Debug, thiserror::Error)]
pub enum ExpireError {
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records the expiry of one hold whose time is up and releases its slot. `None` when there is
/// nothing to do: unknown, already confirmed, cancelled or expired, or not due yet. Safe to run
/// any number of times, concurrently with confirm and cancel.
pub async fn expire_one(
    store: &Store,
    reservation_id: &str,
    now: Timestamp,
) -> Result<Option<Reservation>, ExpireError> {
    if !ids::is_plausible(reservation_id) {
        return Ok(None);
    }
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let Some(reservation) = store.reservation(reservation_id).await? else { return Ok(None) };
        if reservation.status != Status::Held || reservation.expires_at > now {
            return Ok(None);
        }
        let written = match store.expire(&reservation, now).await? {
            // The slot was freed by the hold running out and then deleted or taken by another
            // client: record the expiry without it.
            Err(Refusal::Condition(Part::Slot)) => store.expire_reservation_only(&reservation, now).await?,
            written => written,
        };
        return match written {
            Ok(()) => Ok(Some(reservation.expired(now))),
            Err(Refusal::Conflict) if backoff.wait().await => continue,
            Err(Refusal::Conflict) => Err(ExpireError::Busy),
            // Confirmed or cancelled meanwhile, or expired by another delivery.
            Err(Refusal::Condition(_)) => Ok(None),
        };
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExpiryMessageError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Expire(#[from] ExpireError),
}

/// Handles one expiry message: re-enqueue it on `queue` if the hold ends more than a moment from
/// now, otherwise expire the hold. Returns what it did (the delay it re-enqueued with).
pub async fn handle_expiry_message(
    store: &Store,
    queue: &Queue,
    message: &ExpiryMessage,
    now: Timestamp,
) -> Result<ExpiryStep, ExpiryMessageError> {
    let step = expiry_step(message.expires_at, now);
    match step {
        ExpiryStep::Requeue(delay) => {
            queue.send(message, delay).await?;
        }
        ExpiryStep::Expire => {
            expire_one(store, &message.reservation_id, now).await?;
        }
    }
    Ok(step)
}

/// How long one sweep keeps expiring holds before it stops: well inside API Gateway's 30 s for
/// `POST /reservations/expire` and the function's 15 s; the schedule picks up the rest.
pub const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// How many overdue holds one read of the index returns.
const SWEEP_PAGE: i32 = 100;

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
/// be expired is logged and counted and the sweep carries on; the sweep fails (with the first
/// error) only when it expired nothing and something failed, so that the schedule's retry tries
/// again.
pub async fn sweep(store: &Store, now: Timestamp, budget: std::time::Duration) -> Result<Sweep, ExpireError> {
    let deadline = std::time::Instant::now() + budget;
    let mut sweep = Sweep::default();
    let mut first_error = None;
    // Each hold once per sweep, even if a page lists one again (the index changes under the
    // sweep as it expires holds).
    let mut seen = std::collections::HashSet::new();
    // Pages are read as the sweep gets to them: one stopped by its budget reads no further.
    let mut pages = std::pin::pin!(store.overdue_holds(now, SWEEP_PAGE));
    'pages: loop {
        let due = match pages.next().await {
            None => {
                sweep.finished = true;
                break;
            }
            Some(Ok(due)) => due,
            Some(Err(error)) => {
                tracing::error!(%error, "sweep: could not read the overdue holds");
                sweep.failed += 1;
                first_error.get_or_insert(ExpireError::Store(error));
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
            match expire_one(store, reservation_id, now).await {
                Ok(Some(reservation)) => sweep.expired.push(reservation),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(reservation_id, %error, "sweep: could not expire a hold");
                    sweep.failed += 1;
                    first_error.get_or_insert(error);
                }
            }
        }
    }
    match first_error {
        Some(error) if sweep.expired.is_empty() => Err(error),
        _ => Ok(sweep),
    }
}
