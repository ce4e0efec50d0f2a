//! Orders posted by clients: stored, queued, read back.

use shared::{
    auth::Caller,
    dynamo::{Page, StoreError, one_more},
    ids,
    queue::{Queue, QueueError},
    time,
};

use crate::{
    domain::{Order, Quantity, Symbol},
    queue::OrderMessage,
    store::{Store, owner_sort_key},
};

#[derive(Debug, thiserror::Error)]
pub enum CreateOrderError {
    /// The message could not be sent, and the order was removed again: nothing was accepted.
    #[error("could not queue the order: {0}")]
    NotQueued(QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores an order of `owner` (the caller's `sub`) and queues it; the owner is written with the
/// order, in the same conditional put, and never changes. If queueing fails, the order is removed again and the
/// order is refused, unless the order is no longer queued: an error can hide a send that went
/// through, and then the order was already processed, so it was accepted after all.
///
/// Not covered: if this function dies between the write and the send (or the database fails
/// during the removal), a queued order is left that no message will reach.
pub async fn create(
    store: &Store,
    queue: &Queue,
    owner: &str,
    quantity: Quantity,
    symbol: Option<Symbol>,
) -> Result<Order, CreateOrderError> {
    let symbol = symbol.unwrap_or_else(|| Symbol::random(&mut rand::rng()));
    let order = Order::queued(ids::new_id(), symbol, quantity, time::now(), Some(owner.to_owned()));
    store.create_order(&order).await?;
    if let Err(error) = queue.send(&OrderMessage::new(&order.order_id), 0).await {
        tracing::warn!(order_id = %order.order_id, %error, "could not queue the order; removing it");
        if store.delete_queued_order(&order.order_id).await?.is_ok() {
            return Err(CreateOrderError::NotQueued(error));
        }
        // Refused: it is processed. The order was accepted (queued); GET shows it processed.
        tracing::info!(order_id = %order.order_id, "the order was processed despite the queueing error; accepted");
    }
    Ok(order)
}

#[derive(Debug, thiserror::Error)]
pub enum GetOrderError {
    /// No such order, an id that cannot be one (not looked up), or an order the caller may not
    /// see (someone else's: told apart from a missing one by nothing). Shown shortened: ids come
    /// from the path and can be huge.
    #[error("there is no order {}", ids::shown(.0))]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The order `order_id` as `caller` may see it: theirs, or any for staff and admins.
pub async fn get(store: &Store, caller: &Caller, order_id: &str) -> Result<Order, GetOrderError> {
    if !ids::is_plausible(order_id) {
        return Err(GetOrderError::NotFound(order_id.to_owned()));
    }
    store
        .order(order_id)
        .await?
        .filter(|order| order.visible_to(caller))
        .ok_or_else(|| GetOrderError::NotFound(order_id.to_owned()))
}

/// `owner`'s posted orders, newest first: a page of `limit` after the sort key `after` (where the
/// previous page ended).
pub async fn list_mine(
    store: &Store,
    owner: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Order>, StoreError> {
    let orders = store.owner_orders(owner, after, one_more(limit)).await?;
    Ok(Page::of(orders, limit, owner_sort_key))
}
