//! The desk's verdict on a called ticket: served, no-show, or called again.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time,
};

use super::{BUSY, MAX_ATTEMPTS, inconsistent};
use crate::{
    domain::{Ticket, TicketStatus},
    queue::{CallNotice, NoticeMessage, Notices},
    store::{Part, Store},
};

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("there is no ticket {0}")]
    NotFound(u64),
    #[error("ticket {0} is not called (it is {1}); only a called ticket can be served, marked no-show or recalled")]
    NotCalled(u64, &'static str),
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the desk says about a called ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Served,
    NoShow,
    /// Called again, to the same desk, and told again.
    Recall,
}

fn status_name(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Waiting => "waiting",
        TicketStatus::Called => "called",
        TicketStatus::Served => "served",
        TicketStatus::NoShow => "no_show",
        TicketStatus::Cancelled => "cancelled",
    }
}

/// Applies `verdict` to called ticket `service_id`; refused with `NotCalled` from any other
/// state. A write that finds the ticket changed since it was read reads it again.
pub async fn decide(store: &Store, notices: &Notices, service_id: u64, verdict: Verdict) -> Result<Ticket, DeskError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let mut ticket = store.ticket(service_id).await?.ok_or(DeskError::NotFound(service_id))?;
        if ticket.status != TicketStatus::Called {
            return Err(DeskError::NotCalled(service_id, status_name(ticket.status)));
        }
        let now = time::now();
        let written = match verdict {
            Verdict::Served => store.finish(service_id, TicketStatus::Served, now).await?,
            Verdict::NoShow => store.finish(service_id, TicketStatus::NoShow, now).await?,
            Verdict::Recall => {
                let desk = ticket.desk.clone().unwrap_or_default();
                ticket.call(desk, now);
                store.recall(&ticket, now).await?
            }
        };
        match written {
            Ok(()) => {
                match verdict {
                    Verdict::Served => ticket.serve(now),
                    Verdict::NoShow => ticket.no_show(now),
                    Verdict::Recall => {
                        let called = CallNotice { service_id, call: ticket.calls };
                        notices.send(NoticeMessage { called: Some(called), almost: false }).await;
                    }
                }
                return Ok(ticket);
            }
            // Changed meanwhile (another verdict, a recall, a cancel): the next read tells.
            Err(Refusal::Condition(Part::Ticket)) => {}
            Err(Refusal::Conflict) => {
                if !backoff.wait().await {
                    return Err(DeskError::Busy);
                }
            }
            Err(Refusal::Condition(part)) => return Err(inconsistent(part).into()),
        }
    }
}
