//! Forgetting a customer: their registry entry and closed tickets, found by `customer_id`
//! through the index `CustomersById` (the customer item and each ticket, with its entries, carry
//! `customer_id`; only the keys are projected).

use aws_sdk_dynamodb::types::ReturnValue;
use shared::dynamo::{StoreError, key, s, store_err};

use super::{CUSTOMER_SK, Store, TICKET_SK};
use crate::domain::{Customer, TicketStatus};

pub const CUSTOMERS_BY_ID: &str = "CustomersById";

/// What the index holds for one customer id.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CustomerItems {
    /// The registry entry's partition key (`CUSTOMER#<phone>`), if they are registered.
    pub customer_pk: Option<String>,
    /// Their tickets' partition keys (`TICKET#<id>`), whatever their state.
    pub ticket_pks: Vec<String>,
}

impl Store {
    /// The registry entry and tickets of `customer_id` (the index is eventually consistent: a
    /// ticket written this instant may be missing, and keeps to its TTL).
    pub async fn customer_items(&self, customer_id: &str) -> Result<CustomerItems, StoreError> {
        let query = self
            .table
            .query_items()
            .index_name(CUSTOMERS_BY_ID)
            .key_condition_expression("customer_id = :id")
            .expression_attribute_values(":id", s(customer_id));
        let mut items = CustomerItems::default();
        for key in self.table.keys(query).await? {
            let text = |name: &str| key.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            match text("sk").as_str() {
                CUSTOMER_SK => items.customer_pk = Some(text("pk")),
                TICKET_SK => items.ticket_pks.push(text("pk")),
                _ => {} // a ticket's waiting or called entry goes with its ticket
            }
        }
        Ok(items)
    }

    /// The registry entry whose partition key the index gave.
    pub async fn customer_at(&self, customer_pk: &str) -> Result<Option<Customer>, StoreError> {
        self.table.get(key(customer_pk.to_owned(), CUSTOMER_SK)).await
    }

    /// Deletes the registry entry unless its customer is waiting (checked in meanwhile): `false`
    /// then. Gone already counts as deleted.
    pub async fn delete_customer(&self, customer_pk: &str) -> Result<bool, StoreError> {
        let sent = self
            .table
            .delete_item()
            .set_key(Some(key(customer_pk.to_owned(), CUSTOMER_SK)))
            .condition_expression("attribute_not_exists(waiting_service_id)")
            .return_values(ReturnValue::None)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(store_err(err)),
        }
    }

    /// Deletes a ticket that is closed (served, no-show, cancelled): a waiting or called one
    /// stays, in the queue, until it is closed and its TTL removes it.
    pub async fn delete_closed_ticket(&self, ticket_pk: &str) -> Result<(), StoreError> {
        let sent = self
            .table
            .delete_item()
            .set_key(Some(key(ticket_pk.to_owned(), TICKET_SK)))
            .condition_expression("#status IN (:served, :no_show, :cancelled)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":served", s(status(TicketStatus::Served)))
            .expression_attribute_values(":no_show", s(status(TicketStatus::NoShow)))
            .expression_attribute_values(":cancelled", s(status(TicketStatus::Cancelled)))
            .send()
            .await;
        match sent {
            Err(err) if !err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(store_err(err))
            }
            _ => Ok(()),
        }
    }
}

fn status(status: TicketStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
