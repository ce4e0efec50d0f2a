//! The orders operations: read, decide with [`crate::domain`], commit with one conditional
//! write or transaction of [`crate::store`].

use shared::{
    http::ApiError,
    ids,
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{Quantity, Symbol, Totals, execution_price, generated_order_id, minute_of, spread},
    queue::OrdersQueue,
    store::{GenerationState, Minute, Order, OrderStatus, Processed},
};

fn queue(app: &App) -> Result<&OrdersQueue, ApiError> {
    app.queue.as_ref().ok_or_else(|| {
        tracing::error!("ORDERS_QUEUE_URL is not set for this function");
        ApiError::internal()
    })
}

/// Stores a client's order and queues it. If queueing fails, the order is removed again and the
/// client gets a 503, unless the order is no longer queued: an error can hide a send that went
/// through, and then the order was already processed, so it was accepted after all (202).
///
/// Not covered: if this function dies between the write and the send (or the database fails
/// during the removal), a queued order is left that no message will reach.
pub async fn create(app: &App, quantity: Quantity, symbol: Option<Symbol>) -> Result<Order, ApiError> {
    let queue = queue(app)?;
    let order = Order {
        order_id: ids::new_id(),
        symbol: symbol.unwrap_or_else(|| Symbol::random(&mut rand::rng())),
        quantity,
        status: OrderStatus::Queued,
        created_at: time::now(),
        execution_price: None,
        processed_at: None,
    };
    app.store.create_order(&order).await?;
    if let Err(error) = queue.send(&order.order_id).await {
        tracing::warn!(order_id = %order.order_id, %error, "could not queue the order; removing it");
        if app.store.delete_queued_order(&order.order_id).await? {
            return Err(ApiError::unavailable("the order queue is unavailable; the order was not accepted, try again"));
        }
        // The contract's 202 shows the order as accepted (queued); GET shows it processed.
        tracing::info!(order_id = %order.order_id, "the order was processed despite the queueing error; accepted");
    }
    Ok(order)
}

fn order_not_found(order_id: &str) -> ApiError {
    ApiError::not_found("order_not_found", format!("there is no order {}", ids::shown(order_id)))
}

pub async fn get(app: &App, order_id: &str) -> Result<Order, ApiError> {
    if !ids::is_plausible(order_id) {
        return Err(order_not_found(order_id));
    }
    app.store.order(order_id).await?.ok_or_else(|| order_not_found(order_id))
}

pub async fn metrics(app: &App) -> Result<Totals, ApiError> {
    Ok(app.store.totals().await?)
}

/// Generation runs until it is stopped: a fresh deployment generates.
pub async fn generation_running(app: &App) -> Result<bool, ApiError> {
    Ok(app.store.generation().await?.is_none_or(|state| state.running))
}

pub async fn set_generation(app: &App, running: bool) -> Result<(), ApiError> {
    Ok(app.store.set_generation(&GenerationState { running, updated_at: time::now() }).await?)
}

/// Prices and counts one queued order, once however often it is delivered. An order that does
/// not exist is an error: the message is retried and, if it never appears, dead-lettered.
pub async fn process(app: &App, order_id: &str) -> Result<Processed, String> {
    if !ids::is_plausible(order_id) {
        return Err("the message names an order id that cannot exist".into());
    }
    let mut backoff = Backoff::new(10);
    loop {
        let order = app
            .store
            .order(order_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("order {order_id} does not exist"))?;
        if order.status == OrderStatus::Processed {
            return Ok(Processed::Before);
        }
        let price = execution_price(order.quantity, app.prices.draw(&mut rand::rng()));
        match app.store.process(order_id, price, time::now()).await.map_err(|e| e.to_string())? {
            Processed::Conflict if backoff.wait().await => {}
            Processed::Conflict => return Err("the metrics aggregate stayed contended; will retry".into()),
            outcome => return Ok(outcome),
        }
    }
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
pub async fn generate(app: &App, scheduled: Timestamp) -> Result<Generation, ApiError> {
    let queue = queue(app)?;
    let minute = minute_of(scheduled);
    let window: Vec<Timestamp> = (0..=LOOK_BACK_MINUTES).map(|back| minute - chrono::Duration::minutes(back)).collect();
    let markers = app.store.minutes(&window).await?;

    let own = markers.iter().find(|m| m.minute == minute);
    let outcome = match own {
        Some(marker) if marker.queued => Ok(Generated::AlreadyDone { minute }),
        Some(marker) => {
            finish_minute(app, queue, marker).await.map(|()| Generated::Resumed { minute, orders: marker.orders })
        }
        None => new_minute(app, queue, minute).await,
    };
    let mut first_error = outcome.as_ref().err().cloned();
    let mut resumed = Vec::new();
    for marker in markers.iter().filter(|m| !m.queued && m.minute != minute) {
        match finish_minute(app, queue, marker).await {
            Ok(()) => resumed.push(marker.minute),
            Err(error) => {
                let minute = time::format(marker.minute);
                tracing::error!(%minute, error = %error.message, "could not finish an earlier minute; a later invocation retries");
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    Ok(Generation { outcome: outcome?, resumed })
}

/// Claims a minute nobody claimed yet (if generation is running), writes and queues its orders.
async fn new_minute(app: &App, queue: &OrdersQueue, minute: Timestamp) -> Result<Generated, ApiError> {
    if !generation_running(app).await? {
        return Ok(Generated::Stopped);
    }
    let marker = Minute { minute, orders: app.orders_per_minute, queued: false };
    if !app.store.claim_minute(&marker, &minute_orders(&marker)).await? {
        return Ok(Generated::InProgress { minute });
    }
    queue_minute(app, queue, &marker).await?;
    Ok(Generated::Created { minute, orders: marker.orders })
}

/// Finishes a minute an earlier invocation claimed: writes whichever of its orders are missing
/// (fresh symbols and quantities for those; the existing ones stay as they are), then queues them
/// all. Another invocation may be finishing it at the same time: the writes are conditional and
/// the processor ignores duplicate messages.
async fn finish_minute(app: &App, queue: &OrdersQueue, marker: &Minute) -> Result<(), ApiError> {
    tracing::warn!(minute = %time::format(marker.minute), orders = marker.orders, "finishing an unfinished minute");
    app.store.write_orders(&minute_orders(marker)).await?;
    queue_minute(app, queue, marker).await
}

/// The orders of a minute, as freshly generated (their ids are fixed by the minute).
fn minute_orders(marker: &Minute) -> Vec<Order> {
    let now = time::now();
    let mut rng = rand::rng();
    (0..marker.orders)
        .map(|i| Order {
            order_id: generated_order_id(marker.minute, i),
            symbol: Symbol::random(&mut rng),
            quantity: Quantity::random(&mut rng),
            status: OrderStatus::Queued,
            created_at: now,
            execution_price: None,
            processed_at: None,
        })
        .collect()
}

/// Sends a message for every order of the minute (all of them exist by now), spread over the
/// generation window, then marks the minute finished.
async fn queue_minute(app: &App, queue: &OrdersQueue, marker: &Minute) -> Result<(), ApiError> {
    let messages: Vec<(String, i32)> = spread(marker.orders, app.generation_window_seconds)
        .into_iter()
        .enumerate()
        .map(|(i, delay)| (generated_order_id(marker.minute, i as u32), delay))
        .collect();
    queue.send_all(&messages).await.map_err(|error| {
        tracing::error!(%error, "could not queue the minute's orders; a later invocation finishes the minute");
        ApiError::unavailable("the order queue is unavailable")
    })?;
    Ok(app.store.mark_minute_queued(marker.minute).await?)
}
