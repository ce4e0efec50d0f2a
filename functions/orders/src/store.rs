//! DynamoDB access for the orders pipeline. One table, composite key `pk`/`sk`:
//!
//! | item                       | pk                  | sk          |
//! |----------------------------|---------------------|-------------|
//! | order                      | `ORDER#<id>`        | `ORDER`     |
//! | metrics aggregate          | `METRICS`           | `TOTALS`    |
//! | generation switch          | `GENERATION`        | `STATE`     |
//! | a generated minute         | `MINUTE#<minute>`   | `GENERATED` |
//!
//! A posted order carries its `owner` (the poster's `sub`), written in the order's one conditional
//! put and never updated; generated orders have none. A posted order also carries the keys of the
//! sparse index `OrdersByOwner` (`owner_pk = <owner>`, `owner_sk = <created_at>#<order_id>`), so
//! that a caller's orders are one `Query`, newest first; generated orders are not in it.
//!
//! Processing an order and counting it are one transaction, conditional on the order still
//! being queued: however often a message is delivered, an order is priced and counted once, and
//! the aggregate always equals the processed orders. `GET /metrics` is one `GetItem`.
//!
//! A conditional write whose refusal means something to a use case returns [`Written`] (naming
//! the refused item's [`Part`] in a transaction) and the op decides; one whose refusal can only
//! be a bug (a fresh id already taken, a minute finished before it was claimed) is an error here.

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem},
};
use futures::{StreamExt, TryStreamExt, stream};
use shared::{
    dynamo::{self, Item, StoreError, Table, Written, attr, item_at, key, n, store_err},
    money::Micros,
    retry::Backoff,
    time::Timestamp,
};

use crate::domain::{GenerationState, Minute, Order, OrderStatus, Totals};

/// The item a transaction's refusal names: the ops decide what a refused condition means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// An order (`ORDER#<id>`).
    Order,
    /// The metrics aggregate.
    Totals,
    /// A generated minute's marker.
    Minute,
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

/// The index of posted orders by owner and creation.
pub const OWNER_INDEX: &str = "OrdersByOwner";

/// An order as stored: the record, and for a posted one the owner index's keys.
#[derive(serde::Serialize)]
struct OrderItem<'a> {
    #[serde(flatten)]
    order: &'a Order,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_pk: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_sk: Option<String>,
}

