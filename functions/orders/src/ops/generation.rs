//! Scheduled generation: the on/off switch, and each minute's orders created and queued once.

use shared::{
    dynamo::{Refusal, StoreError},
    queue::{Queue, QueueError},
    time::{self, Timestamp},
};

use crate::{
    domain::{GenerationState, Minute, Order, Pace, Quantity, Symbol, generated_order_id, minute_of},
    queue::minute_messages,
    store::{Part, Store},
};

/// Reading or setting the generation switch.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn generation_running(store: &Store) -> Result<bool, SwitchError> {
    Ok(running(store).await?)
}

async fn running(store: &Store) -> Result<bool, StoreError> {
    Ok(GenerationState::is_running(store.generation().await?.as_ref()))
}

pub async fn set_generation(store: &Store, running: bool) -> Result<(), SwitchError> {
    Ok(store.set_generation(&GenerationState { running, updated_at: time::now() }).await?)
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The claim's transaction was refused by something other than an earlier claim of the
    /// minute (an order of it already there, a concurrent transaction): retried by Lambda.
    #[error("the claim of the minute was refused: {0:?}")]
    ClaimRefused(Refusal<Part>),
    /// Some of the minute's messages were not sent; a later invocation finishes the minute.
    #[error("could not queue the minute's orders: {0}")]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one scheduled invocation did with its own minute.
#[derive(Debug, PartialEq, Eq)]
pub enum Generated {
    /// Generation is stopped and the minute was never claimed: no orders.
    Stopped,
    /// The minute's orders were created and queued.
    Created { minute: Timestamp, orders: u32 },
    /// An earlier invocation for this minute created and queued them: nothing to do.
    AlreadyDone { minute: Timestamp },
    /// Another invocation claimed the minute between this one's look and its own claim: that one
    /// is writing and queueing the orders (if it dies, a later invocation's look-back finishes them).
    InProgress { minute: Timestamp },
    /// An earlier invocation claimed the minute but did not finish it: its missing orders were
    /// written and all its messages sent (again; the processor ignores duplicates).
    Resumed { minute: Timestamp, orders: u32 },
}

/// One scheduled invocation's work: its own minute, and the earlier unfinished ones it finished.
#[derive(Debug, PartialEq, Eq)]
pub struct Generation {
    pub outcome: Generated,
    pub resumed: Vec<Timestamp>,
}

/// How many minutes before its own each invocation checks for one left unfinished: an
/// invocation that died (timeout, crash, an outage it reported) is finished by the next ones,
/// whether or not Lambda retries it (the local schedule never does). A minute left unfinished
/// for longer than this is abandoned, with its queued orders.
pub const LOOK_BACK_MINUTES: i64 = 10;

/// Generates the orders of the minute `scheduled` falls in, once, and queues them spread over
/// the generation window so that the processor sees an even cadence. Also finishes any minute of
/// the last [`LOOK_BACK_MINUTES`] that was claimed but not finished, even when generation is
/// stopped: its orders exist (some of them) and must all reach the processor.
///
/// Each minute is attempted even if another fails; the first error is returned, so that Lambda
/// reports (and retries) the invocation.
pub async fn generate(
    store: &Store,
    queue: &Queue,
    pace: Pace,
    scheduled: Timestamp,
) -> Result<Generation, GenerateError> {
    let minute = minute_of(scheduled);
    let window: Vec<Timestamp> = (0..=LOOK_BACK_MINUTES).map(|back| minute - chrono::Duration::minutes(back)).collect();
    let markers = store.minutes(&window).await?;

    let own = markers.iter().find(|m| m.minute == minute);
    let outcome = match own {
        Some(marker) if marker.queued => Ok(Generated::AlreadyDone { minute }),
        Some(marker) => finish_minute(store, queue, pace, marker)
            .await
            .map(|()| Generated::Resumed { minute, orders: marker.orders }),
        None => new_minute(store, queue, pace, minute).await,
    };
    let mut first_error = None;
    let mut resumed = Vec::new();
    for marker in markers.iter().filter(|m| !m.queued && m.minute != minute) {
        match finish_minute(store, queue, pace, marker).await {
            Ok(()) => resumed.push(marker.minute),
            Err(error) => {
                let minute = time::format(marker.minute);
                tracing::error!(%minute, %error, "could not finish an earlier minute; a later invocation retries");
                first_error.get_or_insert(error);
            }
        }
    }
    // The invocation's own minute failed first, so its error is the first one.
    let outcome = outcome?;
    if let Some(error) = first_error {
        return Err(error);
    }
    Ok(Generation { outcome, resumed })
}

/// Claims a minute nobody claimed yet (if generation is running), writes and queues its orders.
async fn new_minute(store: &Store, queue: &Queue, pace: Pace, minute: Timestamp) -> Result<Generated, GenerateError> {
    if !running(store).await? {
        return Ok(Generated::Stopped);
    }
    let marker = Minute { minute, orders: pace.orders_per_minute, queued: false };
    match store.claim_minute(&marker, &minute_orders(&marker)).await? {
        Ok(()) => {}
        Err(Refusal::Condition(Part::Minute)) => return Ok(Generated::InProgress { minute }),
        Err(refusal) => return Err(GenerateError::ClaimRefused(refusal)),
    }
    queue_minute(store, queue, pace, &marker).await?;
    Ok(Generated::Created { minute, orders: marker.orders })
}

/// Finishes a minute an earlier invocation claimed: writes whichever of its orders are missing
/// (fresh symbols and quantities for those; the existing ones stay as they are), then queues them
/// all. Another invocation may be finishing it at the same time: the writes are conditional and
/// the processor ignores duplicate messages.
async fn finish_minute(store: &Store, queue: &Queue, pace: Pace, marker: &Minute) -> Result<(), GenerateError> {
    tracing::warn!(minute = %time::format(marker.minute), orders = marker.orders, "finishing an unfinished minute");
    store.write_orders(&minute_orders(marker)).await?;
    queue_minute(store, queue, pace, marker).await
}

/// The orders of a minute, as freshly generated (their ids are fixed by the minute).
fn minute_orders(marker: &Minute) -> Vec<Order> {
    let now = time::now();
    let mut rng = rand::rng();
    (0..marker.orders)
        .map(|i| {
            Order::queued(
                generated_order_id(marker.minute, i),
                Symbol::random(&mut rng),
                Quantity::random(&mut rng),
                now,
                None,
            )
        })
        .collect()
}

/// Sends a message for every order of the minute (all of them exist by now), spread over the
/// generation window, then marks the minute finished.
async fn queue_minute(store: &Store, queue: &Queue, pace: Pace, marker: &Minute) -> Result<(), GenerateError> {
    queue.send_all(&minute_messages(marker, pace.window_seconds)).await.inspect_err(|error| {
        tracing::error!(%error, "could not queue the minute's orders; a later invocation finishes the minute");
    })?;
    Ok(store.mark_minute_queued(marker.minute).await?)
}
