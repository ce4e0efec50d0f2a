//! A customer's ticket: checking in, looking it up, cancelling it.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time,
};

use super::{BUSY, MAX_ATTEMPTS, Place, inconsistent, place};
use crate::{
    domain::{CancelToken, Customer, PersonName, PhoneNumber, Ticket, TicketStatus},
    queue::{NoticeMessage, Notices},
    store::{Part, Store},
};

/// Who is checking in, as typed at the kiosk.
pub struct CheckIn {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    #[error("no registered customer has this name and phone number; register first")]
    NotRegistered,
    /// Registering again would be refused for the phone number: say what does not match.
    #[error("phone number {0} is registered under another name; check the name")]
    OtherName(PhoneNumber),
    #[error("this customer is already waiting with ticket {0}")]
    AlreadyWaiting(u64),
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Finds the registered customer, or says why not.
async fn registered(store: &Store, who: &CheckIn) -> Result<Customer, CheckInError> {
    match store.customer(&who.phone_number).await? {
        Some(c) if c.is_named(&who.first_name, &who.last_name) => Ok(c),
        Some(_) => Err(CheckInError::OtherName(who.phone_number.clone())),
        None => Err(CheckInError::NotRegistered),
    }
}

/// A new ticket, as the kiosk shows it.
#[derive(Debug)]
pub struct CheckedIn {
    pub ticket: Ticket,
    /// 1-based position in the serving order, and the estimated wait.
    pub place: Place,
    /// Lets the customer cancel their own ticket; the ticket keeps only its hash, so this is the
    /// one chance to see it.
    pub cancel_token: CancelToken,
}

/// Positions up to this one are told "almost your turn".
pub const ALMOST_POSITION: usize = 2;

/// Takes the next ticket number and queues the customer in their tier, with a fresh cancel
/// token. A ticket that starts first or second in line is told "almost your turn" at once.
pub async fn check_in(store: &Store, notices: &Notices, who: CheckIn) -> Result<CheckedIn, CheckInError> {
    let mut customer = registered(store, &who).await?;
    // 256 bits from the thread's CSPRNG (ChaCha, seeded by the OS): unguessable.
    let cancel_token = CancelToken::from_secret(rand::random());
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        if let Some(service_id) = customer.waiting_service_id {
            return Err(CheckInError::AlreadyWaiting(service_id));
        }
        let last = store.last_service_id().await?;
        let ticket = Ticket::issue(&customer, last + 1, time::now(), cancel_token.hash());
        match store.check_in(&ticket, last).await? {
            Ok(()) => {
                let place = place(store, &ticket).await?.unwrap_or(Place { position: 0, estimated_wait_seconds: None });
                if (1..=ALMOST_POSITION).contains(&place.position) {
                    notices.send(NoticeMessage { called: None, almost: true }).await;
                }
                return Ok(CheckedIn { ticket, place, cancel_token });
            }
            // Another request checked this customer in meanwhile: report its ticket.
            Err(Refusal::Condition(Part::Customer)) => customer = registered(store, &who).await?,
            // Another check-in took the number.
            Err(Refusal::Condition(Part::Counter) | Refusal::Conflict) => {
                if !backoff.wait().await {
                    return Err(CheckInError::Busy);
                }
            }
            Err(Refusal::Condition(part)) => return Err(inconsistent(part).into()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppointmentError {
    #[error("there is no ticket {0}")]
    NotFound(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A ticket, with its place in the serving order while it waits.
pub async fn appointment(store: &Store, service_id: u64) -> Result<(Ticket, Option<Place>), AppointmentError> {
    let ticket = store.ticket(service_id).await?.ok_or(AppointmentError::NotFound(service_id))?;
    let place = match ticket.status {
        TicketStatus::Waiting => place(store, &ticket).await?,
        _ => None,
    };
    Ok((ticket, place))
}

/// Who asks to cancel a ticket.
#[derive(Debug, Clone, Copy)]
pub enum Canceller<'a> {
    /// The desk (staff or an admin): any ticket.
    Staff,
    /// Anyone else: only with the ticket's cancel token (`X-Cancel-Token`), if they sent one.
    TokenHolder(Option<&'a str>),
}

impl Canceller<'_> {
    fn may_cancel(&self, ticket: &Ticket) -> bool {
        match self {
            Canceller::Staff => true,
            Canceller::TokenHolder(presented) => ticket.cancellable_with(*presented),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("there is no ticket {0}")]
    NotFound(u64),
    /// Not staff, and no token or not this ticket's (or the ticket predates cancel tokens).
    #[error("only staff, or whoever holds ticket {0}'s cancel token (header `X-Cancel-Token`), may cancel it")]
    NotAllowed(u64),
    #[error("ticket {0} has already been served")]
    AlreadyServed(u64),
    #[error("ticket {0} was marked as a no-show")]
    NoShow(u64),
    #[error("{}", BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Cancels a waiting or called ticket for `by`. Who may is decided before what state the ticket is in, so
/// that a caller without the right learns nothing but that the ticket exists (which the public
/// `GET /appointment/{service_id}` tells anyone). The token's digest never changes once the
/// ticket is written, so checking it on the read is as good as checking it in the write's
/// condition.
/// Cancelling a waiting ticket moves the queue: whoever is now near the front is told.
pub async fn cancel(
    store: &Store,
    notices: &Notices,
    service_id: u64,
    by: Canceller<'_>,
) -> Result<Ticket, CancelError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let mut ticket = store.ticket(service_id).await?.ok_or(CancelError::NotFound(service_id))?;
        if !by.may_cancel(&ticket) {
            return Err(CancelError::NotAllowed(service_id));
        }
        match ticket.status {
            // Cancelling twice is not an error: the ticket is cancelled, as asked.
            TicketStatus::Cancelled => return Ok(ticket),
            TicketStatus::Served => return Err(CancelError::AlreadyServed(service_id)),
            TicketStatus::NoShow => return Err(CancelError::NoShow(service_id)),
            TicketStatus::Waiting | TicketStatus::Called => {}
        }
        let now = time::now();
        match store.cancel(&ticket, now).await? {
            Ok(()) => {
                if ticket.status == TicketStatus::Waiting {
                    notices.send(NoticeMessage { called: None, almost: true }).await;
                }
                ticket.cancel(now);
                return Ok(ticket);
            }
            // Called, served or cancelled meanwhile: the next read tells which.
            Err(Refusal::Condition(Part::Ticket)) => {}
            Err(Refusal::Conflict) => {
                if !backoff.wait().await {
                    return Err(CancelError::Busy);
                }
            }
            Err(Refusal::Condition(part)) => return Err(inconsistent(part).into()),
        }
    }
}