/// Where a posted order sorts among its owner's: by creation, then id.
pub fn owner_sort_key(order: &Order) -> String {
    format!("{}#{}", shared::time::sortable(order.created_at), order.order_id)
}

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
        Ok(self
            .table
            .tx_put()
            .set_item(Some(item_at(order_key(&order.order_id), order)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?)
    }

    /// Writes a new order. Its id is fresh, so an order already under it is a bug, not a refusal.
    pub async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        let item = OrderItem {
            order,
            owner_pk: order.owner.as_deref(),
            owner_sk: order.owner.as_ref().map(|_| owner_sort_key(order)),
        };
        self.table
            .insert(order_key(&order.order_id), &item)
            .await?
            .map_err(|_| StoreError::Unexpected(format!("order {} already exists", order.order_id)))
    }

    /// Removes an order that could not be queued, as long as nothing processed it. Refused when
    /// it is no longer queued: the message did go through after all and was processed.
    pub async fn delete_queued_order(&self, order_id: &str) -> Result<Written, StoreError> {
        dynamo::written(
            self.table
                .delete_item()
                .set_key(Some(order_key(order_id)))
                .condition_expression("#status = :queued")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":queued", attr(&OrderStatus::Queued)?)
                .send()
                .await,
        )
    }

    /// Up to `limit` of `owner`'s orders, newest first, before the sort key `before` (an eventually
    /// consistent read of the index: an order posted a moment ago may show a moment later).
    pub async fn owner_orders(&self, owner: &str, before: Option<&str>, limit: i32) -> Result<Vec<Order>, StoreError> {
        let query = self
            .table
            .query_items()
            .index_name(OWNER_INDEX)
            .scan_index_forward(false)
            .limit(limit)
            .expression_attribute_values(":o", dynamo::s(owner));
        let query = match before {
            Some(before) => query
                .key_condition_expression("owner_pk = :o AND owner_sk < :before")
                .expression_attribute_values(":before", dynamo::s(before)),
            None => query.key_condition_expression("owner_pk = :o"),
        };
        Table::stream::<Order>(query).take(limit.max(0) as usize).try_collect().await
    }

    pub async fn order(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        self.table.get(order_key(order_id)).await
    }

    /// Prices and counts an order in one transaction: the order moves `queued → processed` with
    /// its price (refused as [`Part::Order`] if an earlier delivery did it), and the aggregate
    /// adds one order and its price. The order's is the only condition, and a refusal by it is
    /// reported even when a concurrent transaction conflicted too: the order is done either way.
    pub async fn process(&self, order_id: &str, price: Micros, now: Timestamp) -> Result<Written<Part>, StoreError> {
        let order = self
            .table
            .tx_update()
            .set_key(Some(order_key(order_id)))
            .update_expression("SET #status = :processed, execution_price = :price, processed_at = :now")
            .condition_expression("#status = :queued")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":processed", attr(&OrderStatus::Processed)?)
            .expression_attribute_values(":queued", attr(&OrderStatus::Queued)?)
            .expression_attribute_values(":price", attr(&price)?)
            .expression_attribute_values(":now", attr(&now)?)
            .build()?;
        let totals = self
            .table
            .tx_update()
            .set_key(Some(totals_key()))
            .update_expression("ADD #count :one, #sum :price")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#sum", "sum")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":price", attr(&price)?)
            .build()?;
        self.table
            .commit(vec![
                (Part::Order, TransactWriteItem::builder().update(order).build()),
                (Part::Totals, TransactWriteItem::builder().update(totals).build()),
            ])
            .await
    }

    /// The aggregate, its numbers read from DynamoDB's decimal strings rather than through serde,
    /// which stops at 64 bits (so the raw item, from the client's own `GetItem`: the table's
    /// [`Table::get`] maps through serde).
    pub async fn totals(&self) -> Result<Totals, StoreError> {
        let output = self
            .table
            .client
            .get_item()
            .table_name(&self.table.name)
            .set_key(Some(totals_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        let Some(item) = output.item else { return Ok(Totals::default()) };
        let number = |name: &str| -> Result<i128, StoreError> {
            match item.get(name) {
                None => Ok(0),
                Some(AttributeValue::N(n)) => {
                    n.parse().map_err(|e| StoreError::Unexpected(format!("totals.{name} = {n:?}: {e}")))
                }
                Some(other) => Err(StoreError::Unexpected(format!("totals.{name} is not a number: {other:?}"))),
            }
        };
        let count =
            u64::try_from(number("count")?).map_err(|e| StoreError::Unexpected(format!("totals.count: {e}")))?;
        Ok(Totals { count, sum: number("sum")? })
    }

    pub async fn generation(&self) -> Result<Option<GenerationState>, StoreError> {
        self.table.get(key("GENERATION", "STATE")).await
    }

    pub async fn set_generation(&self, state: &GenerationState) -> Result<(), StoreError> {
        self.table.put(key("GENERATION", "STATE"), state).await
    }

    /// Claims a minute: one transaction writes its marker (`queued: false`) and as many of its
    /// orders as fit, all conditional on not existing; the rest follow with [`Store::write_orders`].
    /// Refused as [`Part::Minute`] when the minute was claimed before (a doubled invocation):
    /// nothing is written. An error after the first transaction leaves a marker that is not
    /// `queued`, which is what tells a later invocation to finish the minute.
    pub async fn claim_minute(&self, minute: &Minute, orders: &[Order]) -> Result<Written<Part>, StoreError> {
        let marker = self
            .table
            .tx_put()
            .set_item(Some(item_at(minute_key(minute.minute), minute)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let (first, rest) = orders.split_at(orders.len().min(MAX_TRANSACTION_ITEMS - 1));
        let mut items = vec![(Part::Minute, TransactWriteItem::builder().put(marker).build())];
        for order in first {
            items.push((Part::Order, TransactWriteItem::builder().put(self.new_order_put(order)?).build()));
        }
        if let Err(refusal) = self.table.commit(items).await? {
            return Ok(Err(refusal));
        }
        self.write_orders(rest).await?;
        Ok(Ok(()))
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
                    .map(|order| {
                        Ok((Part::Order, TransactWriteItem::builder().put(self.new_order_put(order)?).build()))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                if let Err(refusal) = self.table.commit(items).await? {
                    tracing::debug!(?refusal, "some orders exist; writing the others one by one");
                    // An order refused here exists already: it is kept as it is.
                    stream::iter(chunk.iter().map(Ok))
                        .try_for_each_concurrent(PUTS_IN_FLIGHT, |order| async move {
                            self.table.insert(order_key(&order.order_id), order).await.map(|_| ())
                        })
                        .await?;
                }
                Ok(())
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
    /// is only ever finished after it was claimed, so a refusal is a bug.
    pub async fn mark_minute_queued(&self, minute: Timestamp) -> Result<(), StoreError> {
        dynamo::written(
            self.table
                .update_item()
                .set_key(Some(minute_key(minute)))
                .update_expression("SET queued = :yes")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .send()
                .await,
        )?
        .map_err(|_| StoreError::Unexpected(format!("minute {} was never claimed", shared::time::format(minute))))
    }
}

#[cfg(test)]
mod tests {
    use shared::{dynamo::s, time};

    use super::*;

    #[test]
    fn updates_write_values_as_the_records_hold_them() {
        let now = time::parse("2026-11-22T10:30:00.25Z").unwrap();
        assert_eq!(attr(&OrderStatus::Queued).unwrap(), s("queued"));
        assert_eq!(attr(&OrderStatus::Processed).unwrap(), s("processed"));
        assert_eq!(attr(&Micros(4_500_000)).unwrap(), n(4_500_000));
        assert_eq!(attr(&now).unwrap(), s(time::format(now)));
    }

    #[test]
    fn a_minute_is_keyed_to_the_minute() {
        let minute = time::parse("2026-11-22T10:30:00Z").unwrap();
        assert_eq!(minute_key(minute), key("MINUTE#2026-11-22T10:30Z", "GENERATED"));
    }
}
