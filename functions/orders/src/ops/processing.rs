//! The queue's consumer: each order priced and counted exactly once.

use shared::{
    dynamo::{Refusal, StoreError},
    ids,
    retry::Backoff,
    time,
};

use crate::{
    domain::{OrderStatus, PriceRange, execution_price},
    store::Store,
};

/// What processing an order did. Both are successes: a redelivered message is no failure.
#[derive(Debug, PartialEq, Eq)]
pub enum Processed {
    /// Priced and counted now.
    Now,
    /// Already processed by an earlier delivery: nothing changed.
    Before,
}

/// Why a message failed: it is retried and, if it keeps failing, dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("the message names an order id that cannot exist")]
    ImpossibleId,
    #[error("order {0} does not exist")]
    NotFound(String),
    /// Concurrent transactions kept touching the aggregate past the retries.
    #[error("the metrics aggregate stayed contended; will retry")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Compared by what they say: a store error carries only its message, and has no equality of
/// its own (tests compare whole outcomes).
impl PartialEq for ProcessError {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other) && self.to_string() == other.to_string()
    }
}

/// Prices and counts one queued order, once however often it is delivered. An order that does
/// not exist is an error: the message is retried and, if it never appears, dead-lettered. The
/// unit price is drawn from `prices`.
pub async fn process(store: &Store, prices: PriceRange, order_id: &str) -> Result<Processed, ProcessError> {
    if !ids::is_plausible(order_id) {
        return Err(ProcessError::ImpossibleId);
    }
    let mut backoff = Backoff::new(10);
    loop {
        let order = store.order(order_id).await?.ok_or_else(|| ProcessError::NotFound(order_id.to_owned()))?;
        if order.status == OrderStatus::Processed {
            return Ok(Processed::Before);
        }
        let price = execution_price(order.quantity, prices.draw(&mut rand::rng()));
        match store.process(order_id, price, time::now()).await? {
            Ok(()) => return Ok(Processed::Now),
            // Only the order's update has a condition: queued no more, an earlier delivery won.
            Err(Refusal::Condition(_)) => return Ok(Processed::Before),
            Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(Refusal::Conflict) => return Err(ProcessError::Contended),
        }
    }
}
