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
//! A tier's waiting entries sort by ticket number, which is check-in order, so the head of a tier
//! is a `Query` with `Limit 1` and the queue view is two queries: no scans. Every state change is
//! one `TransactWriteItems` whose conditions make it safe under concurrency (see each method).

use aws_sdk_dynamodb::{
    Client,
    types::{Delete, Put, TransactWriteItem, Update},
};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, StoreError, Table, TxFailure, item_at, key, n, s},
    time::Timestamp,
};

use crate::domain::{Email, PersonName, PhoneNumber, Ratio, TicketStatus, Tier};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    pub vip: bool,
    pub created_at: Timestamp,
    /// The ticket this customer is waiting on; set and cleared in the same transactions that
    /// create and close the ticket, which is what refuses a second check-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_service_id: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ticket {
    pub service_id: u64,
    pub customer_id: String,
    pub phone_number: PhoneNumber,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub tier: Tier,
    pub status: TicketStatus,
    pub checked_in_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
}

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

/// Why a transaction did not commit, as far as the caller needs to know.
#[derive(Debug)]
pub enum Refusal {
    /// Another caller changed what we read (counter, ratio, a ticket): read again and retry.
    LostRace,
    /// The customer is already waiting (check-in).
    AlreadyWaiting,
    /// The ticket is no longer waiting (cancel).
    NotWaiting,
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

    /// Registers a customer; `Ok(false)` when the phone number is already registered.
    pub async fn register(&self, customer: &Customer) -> Result<bool, StoreError> {
        self.table.put_new(customer_key(&customer.phone_number), customer).await
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
        let pk = s(waiting_pk(tier));
        self.table
            .query(|q| q.key_condition_expression("pk = :pk").expression_attribute_values(":pk", pk.clone()), limit)
            .await
    }

    /// How many tickets of `tier` wait, all or (with `up_to`) those numbered up to `up_to`.
    /// A count-only query: nothing but the number comes back.
    pub async fn count_waiting(&self, tier: Tier, up_to: Option<u64>) -> Result<usize, StoreError> {
        let mut count = 0;
        let mut start = None;
        loop {
            let mut query = self
                .table
                .client
                .query()
                .table_name(&self.table.name)
                .select(aws_sdk_dynamodb::types::Select::Count)
                .consistent_read(true)
                .expression_attribute_values(":pk", s(waiting_pk(tier)))
                .set_exclusive_start_key(start);
            query = match up_to {
                Some(id) => query
                    .key_condition_expression("pk = :pk AND sk <= :up_to")
                    .expression_attribute_values(":up_to", s(format!("{id:020}"))),
                None => query.key_condition_expression("pk = :pk"),
            };
            let output = query.send().await.map_err(shared::dynamo::store_err)?;
            count += output.count as usize;
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    /// Creates ticket `ticket.service_id`, which must be `last + 1`, in one transaction:
    /// 0. the counter moves from `last` to the new number (refused if another check-in took it:
    ///    no repeats, no gaps, because the number is only consumed when everything commits);
    /// 1. the ticket, 2. its waiting entry;
    /// 3. the customer is marked waiting, refused if they already are.
    pub async fn check_in(&self, ticket: &Ticket, last: u64) -> Result<Result<(), Refusal>, StoreError> {
        let id = ticket.service_id;
        let counter = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(key("QUEUE", "COUNTER")))
            .update_expression("SET last_service_id = :next")
            .condition_expression("attribute_not_exists(pk) OR last_service_id = :last")
            .expression_attribute_values(":next", n(id))
            .expression_attribute_values(":last", n(last))
            .build()?;
        let ticket_put = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(ticket_key(id), ticket)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let waiting_put = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(waiting_key(ticket.tier, id), ticket)?))
            .build()?;
        let customer = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(customer_key(&ticket.phone_number)))
            .update_expression("SET waiting_service_id = :id")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(waiting_service_id)")
            .expression_attribute_values(":id", n(id))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().update(counter).build(),
            TransactWriteItem::builder().put(ticket_put).build(),
            TransactWriteItem::builder().put(waiting_put).build(),
            TransactWriteItem::builder().update(customer).build(),
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure) if failure.condition_failed_at(3) => Ok(Err(Refusal::AlreadyWaiting)),
            Err(failure) if failure.condition_failed_at(0) || failure.is_conflict() => Ok(Err(Refusal::LostRace)),
            Err(failure) => Err(failure.into_store_error()),
        }
    }

    /// Serves `ticket` (the head of its tier) in one transaction:
    /// 0. the ratio moves to `next_ratio`, refused unless it is still at the version we read, so
    ///    concurrent callers are serialised and the ratio never skips a step;
    /// 1. the waiting entry is deleted and 2. the ticket marked served, both refused if a
    ///    cancel got there first;
    /// 3. the customer may check in again.
    pub async fn serve(
        &self,
        ticket: &Ticket,
        read: VersionedRatio,
        next_ratio: Ratio,
        now: Timestamp,
    ) -> Result<Result<(), Refusal>, StoreError> {
        let id = ticket.service_id;
        let ratio = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(
                key("QUEUE", "RATIO"),
                &RatioItem { vips_since_regular: next_ratio.vips_since_regular, version: read.version + 1 },
            )?))
            .condition_expression("attribute_not_exists(pk) OR version = :read")
            .expression_attribute_values(":read", n(read.version))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().put(ratio).build(),
            self.delete_waiting(ticket)?,
            self.close_ticket(id, TicketStatus::Served, "served_at", now)?,
            self.clear_customer(ticket)?,
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure @ TxFailure::Cancelled(_))
                if failure.is_conflict() || (0..3).any(|i| failure.condition_failed_at(i)) =>
            {
                Ok(Err(Refusal::LostRace))
            }
            Err(failure) => Err(failure.into_store_error()),
        }
    }

    /// Cancels a waiting ticket in one transaction: the ticket moves from waiting to cancelled
    /// (refused if it was served or cancelled meanwhile), its waiting entry goes, and the customer
    /// may check in again.
    pub async fn cancel(&self, ticket: &Ticket, now: Timestamp) -> Result<Result<(), Refusal>, StoreError> {
        let items = vec![
            self.close_ticket(ticket.service_id, TicketStatus::Cancelled, "cancelled_at", now)?,
            self.delete_waiting(ticket)?,
            self.clear_customer(ticket)?,
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure) if failure.condition_failed_at(0) => Ok(Err(Refusal::NotWaiting)),
            Err(failure) if failure.is_conflict() => Ok(Err(Refusal::LostRace)),
            Err(failure) => Err(failure.into_store_error()),
        }
    }

    fn delete_waiting(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table.name)
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
        let status = serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(ticket_key(service_id)))
            .update_expression("SET #status = :status, #at = :now")
            .condition_expression("#status = :waiting")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", at_field)
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":waiting", s("waiting"))
            .expression_attribute_values(":now", s(shared::time::format(now)))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Unconditional: a customer waits on at most one ticket, and the ticket's own condition
    /// already proves this one was open.
    fn clear_customer(&self, ticket: &Ticket) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(customer_key(&ticket.phone_number)))
            .update_expression("REMOVE waiting_service_id")
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
