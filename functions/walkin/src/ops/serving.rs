//! Serving the queue: calling the next ticket to a desk, the queue in serving order (with the
//! calls on the board and the estimated waits), a ticket's position.

use std::collections::BTreeSet;

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time::{self, Timestamp},
};

use super::{BUSY, MAX_ATTEMPTS};
use crate::{
    domain::{self, Desk, QueueMark, Ticket, Tier, serving_page},
    queue::{CallNotice, NoticeMessage, Notices},
    store::{Part, QueueState, Store},
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

/// The queue state after `desk` calls ticket `service_id` of `tier` at `now`.
fn after_call(read: &QueueState, tier: Tier, desk: &Desk, service_id: u64, now: Timestamp) -> QueueState {
    let mut next = read.clone();
    next.ratio = read.ratio.after(tier);
    next.recent = read.recent.with_call(now);
    next.desks.insert(desk.clone(), service_id);
    next
}

/// Calls the next ticket in serving order (two VIPs, then a regular, first come first served
/// within a tier) to `desk`, and serves the ticket that desk called before, if it is still
/// called there. Concurrent calls are serialised by the queue state's version: a call that lost
/// the race reads again, so every caller gets a distinct ticket or `QueueEmpty`, never a
/// conflict (until the retries are spent: `Busy`). On an empty queue the desk's previous ticket
/// is served all the same. The called customer is notified, and whoever the call moves to the
/// front of the line, through the notices queue.
pub async fn next(store: &Store, notices: &Notices, desk: &Desk) -> Result<Ticket, NextError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    // The desk's earlier tickets found no longer called (a refusal told): closed for good,
    // since a ticket never goes back to called once served, no-show or cancelled.
    let mut closed = BTreeSet::new();
    loop {
        let (read, vip, regular) = tokio::try_join!(
            store.queue_state(),
            store.waiting(Tier::Vip, Some(1)),
            store.waiting(Tier::Regular, Some(1))
        )?;
        let previous = read.desks.get(desk).copied().filter(|id| !closed.contains(id));
        let now = time::now();
        let Some(tier) = read.ratio.next_tier(!vip.is_empty(), !regular.is_empty()) else {
            let Some(previous) = previous else { return Err(NextError::QueueEmpty) };
            let mut released = read.clone();
            released.desks.remove(desk);
            match store.release_desk(desk, previous, &read, &released, now).await? {
                Ok(()) => return Err(NextError::QueueEmpty),
                Err(Refusal::Condition(Part::Previous)) => {
                    closed.insert(previous);
                }
                Err(_) if backoff.wait().await => {}
                Err(_) => return Err(NextError::Busy),
            }
            continue;
        };
        let mut ticket = match tier {
            Tier::Vip => vip,
            Tier::Regular => regular,
        }
        .remove(0);
        // The reads ran side by side: a call of this desk that committed between them shows its
        // ticket both at the head of the queue and as the desk's previous one. Read again.
        if previous == Some(ticket.service_id) {
            if !backoff.wait().await {
                return Err(NextError::Busy);
            }
            continue;
        }
        ticket.call(desk.clone(), now);
        let next = after_call(&read, tier, desk, ticket.service_id, now);
        match store.call(&ticket, previous, &read, &next, now).await? {
            Ok(()) => {
                let called = CallNotice { service_id: ticket.service_id, call: ticket.calls };
                notices.send(NoticeMessage { called: Some(called), almost: true }).await;
                return Ok(ticket);
            }
            // Every other condition held: the desk's previous ticket was closed meanwhile.
            Err(Refusal::Condition(Part::Previous)) => {
                if let Some(previous) = previous {
                    closed.insert(previous);
                }
            }
            // Another call moved the queue, or a cancel closed this ticket: read again.
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(NextError::Busy),
        }
    }
}

/// One page of the queue in serving order (the order they would be served in if nobody else
/// arrived), with the number waiting in each tier, the calls on the board and the estimates.
pub struct QueuePage {
    /// Each waiting ticket with its estimated wait.
    pub tickets: Vec<(Ticket, Option<u64>)>,
    pub vip_waiting: usize,
    pub regular_waiting: usize,
    /// The last [`BOARD_CALLS`] calls still called, latest first.
    pub called: Vec<Ticket>,
    /// Where the next page starts, when there is one.
    pub next: Option<QueueMark>,
}

/// How many calls the board shows.
pub const BOARD_CALLS: usize = 10;

/// The `limit` tickets that follow `from` (the start of the queue without it). Each tier is read
/// after the mark, `limit + 1` tickets at most: enough for the page and to know whether more
/// follow. The counts come from two count queries, unless the first page holds the whole queue.
/// The queue state (for the ratio of a first page and the estimates) and the called tickets are
/// read alongside.
pub async fn queue_page(store: &Store, from: Option<QueueMark>, limit: usize) -> Result<QueuePage, StoreError> {
    let fetch = Some(limit + 1);
    let (state, mut called, vips, regulars) = match from {
        Some(mark) => tokio::try_join!(
            store.queue_state(),
            store.called(),
            store.waiting_after(Tier::Vip, mark.vip_after, fetch),
            store.waiting_after(Tier::Regular, mark.regular_after, fetch)
        )?,
        None => tokio::try_join!(
            store.queue_state(),
            store.called(),
            store.waiting(Tier::Vip, fetch),
            store.waiting(Tier::Regular, fetch)
        )?,
    };
    let mark = from.unwrap_or_else(|| QueueMark::start(state.ratio));
    let whole = from.is_none() && vips.len() <= limit && regulars.len() <= limit;
    let (vip_waiting, regular_waiting) = if whole {
        (vips.len(), regulars.len())
    } else {
        tokio::try_join!(store.count_waiting(Tier::Vip, None), store.count_waiting(Tier::Regular, None))?
    };
    let (tickets, next) = serving_page(mark, vips, regulars, limit, |ticket| ticket.service_id);
    let now = time::now();
    let tickets = tickets
        .into_iter()
        .enumerate()
        .map(|(i, ticket)| {
            let estimate = state.recent.estimate(mark.shown + i + 1, now);
            (ticket, estimate)
        })
        .collect();
    called.sort_by(|a, b| b.called_at.cmp(&a.called_at).then(b.service_id.cmp(&a.service_id)));
    called.truncate(BOARD_CALLS);
    Ok(QueuePage { tickets, vip_waiting, regular_waiting, called, next })
}

/// A waiting ticket's place: its 1-based position in the serving order and its estimated wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub position: usize,
    pub estimated_wait_seconds: Option<u64>,
}

/// Where a waiting ticket stands (`None` once it is not waiting): the queue state and two
/// counts, whatever the length of the queue.
pub async fn place(store: &Store, ticket: &Ticket) -> Result<Option<Place>, StoreError> {
    let (read, rank, others) = tokio::try_join!(
        store.queue_state(),
        store.count_waiting(ticket.tier, Some(ticket.service_id)),
        store.count_waiting(ticket.tier.other(), None)
    )?;
    Ok((rank > 0).then(|| {
        let position = domain::position(read.ratio, ticket.tier, rank, others);
        Place { position, estimated_wait_seconds: read.recent.estimate(position, time::now()) }
    }))
}
