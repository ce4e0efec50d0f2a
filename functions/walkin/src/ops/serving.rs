//! Serving the queue: calling the next ticket, the queue in serving order, a ticket's position.

use shared::{dynamo::StoreError, retry::Backoff, time};

use super::{BUSY, MAX_ATTEMPTS};
use crate::{
    domain::{self, Ticket, Tier, serving_order},
    store::Store,
};

#[derive(Debug, thiserror::Error)]
pub enum NextError {
    #[error("nobody is waiting")]
    QueueEmpty,
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Claims the next ticket in serving order: two VIPs, then a regular, first come first served
/// within a tier.
pub async fn next(store: &Store) -> Result<Ticket, NextError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let (read, vip, regular) =
            tokio::try_join!(store.ratio(), store.waiting(Tier::Vip, Some(1)), store.waiting(Tier::Regular, Some(1)))?;
        let Some(tier) = read.ratio.next_tier(!vip.is_empty(), !regular.is_empty()) else {
            return Err(NextError::QueueEmpty);
        };
        let mut ticket = match tier {
            Tier::Vip => vip,
            Tier::Regular => regular,
        }
        .remove(0);
        let now = time::now();
        match store.serve(&ticket, read, read.ratio.after(tier), now).await? {
            Ok(()) => {
                ticket.serve(now);
                return Ok(ticket);
            }
            // Another `next` moved the ratio, or a cancel closed this ticket: read again.
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(NextError::Busy),
        }
    }
}

/// Everyone waiting, in the order they would be served if nobody else arrived.
pub async fn waiting_in_order(store: &Store) -> Result<Vec<Ticket>, StoreError> {
    let (read, vips, regulars) =
        tokio::try_join!(store.ratio(), store.waiting(Tier::Vip, None), store.waiting(Tier::Regular, None))?;
    Ok(serving_order(read.ratio, vips, regulars))
}

/// 1-based position of a waiting ticket in the serving order (`None` once it is not waiting):
/// the ratio and two counts, whatever the length of the queue.
pub async fn position(store: &Store, ticket: &Ticket) -> Result<Option<usize>, StoreError> {
    let (read, rank, others) = tokio::try_join!(
        store.ratio(),
        store.count_waiting(ticket.tier, Some(ticket.service_id)),
        store.count_waiting(ticket.tier.other(), None)
    )?;
    Ok((rank > 0).then(|| domain::position(read.ratio, ticket.tier, rank, others)))
}
