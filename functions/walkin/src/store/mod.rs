//! DynamoDB access for the walk-in queue. One table, composite key `pk`/`sk`:
//!
//! | item                 | pk                  | sk                     | written by                  |
//! |----------------------|---------------------|------------------------|-----------------------------|
//! | customer             | `CUSTOMER#<phone>`  | `CUSTOMER`             | register; check-in and the call set/clear `waiting_service_id` |
//! | ticket counter       | `QUEUE`             | `COUNTER`              | check-in                    |
//! | queue state          | `QUEUE`             | `RATIO`                | calls (`next`)              |
//! | ticket               | `TICKET#<id>`       | `TICKET`               | check-in, calls, served/no-show/recall, cancel; notice claims |
//! | waiting entry        | `WAITING#<tier>`    | `<id, 20 digits>`      | check-in; the call/cancel delete it |
//! | called entry         | `CALLED`            | `<id, 20 digits>`      | the call; recall rewrites it; served/no-show/cancel/the desk's next call delete it |
//!
//! The queue state is one small item: the serving ratio, its `version` (bumped by every call,
//! which serialises them), each desk's last called ticket (`desks`) and the times of the last
//! calls (`recent_calls`, for the estimated wait). A call reads it anyway, so the desk's previous
//! ticket and the estimate cost no extra request.
//!
//! Customers, tickets and their entries carry `ttl` (epoch seconds), counted from when they were
//! stored: the retention period (`WALKIN_RETENTION_DAYS`, 365 days by default) after the
//! registration, the check-in or the call that wrote them; DynamoDB's TTL removes them after.
//!
//! A ticket (and its waiting entry, a copy) carries `cancel_token_hash`, the SHA-256 digest of
//! the cancel token handed out at check-in, never the token; it is written once, by the check-in
//! transaction, and no later write changes it, so a cancel that checked it on its read needs no
//! condition on it. Tickets written before cancel tokens existed lack the attribute.
//!
//! A tier's waiting entries sort by ticket number, which is check-in order, so the head of a tier
//! is a `Query` with `Limit 1` and the queue view is two queries: no scans. The called entries
//! are a handful (one per desk at most, a ticket leaving `called` takes its entry with it): the
//! board reads them with one query. Every state change is one `TransactWriteItems` whose
//! conditions make it safe under concurrency (see each method).

mod calls;
mod customers;
mod notices;
mod tickets;

use std::collections::BTreeMap;

use aws_sdk_dynamodb::{Client, types::TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, StoreError, Table, Written, attr, key, n, s},
    time::Timestamp,
};

use crate::domain::{Customer, Desk, PhoneNumber, Ratio, RecentCalls, Ticket, TicketStatus, Tier};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct QueueItem {
    vips_since_regular: u32,
    /// Bumped by every call; the condition on it serialises concurrent callers.
    version: u64,
    #[serde(default)]
    recent_calls: RecentCalls,
    #[serde(default)]
    desks: BTreeMap<Desk, u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CounterItem {
    last_service_id: u64,
}

/// The queue state together with the version it was read at.
#[derive(Debug, Clone, Default)]
pub struct QueueState {
    pub ratio: Ratio,
    pub version: u64,
    /// The last calls' times: the estimated wait.
    pub recent: RecentCalls,
    /// Each desk's last called ticket (which may have been served or cancelled since).
    pub desks: BTreeMap<Desk, u64>,
}

/// The items of the walk-in transactions, named so that a refusal says whose condition failed
/// ([`shared::dynamo::Refusal::Condition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The ticket counter (check-in): another check-in took the number.
    Counter,
    /// The queue state (calls): another call moved it since it was read.
    Ratio,
    /// The ticket: it exists already (check-in), or is not in the state the write expected.
    Ticket,
    /// The ticket's waiting entry: already gone (the call).
    Waiting,
    /// The ticket's called entry (never refused).
    Called,
    /// The customer: unknown or already waiting (check-in).
    Customer,
    /// The desk's previous ticket, served by the desk's call: no longer called.
    Previous,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
    /// How long what the store writes is kept.
    retention: chrono::Duration,
}

/// How long customers and tickets are kept unless configured.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;

