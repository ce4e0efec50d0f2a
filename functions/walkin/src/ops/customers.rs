//! Registering customers, and forgetting them.

use shared::{dynamo::StoreError, ids, retry::Backoff, time};

use crate::{
    domain::{Customer, NewCustomer, PhoneNumber},
    queue::Notices,
    store::Store,
};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("a customer with phone number {0} is already registered")]
    CustomerExists(PhoneNumber),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers a customer under their phone number, which identifies them at check-in.
pub async fn register(store: &Store, new: NewCustomer) -> Result<Customer, RegisterError> {
    let customer = Customer::register(new, ids::new_id(), time::now());
    match store.register(&customer).await? {
        Ok(()) => Ok(customer),
        Err(_) => Err(RegisterError::CustomerExists(customer.phone_number)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ForgetError {
    #[error("there is no registered customer {0}")]
    NotFound(String),
    #[error("{}", super::BUSY)]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::CancelError> for ForgetError {
    fn from(err: super::CancelError) -> Self {
        match err {
            super::CancelError::Store(err) => ForgetError::Store(err),
            _ => ForgetError::Busy,
        }
    }
}

/// Deletes a customer from the registry (staff, on the customer's request): a waiting ticket is
/// cancelled first, as the desk would (the queue moves and is told), then the entry goes, and
/// with it their closed tickets, which carry their name. A ticket called to a desk right now
/// stays until the desk closes it, then expires with the retention period.
pub async fn forget(store: &Store, notices: &Notices, customer_id: &str) -> Result<(), ForgetError> {
    let items = store.customer_items(customer_id).await?;
    let customer_pk = items.customer_pk.ok_or_else(|| ForgetError::NotFound(customer_id.to_owned()))?;
    let mut backoff = Backoff::new(super::MAX_ATTEMPTS);
    // A check-in between the cancel and the delete makes the customer wait again: once more.
    while !store.delete_customer(&customer_pk).await? {
        let waiting = store.customer_at(&customer_pk).await?.and_then(|c| c.waiting_service_id);
        if let Some(service_id) = waiting {
            super::cancel(store, notices, service_id, super::Canceller::Staff).await?;
        }
        if !backoff.wait().await {
            return Err(ForgetError::Busy);
        }
    }
    for ticket_pk in &items.ticket_pks {
        store.delete_closed_ticket(ticket_pk).await?;
    }
    Ok(())
}
