//! DynamoDB access for the walk-in queue. One table, composite key `pk`/`sk`:
//!
//! | item                 | pk                  | sk                     | written by                  |
//! |----------------------|---------------------|------------------------|-----------------------------|
//! | customer             | `CUSTOMER#<phone>`  | `CUSTOMER`             | register; check-in, next, cancel set/clear `waiting_service_id` |
//! | ticket counter       | `QUEUE`             | `COUNTER`              | check-in                    |
//! | serving ratio        | `QUEUE`             | `RATIO`                | next                        |
//! | ticket               | `TICKET#<id>`       | `TICKET`               | check-in, next, cancel      |
//! | waiting entry        | `WAITING#<tier>`    | `<id, 20 digits>`      | check-in; next/cancel delete it |
//!
//! A ticket (and its waiting entry, a copy) carries `cancel_token_hash`, the SHA-256 digest of
//! the cancel token handed out at check-in, never the token; it is written once, by the check-in
//! transaction, and no later write changes it, so a cancel that checked it on its read needs no
//! condition on it. Tickets written before cancel tokens existed lack the attribute.
//!
//! A tier's waiting entries sort by ticket number, which is check-in order, so the head of a tier
//! is a `Query` with `Limit 1` and the queue view is two queries: no scans. Every state change is
//! one `TransactWriteItems` whose conditions make it safe under concurrency (see each method).

use aws_sdk_dynamodb::{Client, types::TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, StoreError, Table, Written, attr, item_at, key, n, s},
    time::Timestamp,
};

