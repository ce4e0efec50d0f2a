//! The walk-in operations. Each reads what it needs, decides with the pure rules of
//! [`crate::domain`], and commits with one transaction of [`crate::store`]; a transaction that
//! lost a race to a concurrent caller is retried from the read, a bounded number of times.

use shared::{
    http::ApiError,
    ids,
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    domain::{self, Email, PersonName, PhoneNumber, TicketStatus, Tier, serving_order},
    store::{Customer, Refusal, Store, Ticket},
};

/// Enough for dozens of simultaneous callers on one queue; past it the store is overloaded.
const MAX_ATTEMPTS: u32 = 100;

fn busy() -> ApiError {
    ApiError::unavailable("the queue is busy; try again")
}

pub struct NewCustomer {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub email: Option<Email>,
    pub vip: bool,
}

pub async fn register(store: &Store, new: NewCustomer) -> Result<Customer, ApiError> {
    let customer = Customer {
        customer_id: ids::new_id(),
        first_name: new.first_name,
        last_name: new.last_name,
        phone_number: new.phone_number,
        email: new.email,
        vip: new.vip,
        created_at: time::now(),
        waiting_service_id: None,
    };
    if store.register(&customer).await? {
        Ok(customer)
    } else {
        Err(ApiError::conflict(
            "customer_exists",
            format!("a customer with phone number {} is already registered", customer.phone_number),
        ))
    }
}

pub struct CheckIn {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
}

fn already_checked_in(service_id: u64) -> ApiError {
    ApiError::conflict("already_checked_in", format!("this customer is already waiting with ticket {service_id}"))
}

/// Finds the registered customer, or says why not.
async fn registered(store: &Store, who: &CheckIn) -> Result<Customer, ApiError> {
    match store.customer(&who.phone_number).await? {
        Some(c) if c.first_name.matches(&who.first_name) && c.last_name.matches(&who.last_name) => Ok(c),
        // Registering again would be refused for the phone number: say what does not match.
        Some(_) => Err(ApiError::not_found(
            "customer_not_found",
            format!("phone number {} is registered under another name; check the name", who.phone_number),
        )),
        None => Err(ApiError::not_found(
            "customer_not_found",
            "no registered customer has this name and phone number; register first",
        )),
    }
}

/// Takes the next ticket number and queues the customer in their tier. Returns the ticket and
/// its position in the serving order.
pub async fn check_in(store: &Store, who: CheckIn) -> Result<(Ticket, usize), ApiError> {
    let mut customer = registered(store, &who).await?;
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        if let Some(service_id) = customer.waiting_service_id {
            return Err(already_checked_in(service_id));
        }
        let last = store.last_service_id().await?;
        let ticket = Ticket {
            service_id: last + 1,
            customer_id: customer.customer_id.clone(),
            phone_number: customer.phone_number.clone(),
            first_name: customer.first_name.clone(),
            last_name: customer.last_name.clone(),
            tier: Tier::of(customer.vip),
            status: TicketStatus::Waiting,
            checked_in_at: time::now(),
            served_at: None,
            cancelled_at: None,
        };
        match store.check_in(&ticket, last).await? {
            Ok(()) => {
                let position = position(store, &ticket).await?.unwrap_or(0);
                return Ok((ticket, position));
            }
            // Another request checked this customer in meanwhile: report its ticket.
            Err(Refusal::AlreadyWaiting) => customer = registered(store, &who).await?,
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(busy()),
        }
    }
}

/// Claims the next ticket in serving order: two VIPs, then a regular, first come first served
/// within a tier.
pub async fn next(store: &Store) -> Result<Ticket, ApiError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let (read, vip, regular) =
            tokio::try_join!(store.ratio(), store.waiting(Tier::Vip, Some(1)), store.waiting(Tier::Regular, Some(1)))?;
        let Some(tier) = read.ratio.next_tier(!vip.is_empty(), !regular.is_empty()) else {
            return Err(ApiError::not_found("queue_empty", "nobody is waiting"));
        };
        let mut ticket = match tier {
            Tier::Vip => vip,
            Tier::Regular => regular,
        }
        .remove(0);
        let now = time::now();
        match store.serve(&ticket, read, read.ratio.after(tier), now).await? {
            Ok(()) => {
                ticket.status = TicketStatus::Served;
                ticket.served_at = Some(now);
                return Ok(ticket);
            }
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(busy()),
        }
    }
}

/// Parses a ticket number from the path.
pub fn service_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid_field("service_id", format!("must be a positive integer, got {raw:?}")))
}

pub async fn ticket(store: &Store, service_id: u64) -> Result<Ticket, ApiError> {
    store
        .ticket(service_id)
        .await?
        .ok_or_else(|| ApiError::not_found("appointment_not_found", format!("there is no ticket {service_id}")))
}

pub async fn cancel(store: &Store, service_id: u64) -> Result<Ticket, ApiError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let mut ticket = ticket(store, service_id).await?;
        match ticket.status {
            // Cancelling twice is not an error: the ticket is cancelled, as asked.
            TicketStatus::Cancelled => return Ok(ticket),
            TicketStatus::Served => {
                return Err(ApiError::conflict(
                    "already_served",
                    format!("ticket {service_id} has already been served"),
                ));
            }
            TicketStatus::Waiting => {}
        }
        let now = time::now();
        match store.cancel(&ticket, now).await? {
            Ok(()) => {
                ticket.status = TicketStatus::Cancelled;
                ticket.cancelled_at = Some(now);
                return Ok(ticket);
            }
            // Served or cancelled meanwhile: the next read tells which.
            Err(Refusal::NotWaiting) => {}
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(busy()),
        }
    }
}

/// Everyone waiting, in the order they would be served if nobody else arrived.
pub async fn waiting_in_order(store: &Store) -> Result<Vec<Ticket>, ApiError> {
    let (read, vips, regulars) =
        tokio::try_join!(store.ratio(), store.waiting(Tier::Vip, None), store.waiting(Tier::Regular, None))?;
    Ok(serving_order(read.ratio, vips, regulars))
}

/// 1-based position of a waiting ticket in the serving order (`None` once it is not waiting):
/// the ratio and two counts, whatever the length of the queue.
pub async fn position(store: &Store, ticket: &Ticket) -> Result<Option<usize>, ApiError> {
    let other = match ticket.tier {
        Tier::Vip => Tier::Regular,
        Tier::Regular => Tier::Vip,
    };
    let (read, rank, others) = tokio::try_join!(
        store.ratio(),
        store.count_waiting(ticket.tier, Some(ticket.service_id)),
        store.count_waiting(other, None)
    )?;
    Ok((rank > 0).then(|| domain::position(read.ratio, ticket.tier, rank, others)))
}

/// Seconds between check-in and being called.
pub fn waited_seconds(ticket: &Ticket, now: Timestamp) -> i64 {
    (now - ticket.checked_in_at).num_seconds().max(0)
}
