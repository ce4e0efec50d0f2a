//! DynamoDB access for the orders pipeline. One table, composite key `pk`/`sk`:
//!
//! | item                       | pk                  | sk          |
//! |----------------------------|---------------------|-------------|
//! | order                      | `ORDER#<id>`        | `ORDER`     |
//! | metrics aggregate          | `METRICS`           | `TOTALS`    |
//! | generation switch          | `GENERATION`        | `STATE`     |
//! | a generated minute         | `MINUTE#<minute>`   | `GENERATED` |
//!
//! Processing an order and counting it are one transaction, conditional on the order still
//! being queued: however often a message is delivered, an order is priced and counted once, and
//! the aggregate always equals the processed orders. `GET /metrics` is one `GetItem`.

use aws_sdk_dynamodb::{
    Client,
    types::{KeysAndAttributes, Put, TransactWriteItem, Update},
};
use futures::{TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{self, Item, StoreError, Table, TxFailure, item_at, key, n, s, store_err, tx_failure},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::domain::{Micros, Quantity, Symbol, Totals};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Queued,
    Processed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub symbol: Symbol,
    pub quantity: Quantity,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    /// Millionths; set when processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_price: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerationState {
    pub running: bool,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Minute {
    pub minute: Timestamp,
    /// How many orders the minute has (ids `0..orders`).
    pub orders: u32,
    /// Whether all its orders are written and all their messages sent. Until then the minute is
    /// unfinished, whatever the generation switch says, and the next invocations finish it.
    #[serde(default)]
    pub queued: bool,
}

/// What a processing attempt did.
#[derive(Debug, PartialEq, Eq)]
pub enum Processed {
    /// Priced and counted now.
    Now,
    /// Already processed by an earlier delivery: nothing changed.
    Before,
    /// Another transaction touched the aggregate at the same moment: retry.
    Conflict,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

/// `TransactWriteItems` takes at most 100 items.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// How many of a minute's order transactions run at once: enough for `ORDERS_PER_MINUTE=6000`
/// (60 transactions) to take a few seconds, few enough not to burst the table's capacity.
const TRANSACTIONS_IN_FLIGHT: usize = 4;

/// How many single conditional puts run at once when a transaction's orders are redone one by one.
const PUTS_IN_FLIGHT: usize = 10;

fn order_key(order_id: &str) -> Item {
    key(format!("ORDER#{order_id}"), "ORDER")
}

fn totals_key() -> Item {
    key("METRICS", "TOTALS")
}

fn minute_key(minute: Timestamp) -> Item {
    key(format!("MINUTE#{}", minute.format("%Y-%m-%dT%H:%MZ")), "GENERATED")
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    fn new_order_put(&self, order: &Order) -> Result<Put, StoreError> {
        Ok(Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(order_key(&order.order_id), order)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?)
    }

    pub async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        match self.table.put_new(order_key(&order.order_id), order).await? {
            true => Ok(()),
            false => Err(StoreError::Unexpected(format!("order {} already exists", order.order_id))),
        }
    }

    /// Removes an order that could not be queued, as long as nothing processed it. `Ok(false)`
    /// when it is no longer queued: the message did go through after all and was processed.
    pub async fn delete_queued_order(&self, order_id: &str) -> Result<bool, StoreError> {
        let result = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(order_key(order_id)))
            .condition_expression("#status = :queued")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":queued", s("queued"))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if dynamo::is_condition_failed(&err) => Ok(false),
            Err(err) => Err(store_err(err)),
        }
    }

    pub async fn order(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        self.table.get(order_key(order_id)).await
    }

    /// Prices and counts an order in one transaction: 0. the order moves `queued → processed`
    /// with its price (refused if an earlier delivery did it), 1. the aggregate adds one order
    /// and its price.
    pub async fn process(&self, order_id: &str, price: Micros, now: Timestamp) -> Result<Processed, StoreError> {
        let order = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(order_key(order_id)))
            .update_expression("SET #status = :processed, execution_price = :price, processed_at = :now")
            .condition_expression("#status = :queued")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":processed", s("processed"))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":price", n(price.0))
            .expression_attribute_values(":now", s(time::format(now)))
            .build()?;
        let totals = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(totals_key()))
            .update_expression("ADD #count :one, #sum :price")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#sum", "sum")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":price", n(price.0))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().update(order).build(),
            TransactWriteItem::builder().update(totals).build(),
        ];
        match self.table.client.transact_write_items().set_transact_items(Some(items)).send().await.map_err(tx_failure)
        {
            Ok(_) => Ok(Processed::Now),
            Err(failure) if failure.is_conflict() => Ok(Processed::Conflict),
            Err(failure) if failure.condition_failed_at(0) => Ok(Processed::Before),
            Err(failure) => Err(failure.into_store_error()),
        }
    }

    pub async fn totals(&self) -> Result<Totals, StoreError> {
        Ok(self.table.get(totals_key()).await?.unwrap_or_default())
    }

    pub async fn generation(&self) -> Result<Option<GenerationState>, StoreError> {
        self.table.get(key("GENERATION", "STATE")).await
    }

    pub async fn set_generation(&self, state: &GenerationState) -> Result<(), StoreError> {
        self.table.put(key("GENERATION", "STATE"), state).await
    }

    /// Claims a minute: one transaction writes its marker (`queued: false`) and as many of its
    /// orders as fit, all conditional on not existing; the rest follow with [`Store::write_orders`].
    /// `Ok(false)` when the minute was claimed before (a doubled invocation): nothing is written.
    /// An error after the first transaction leaves a marker that is not `queued`, which is what
    /// tells a later invocation to finish the minute.
    pub async fn claim_minute(&self, minute: &Minute, orders: &[Order]) -> Result<bool, StoreError> {
        let marker = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(minute_key(minute.minute), minute)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let (first, rest) = orders.split_at(orders.len().min(MAX_TRANSACTION_ITEMS - 1));
        let mut items = vec![TransactWriteItem::builder().put(marker).build()];
        for order in first {
            items.push(TransactWriteItem::builder().put(self.new_order_put(order)?).build());
        }
        match self.table.transact(items).await {
            Ok(()) => {}
            Err(failure) if failure.condition_failed_at(0) => return Ok(false),
            Err(failure) => return Err(failure.into_store_error()),
        }
        self.write_orders(rest).await?;
        Ok(true)
    }

    /// Writes the orders that do not exist yet and leaves existing ones as they are (they may
    /// be processed already: overwriting one would queue it, and count it, again). A transaction
    /// of conditional puts per hundred orders, a few at a time; a transaction refused because some
    /// of its orders exist (finishing an interrupted minute) is redone one conditional put per
    /// order. Any other failure is returned: the minute stays unfinished and is retried.
    pub async fn write_orders(&self, orders: &[Order]) -> Result<(), StoreError> {
        stream::iter(orders.chunks(MAX_TRANSACTION_ITEMS).map(Ok))
            .try_for_each_concurrent(TRANSACTIONS_IN_FLIGHT, |chunk| async move {
                let items = chunk
                    .iter()
                    .map(|order| Ok(TransactWriteItem::builder().put(self.new_order_put(order)?).build()))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                match self.table.transact(items).await {
                    Ok(()) => Ok(()),
                    Err(TxFailure::Cancelled(reasons)) => {
                        tracing::debug!(?reasons, "some orders exist; writing the others one by one");
                        stream::iter(chunk.iter().map(Ok))
                            .try_for_each_concurrent(PUTS_IN_FLIGHT, |order| async move {
                                self.table.put_new(order_key(&order.order_id), order).await.map(|_| ())
                            })
                            .await
                    }
                    Err(failure) => Err(failure.into_store_error()),
                }
            })
            .await
    }

    /// The markers of `minutes` that exist, strongly consistent, in one `BatchGetItem` (plus
    /// retries of keys DynamoDB leaves unprocessed under load).
    pub async fn minutes(&self, minutes: &[Timestamp]) -> Result<Vec<Minute>, StoreError> {
        let mut found = Vec::new();
        if minutes.is_empty() {
            return Ok(found);
        }
        if minutes.len() > 100 {
            return Err(StoreError::Unexpected("BatchGetItem reads at most 100 keys".into()));
        }
        let keys = minutes.iter().map(|m| minute_key(*m)).collect();
        let mut request = Some(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build()?);
        let mut backoff = Backoff::new(8);
        while let Some(pending) = request.take() {
            let output = self
                .table
                .client
                .batch_get_item()
                .request_items(&self.table.name, pending)
                .send()
                .await
                .map_err(store_err)?;
            for item in output.responses.unwrap_or_default().remove(&self.table.name).unwrap_or_default() {
                found.push(dynamo::from_item(item)?);
            }
            request = output.unprocessed_keys.unwrap_or_default().remove(&self.table.name);
            if request.is_some() && !backoff.wait().await {
                return Err(StoreError::Unavailable("BatchGetItem kept leaving keys unprocessed".into()));
            }
        }
        found.sort_by_key(|m: &Minute| m.minute);
        Ok(found)
    }

    /// Records that every message of the minute was sent. Conditional on the marker: a minute
    /// is only ever finished after it was claimed.
    pub async fn mark_minute_queued(&self, minute: Timestamp) -> Result<(), StoreError> {
        self.table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(minute_key(minute)))
            .update_expression("SET queued = :yes")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }
}
