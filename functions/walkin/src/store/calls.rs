//! The desk's transactions: calling the next ticket (which serves the desk's previous one),
//! served, no-show and recall.

use aws_sdk_dynamodb::types::TransactWriteItem;
use shared::{
    dynamo::{StoreError, Written, attr, n, s},
    time::Timestamp,
};

use super::{Part, QueueState, Store, ticket_key};
use crate::domain::{Desk, Ticket, TicketStatus};

impl Store {
    /// Calls `called` (the head of its tier, already moved to `called` in memory) to `desk`, in
    /// one transaction:
    /// - the queue state moves from `read` to `next` (ratio, desks, recent calls), refused
    ///   ([`Part::Ratio`]) unless it is still at the version read, so concurrent calls are
    ///   serialised and the ratio never skips a step;
    /// - the waiting entry is deleted and the ticket moves from waiting to called, both refused
    ///   if a cancel got there first; the board's called entry is written;
    /// - the customer may check in again;
    /// - `previous`, the desk's earlier ticket, moves from called at this desk to served and
    ///   leaves the board, refused ([`Part::Previous`]) if it is no longer called there (served,
    ///   no-show or cancelled meanwhile). It comes last, so that this refusal means that every
    ///   other condition held.
    pub async fn call(
        &self,
        called: &Ticket,
        previous: Option<u64>,
        read: &QueueState,
        next: &QueueState,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        let desk = called.desk.as_ref().ok_or_else(|| StoreError::Unexpected("a call without a desk".into()))?;
        let update = self
            .table
            .tx_update()
            .set_key(Some(ticket_key(called.service_id)))
            .update_expression("SET #status = :called, desk = :desk, called_at = :now, calls = :calls")
            .condition_expression("#status = :waiting")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":called", attr(&TicketStatus::Called)?)
            .expression_attribute_values(":waiting", attr(&TicketStatus::Waiting)?)
            .expression_attribute_values(":desk", s(desk.as_str()))
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .expression_attribute_values(":calls", n(called.calls))
            .build()?;
        let mut items = vec![
            (Part::Ratio, self.put_queue_state(read, next)?),
            (Part::Waiting, self.delete_waiting(called)?),
            (Part::Ticket, TransactWriteItem::builder().update(update).build()),
            (Part::Called, self.put_called(called)?),
            (Part::Customer, self.clear_customer(called)?),
        ];
        if let Some(previous) = previous {
            items.push((Part::Called, self.delete_called(previous)?));
            items.push((Part::Previous, self.serve_previous(previous, desk, now)?));
        }
        self.table.commit(items).await
    }

    /// A desk's call on an empty queue: its previous ticket is served all the same (the desk is
    /// done with them) and the desk forgets it; refused as [`Store::call`] is.
    pub async fn release_desk(
        &self,
        desk: &Desk,
        previous: u64,
        read: &QueueState,
        next: &QueueState,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.table
            .commit(vec![
                (Part::Ratio, self.put_queue_state(read, next)?),
                (Part::Called, self.delete_called(previous)?),
                (Part::Previous, self.serve_previous(previous, desk, now)?),
            ])
            .await
    }

    fn serve_previous(&self, service_id: u64, desk: &Desk, now: Timestamp) -> Result<TransactWriteItem, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(ticket_key(service_id)))
            .update_expression("SET #status = :served, served_at = :now")
            .condition_expression("#status = :called AND desk = :desk")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":served", attr(&TicketStatus::Served)?)
            .expression_attribute_values(":called", attr(&TicketStatus::Called)?)
            .expression_attribute_values(":desk", s(desk.as_str()))
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Marks a called ticket served or no-show (`to`), refused ([`Part::Ticket`]) unless it is
    /// still called; it leaves the board.
    pub async fn finish(&self, service_id: u64, to: TicketStatus, now: Timestamp) -> Result<Written<Part>, StoreError> {
        let at_field = if to == TicketStatus::NoShow { "no_show_at" } else { "served_at" };
        self.table
            .commit(vec![
                (Part::Ticket, self.move_ticket(service_id, TicketStatus::Called, to, at_field, now)?),
                (Part::Called, self.delete_called(service_id)?),
            ])
            .await
    }

    /// Calls `recalled` again (already updated in memory: `calls` one more, `called_at` now),
    /// refused ([`Part::Ticket`]) unless it is still called with the number of calls it was read
    /// with, so two recalls at once make two calls, one after the other.
    pub async fn recall(&self, recalled: &Ticket, now: Timestamp) -> Result<Written<Part>, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(ticket_key(recalled.service_id)))
            .update_expression("SET called_at = :now, calls = :calls")
            .condition_expression("#status = :called AND calls = :read")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":called", attr(&TicketStatus::Called)?)
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .expression_attribute_values(":calls", n(recalled.calls))
            .expression_attribute_values(":read", n(recalled.calls - 1))
            .build()?;
        self.table
            .commit(vec![
                (Part::Ticket, TransactWriteItem::builder().update(update).build()),
                (Part::Called, self.put_called(recalled)?),
            ])
            .await
    }
}
