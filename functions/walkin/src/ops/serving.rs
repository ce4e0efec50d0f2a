//! Serving the queue: calling the next ticket, the queue in serving order, a ticket's position.

use shared::{dynamo::StoreError, retry::Backoff, time};

use super::{BUSY, MAX_ATTEMPTS};
use crate::{
    domain::{self, QueueMark, Ticket, Tier, serving_page},
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

/// One page of the queue in serving order (the order they would be served in if nobody else
/// arrived), with the number waiting in each tier.
pub struct QueuePage {
    pub tickets: Vec<Ticket>,
    pub vip_waiting: usize,
    pub regular_waiting: usize,
    /// Where the next page starts, when there is one.
    pub next: Option<QueueMark>,
}

/// The `limit` tickets that follow `from` (the start of the queue without it). Each tier is read
/// after the mark, `limit + 1` tickets at most: enough for the page and to know whether more
/// follow. The counts come from two count queries, unless the first page holds the whole queue.
pub async fn queue_page(store: &Store, from: Option<QueueMark>, limit: usize) -> Result<QueuePage, StoreError> {
    let fetch = Some(limit + 1);
    let (mark, vips, regulars) = match from {
        Some(mark) => {
            let (vips, regulars) = tokio::try_join!(
                store.waiting_after(Tier::Vip, mark.vip_after, fetch),
                store.waiting_after(Tier::Regular, mark.regular_after, fetch)
            )?;
            (mark, vips, regulars)
        }
        None => {
            let (read, vips, regulars) =
                tokio::try_join!(store.ratio(), store.waiting(Tier::Vip, fetch), store.waiting(Tier::Regular, fetch))?;
            (QueueMark::start(read.ratio), vips, regulars)
        }
    };
    let whole = from.is_none() && vips.len() <= limit && regulars.len() <= limit;
    let (vip_waiting, regular_waiting) = if whole {
        (vips.len(), regulars.len())
    } else {
        tokio::try_join!(store.count_waiting(Tier::Vip, None), store.count_waiting(Tier::Regular, None))?
    };
    let (tickets, next) = serving_page(mark, vips, regulars, limit, |ticket| ticket.service_id);
    Ok(QueuePage { tickets, vip_waiting, regular_waiting, next })
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