use crate::domain::{Customer, PhoneNumber, Ratio, Ticket, TicketStatus, Tier};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RatioItem {
    vips_since_regular: u32,
    /// Bumped by every `next`; the condition on it serialises concurrent callers.
    version: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CounterItem {
    last_service_id: u64,
}

/// The ratio together with the version it was read at.
#[derive(Debug, Clone, Copy)]
pub struct VersionedRatio {
    pub ratio: Ratio,
    pub version: u64,
}

/// The items of the walk-in transactions, named so that a refusal says whose condition failed
/// ([`shared::dynamo::Refusal::Condition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The ticket counter (check-in): another check-in took the number.
    Counter,
    /// The serving ratio (next): another `next` moved it since it was read.
    Ratio,
    /// The ticket: it exists already (check-in) or is no longer waiting (next, cancel).
    Ticket,
    /// The ticket's waiting entry: already gone (next).
    Waiting,
    /// The customer: unknown or already waiting (check-in).
    Customer,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

const CUSTOMER_SK: &str = "CUSTOMER";
const TICKET_SK: &str = "TICKET";

fn customer_key(phone: &PhoneNumber) -> Item {
    key(format!("CUSTOMER#{phone}"), CUSTOMER_SK)
}

fn ticket_key(service_id: u64) -> Item {
    key(format!("TICKET#{service_id}"), TICKET_SK)
}

fn waiting_pk(tier: Tier) -> String {
    format!("WAITING#{}", tier.as_str())
}

fn waiting_key(tier: Tier, service_id: u64) -> Item {
    key(waiting_pk(tier), format!("{service_id:020}"))
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    /// Registers a customer; refused when the phone number is already registered.
    pub async fn register(&self, customer: &Customer) -> Result<Written, StoreError> {
        self.table.insert(customer_key(&customer.phone_number), customer).await
    }

    pub async fn customer(&self, phone: &PhoneNumber) -> Result<Option<Customer>, StoreError> {
        self.table.get(customer_key(phone)).await
    }

    pub async fn ticket(&self, service_id: u64) -> Result<Option<Ticket>, StoreError> {
        self.table.get(ticket_key(service_id)).await
    }

    /// The last ticket number handed out (0 before the first).
    pub async fn last_service_id(&self) -> Result<u64, StoreError> {
        let counter: Option<CounterItem> = self.table.get(key("QUEUE", "COUNTER")).await?;
        Ok(counter.map_or(0, |c| c.last_service_id))
    }

    pub async fn ratio(&self) -> Result<VersionedRatio, StoreError> {
        let item: Option<RatioItem> = self.table.get(key("QUEUE", "RATIO")).await?;
        Ok(item.map_or(VersionedRatio { ratio: Ratio::default(), version: 0 }, |item| VersionedRatio {
            ratio: Ratio { vips_since_regular: item.vips_since_regular },
            version: item.version,
        }))
    }

    /// Waiting tickets of a tier in check-in order; `limit` for just the head.
    pub async fn waiting(&self, tier: Tier, limit: Option<usize>) -> Result<Vec<Ticket>, StoreError> {
        self.waiting_after(tier, 0, limit).await
    }

    /// Waiting tickets of a tier numbered after `after`, in check-in order: a page of the queue
    /// continues from the last ticket the previous page showed, whatever was served meanwhile.
    pub async fn waiting_after(&self, tier: Tier, after: u64, limit: Option<usize>) -> Result<Vec<Ticket>, StoreError> {
        let pk = s(waiting_pk(tier));
        self.table
            .query(
                |q| {
                    q.key_condition_expression("pk = :pk AND sk > :after")
                        .expression_attribute_values(":pk", pk)
                        .expression_attribute_values(":after", s(format!("{after:020}")))
                },
                limit,
            )
            .await
    }

    /// How many tickets of `tier` wait, all or (with `up_to`) those numbered up to `up_to`.
    /// A count-only query: nothing but the number comes back.
    pub async fn count_waiting(&self, tier: Tier, up_to: Option<u64>) -> Result<usize, StoreError> {
        let pk = s(waiting_pk(tier));
        self.table
            .count(|q| {
                let q = q.expression_attribute_values(":pk", pk);
                match up_to {
                    Some(id) => q
                        .key_condition_expression("pk = :pk AND sk <= :up_to")
                        .expression_attribute_values(":up_to", s(format!("{id:020}"))),
                    None => q.key_condition_expression("pk = :pk"),
                }
            })
            .await
    }

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
        let ticket_put = self
            .table
            .tx_put()
            .set_item(Some(item_at(ticket_key(id), ticket)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let waiting_put = self.table.tx_put().set_item(Some(item_at(waiting_key(ticket.tier, id), ticket)?)).build()?;
        self.table
            .commit(vec![
                (Part::Customer, TransactWriteItem::builder().update(customer).build()),
                (Part::Counter, TransactWriteItem::builder().update(counter).build()),
                (Part::Ticket, TransactWriteItem::builder().put(ticket_put).build()),
                (Part::Waiting, TransactWriteItem::builder().put(waiting_put).build()),
            ])
            .await
    }

    /// Serves `ticket` (the head of its tier) in one transaction:
    /// - the ratio moves to `next_ratio`, refused unless it is still at the version we read, so
    ///   concurrent callers are serialised and the ratio never skips a step;
    /// - the waiting entry is deleted and the ticket marked served, both refused if a cancel got
    ///   there first;
    /// - the customer may check in again.
    pub async fn serve(
        &self,
        ticket: &Ticket,
        read: VersionedRatio,
        next_ratio: Ratio,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        let ratio = self
            .table
            .tx_put()
            .set_item(Some(item_at(
                key("QUEUE", "RATIO"),
                &RatioItem { vips_since_regular: next_ratio.vips_since_regular, version: read.version + 1 },
            )?))
            .condition_expression("attribute_not_exists(pk) OR version = :read")
            .expression_attribute_values(":read", n(read.version))
            .build()?;
        self.table
            .commit(vec![
                (Part::Ratio, TransactWriteItem::builder().put(ratio).build()),
                (Part::Waiting, self.delete_waiting(ticket)?),
                (Part::Ticket, self.close_ticket(ticket.service_id, TicketStatus::Served, "served_at", now)?),
                (Part::Customer, self.clear_customer(ticket)?),
            ])
            .await
    }

    /// Cancels a waiting ticket in one transaction: the ticket moves from waiting to cancelled
    /// (refused, [`Part::Ticket`], if it was served or cancelled meanwhile), its waiting entry
    /// goes, and the customer may check in again.
    pub async fn cancel(&self, ticket: &Ticket, now: Timestamp) -> Result<Written<Part>, StoreError> {
        self.table
            .commit(vec![
                (Part::Ticket, self.close_ticket(ticket.service_id, TicketStatus::Cancelled, "cancelled_at", now)?),
                (Part::Waiting, self.delete_waiting(ticket)?),
                (Part::Customer, self.clear_customer(ticket)?),
            ])
            .await
    }

    fn delete_waiting(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let delete = self
            .table
            .tx_delete()
            .set_key(Some(waiting_key(ticket.tier, ticket.service_id)))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    fn close_ticket(
        &self,
        service_id: u64,
        status: TicketStatus,
        at_field: &str,
        now: Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(ticket_key(service_id)))
            .update_expression("SET #status = :status, #at = :now")
            .condition_expression("#status = :waiting")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", at_field)
            .expression_attribute_values(":status", attr(&status)?)
            .expression_attribute_values(":waiting", attr(&TicketStatus::Waiting)?)
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Unconditional: a customer waits on at most one ticket, and the ticket's own condition
    /// already proves this one was open.
    fn clear_customer(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(customer_key(&ticket.phone_number)))
            .update_expression("REMOVE waiting_service_id")
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
