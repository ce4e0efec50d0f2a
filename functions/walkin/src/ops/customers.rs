//! Registering customers.

use shared::{dynamo::StoreError, ids, time};

use crate::{
    domain::{Customer, NewCustomer, PhoneNumber},
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
