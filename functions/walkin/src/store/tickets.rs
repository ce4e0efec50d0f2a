//! The transactions of a ticket's own life: check-in and cancel.

use aws_sdk_dynamodb::types::TransactWriteItem;
use shared::{
    dynamo::{StoreError, Written, item_at, key, n},
    time::Timestamp,
};

use super::{Part, Store, customer_key, ticket_key, waiting_key};
use crate::domain::{Ticket, TicketStatus};

impl Store {
    /// Creates ticket `ticket.service_id`, which must be `last + 1`, in one transaction:
    /// - the customer is marked waiting, refused ([`Part::Customer`]) if they already are;
    /// - the counter moves from `last` to the new number, refused ([`Part::Counter`]) if another
    ///   check-in took it: no repeats, no gaps, because the number is only consumed when
    ///   everything commits;
    /// - the ticket, refused if it exists (which the counter already rules out), and its waiting
    ///   entry.
    ///
    /// The customer comes first because a refusal names the first failing item: when a duplicate
    /// check-in both marked the customer and moved the counter, "already waiting" is the answer.
    pub async fn check_in(&self, ticket: &Ticket, last: u64) -> Result<Written<Part>, StoreError> {
        let id = ticket.service_id;
        let customer = self
            .table
            .tx_update()
            .set_key(Some(customer_key(&ticket.phone_number)))
            .update_expression("SET waiting_service_id = :id")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(waiting_service_id)")
            .expression_attribute_values(":id", n(id))
            .build()?;
        let counter = self
            .table
            .tx_update()
            .set_key(Some(key("QUEUE", "COUNTER")))
            .update_expression("SET last_service_id = :next")
            .condition_expression("attribute_not_exists(pk) OR last_service_id = :last")
            .expression_attribute_values(":next", n(id))
            .expression_attribute_values(":last", n(last))
            .build()?;
        let record = self.expiring(ticket, ticket.checked_in_at);
        let ticket_put = self
            .table
            .tx_put()
            .set_item(Some(item_at(ticket_key(id), &record)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let waiting_put =
            self.table.tx_put().set_item(Some(item_at(waiting_key(ticket.tier, id), &record)?)).build()?;
        self.table
            .commit(vec![
                (Part::Customer, TransactWriteItem::builder().update(customer).build()),
                (Part::Counter, TransactWriteItem::builder().update(counter).build()),
                (Part::Ticket, TransactWriteItem::builder().put(ticket_put).build()),
                (Part::Waiting, TransactWriteItem::builder().put(waiting_put).build()),
            ])
            .await
    }

    /// Cancels a waiting or called ticket (as `ticket.status` says it was read) in one
    /// transaction: the ticket moves to cancelled, refused ([`Part::Ticket`]) if its state
    /// changed meanwhile. A waiting ticket's entry goes and its customer may check in again
    /// (a called ticket's customer already may); a called ticket leaves the board.
    pub async fn cancel(&self, ticket: &Ticket, now: Timestamp) -> Result<Written<Part>, StoreError> {
        let id = ticket.service_id;
        let close = self.move_ticket(id, ticket.status, TicketStatus::Cancelled, "cancelled_at", now)?;
        let items = match ticket.status {
            TicketStatus::Called => vec![(Part::Ticket, close), (Part::Called, self.delete_called(id)?)],
            _ => vec![
                (Part::Ticket, close),
                (Part::Waiting, self.delete_waiting(ticket)?),
                (Part::Customer, self.clear_customer(ticket)?),
            ],
        };
        self.table.commit(items).await
    }
}