/// A record with the `ttl` it is stored with.
#[derive(Serialize)]
struct Expiring<'a, T> {
    #[serde(flatten)]
    record: &'a T,
    ttl: i64,
}

pub(crate) const CUSTOMER_SK: &str = "CUSTOMER";
pub(crate) const TICKET_SK: &str = "TICKET";
const CALLED_PK: &str = "CALLED";

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

fn called_key(service_id: u64) -> Item {
    key(CALLED_PK, format!("{service_id:020}"))
}

fn queue_key() -> Item {
    key("QUEUE", "RATIO")
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), retention: chrono::Duration::days(DEFAULT_RETENTION_DAYS) }
    }

    /// The same store, keeping what it writes `days` days.
    pub fn with_retention_days(mut self, days: i64) -> Self {
        self.retention = chrono::Duration::days(days);
        self
    }

    /// `record` with its expiry: the retention period after `stored_at`.
    fn expiring<'a, T>(&self, record: &'a T, stored_at: Timestamp) -> Expiring<'a, T> {
        Expiring { record, ttl: (stored_at + self.retention).timestamp() }
    }

    /// Registers a customer; refused when the phone number is already registered.
    pub async fn register(&self, customer: &Customer) -> Result<Written, StoreError> {
        let record = self.expiring(customer, customer.created_at);
        self.table.insert(customer_key(&customer.phone_number), &record).await
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

    /// The queue state (the ratio, the desks' last calls, the recent call times).
    pub async fn queue_state(&self) -> Result<QueueState, StoreError> {
        let item: Option<QueueItem> = self.table.get(queue_key()).await?;
        Ok(item.map_or_else(QueueState::default, |item| QueueState {
            ratio: Ratio { vips_since_regular: item.vips_since_regular },
            version: item.version,
            recent: item.recent_calls,
            desks: item.desks,
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

    /// The tickets called and not yet served, no-show or cancelled (one per desk at most).
    pub async fn called(&self) -> Result<Vec<Ticket>, StoreError> {
        self.table
            .query(|q| q.key_condition_expression("pk = :pk").expression_attribute_values(":pk", s(CALLED_PK)), None)
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

    /// The queue state as `next` leaves it, written if the state is still at `read.version`.
    fn put_queue_state(&self, read: &QueueState, next: &QueueState) -> Result<TransactWriteItem, StoreError> {
        let item = QueueItem {
            vips_since_regular: next.ratio.vips_since_regular,
            version: read.version + 1,
            recent_calls: next.recent.clone(),
            desks: next.desks.clone(),
        };
        let put = self
            .table
            .tx_put()
            .set_item(Some(shared::dynamo::item_at(queue_key(), &item)?))
            .condition_expression("attribute_not_exists(pk) OR version = :read")
            .expression_attribute_values(":read", n(read.version))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
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

    /// The board's copy of a called ticket, as it stands after the call.
    fn put_called(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let stored_at = ticket.called_at.unwrap_or_else(shared::time::now);
        let record = self.expiring(ticket, stored_at);
        let put = self.table.tx_put().set_item(Some(shared::dynamo::item_at(called_key(ticket.service_id), &record)?));
        Ok(TransactWriteItem::builder().put(put.build()?).build())
    }

    /// Unconditional: the ticket's own condition, in the same transaction, says whether it
    /// was called.
    fn delete_called(&self, service_id: u64) -> Result<TransactWriteItem, StoreError> {
        let delete = self.table.tx_delete().set_key(Some(called_key(service_id))).build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Moves ticket `service_id` from `from` to `to`, recording when in `at_field`; refused
    /// ([`Part::Ticket`]) unless it is still `from`.
    fn move_ticket(
        &self,
        service_id: u64,
        from: TicketStatus,
        to: TicketStatus,
        at_field: &str,
        now: Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(ticket_key(service_id)))
            .update_expression("SET #status = :to, #at = :now")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", at_field)
            .expression_attribute_values(":to", attr(&to)?)
            .expression_attribute_values(":from", attr(&from)?)
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Unconditional: a customer waits on at most one ticket, and the ticket's own condition
    /// already proves this one was waiting.
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
