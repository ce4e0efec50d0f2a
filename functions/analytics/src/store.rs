//! DynamoDB access for analytics. One table, composite key `pk`/`sk`:
//!
//! | item                          | pk                              | sk                                |
//! |-------------------------------|---------------------------------|-----------------------------------|
//! | event                         | `EVENT#<event_id>`              | `EVENT`                           |
//! | day rollup                    | `DAY#<currency>`                | `<date>`                          |
//! | customer-day rollup           | `CUSTDAY#<currency>#<date>`     | `<customer_id>`                   |
//! | province-day rollup (part n)  | `PROVDAY#<currency>#<date>`     | `<len>:<province>#<n>`            |
//!
//! `<date>` is the UTC day of `occurred_at` (`YYYY-MM-DD`); `<province>` is the shipping
//! province trimmed and lowercased, prefixed with its length so that one province's parts are a
//! `begins_with` of the sort key that no other province shares. The event item also carries
//! `day_pk` = `EVENTS#<date>` and `day_sk` = `<occurred_at, fixed width>#<event_id>`, the keys of
//! the `EventsByDay` index the event listing reads.
//!
//! Ingesting an event is **one** `TransactWriteItems`: the event item, conditional on
//! `attribute_not_exists(pk)`, and every rollup it touches, each an `ADD` of one order and its
//! value (the customer's also adds the order to `marketing_count`/`marketing_value` when the
//! buyer accepted marketing, and `SET`s the latest name, email and consent; the province's part 0
//! also adds the total quantity). Line item quantities are `ADD`ed to top-level attributes
//! `item:<id>` of the province rollup (`ADD` takes no nested paths): at most
//! [`ITEMS_PER_PART`] per update, to keep each update expression under DynamoDB's 4 KB, so an
//! event with many distinct line items adds parts 1, 2, 3 (500 items make 4 parts, a
//! transaction of at most 7 items). Queries sum every part.
//!
//! Sums are DynamoDB numbers (38 digits), read back as `i128` from their decimal strings
//! (serde stops at 64 bits).

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, Put, TransactWriteItem, Update},
};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, StoreError, Table, Written, attr, item_at, key, n, s},
    time::Timestamp,
};

use crate::domain::{Event, LineItem};

/// Line item ids one update of a province rollup adds: `, #i149 :q149` is 14 bytes, so 150 of
/// them stay well inside the 4 KB an update expression may take.
pub const ITEMS_PER_PART: usize = 150;

/// The prefix of a province rollup's line item attributes.
pub const ITEM_PREFIX: &str = "item:";

/// The item a transaction's refusal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The event item: it exists already.
    Event,
    /// A rollup (no condition: never refused by one).
    Rollup,
}

/// An event as stored: what `GET /events/{id}` shows and what a repeat is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event_id: String,
    /// The event's canonical JSON, as sent.
    pub body: String,
    /// SHA-256 of `body`.
    pub fingerprint: String,
    pub occurred_at: Timestamp,
    pub received_at: Timestamp,
    pub day_pk: String,
    pub day_sk: String,
}

/// An event ready to be stored: the validated event with its times.
pub struct Recorded<'a> {
    pub event: &'a Event,
    pub occurred_at: Timestamp,
    pub received_at: Timestamp,
}

impl Recorded<'_> {
    pub fn day(&self) -> String {
        day(self.occurred_at)
    }
}

/// The UTC day of a time, `YYYY-MM-DD`.
pub fn day(at: Timestamp) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// A timestamp that sorts as text (fixed width, milliseconds).
pub fn sortable(at: Timestamp) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn event_key(event_id: &str) -> Item {
    key(format!("EVENT#{event_id}"), "EVENT")
}

pub fn day_key(currency: &str, date: &str) -> Item {
    key(format!("DAY#{currency}"), date)
}

pub fn customer_key(currency: &str, date: &str, customer_id: &str) -> Item {
    key(format!("CUSTDAY#{currency}#{date}"), customer_id)
}

/// The sort key prefix of one province's parts.
pub fn province_prefix(province_key: &str) -> String {
    format!("{}:{province_key}#", province_key.len())
}

pub fn province_key(currency: &str, date: &str, province_key: &str, part: usize) -> Item {
    key(format!("PROVDAY#{currency}#{date}"), format!("{}{part}", province_prefix(province_key)))
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

fn opt_s(value: &Option<String>) -> AttributeValue {
    value.as_ref().map_or(AttributeValue::Null(true), |v| s(v.clone()))
}

/// Reads a number attribute exactly; absent is 0.
pub fn number(item: &Item, name: &str) -> Result<i128, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(text)) => {
            text.parse().map_err(|e| StoreError::Unexpected(format!("{name} = {text:?}: {e}")))
        }
        Some(other) => Err(StoreError::Unexpected(format!("{name} is not a number: {other:?}"))),
    }
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The transaction's items, in order: the event, the day, the customer-day, the province
    /// parts.
    pub fn transaction(&self, recorded: &Recorded<'_>) -> Result<Vec<(Part, TransactWriteItem)>, StoreError> {
        let event = recorded.event;
        let date = recorded.day();
        let body = event.canonical();
        let stored = StoredEvent {
            event_id: event.event_id.clone(),
            fingerprint: event.fingerprint(),
            body,
            occurred_at: recorded.occurred_at,
            received_at: recorded.received_at,
            day_pk: format!("EVENTS#{date}"),
            day_sk: format!("{}#{}", sortable(recorded.occurred_at), event.event_id),
        };
        let put = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(event_key(&event.event_id), &stored)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let value = attr(&event.order_value)?;
        let day = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(day_key(&event.currency, &date)))
            .update_expression("ADD order_count :one, order_value :value")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":value", value.clone())
            .build()?;
        let customer = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(customer_key(&event.currency, &date, &event.customer_id)))
            .update_expression(
                "ADD order_count :one, order_value :value, \
                 marketing_count :marketing_one, marketing_value :marketing_value \
                 SET customer_id = :id, email = :email, first_name = :first, last_name = :last, \
                 accepts_marketing = :consent",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":value", value.clone())
            .expression_attribute_values(":id", s(event.customer_id.clone()))
            .expression_attribute_values(":email", opt_s(&event.email))
            .expression_attribute_values(":first", opt_s(&event.first_name))
            .expression_attribute_values(":last", opt_s(&event.last_name))
            .expression_attribute_values(":consent", AttributeValue::Bool(event.accepts_marketing))
            .expression_attribute_values(":marketing_one", n(u8::from(event.accepts_marketing)))
            .expression_attribute_values(":marketing_value", if event.accepts_marketing { value.clone() } else { n(0) })
            .build()?;
        let mut items = vec![
            (Part::Event, TransactWriteItem::builder().put(put).build()),
            (Part::Rollup, TransactWriteItem::builder().update(day).build()),
            (Part::Rollup, TransactWriteItem::builder().update(customer).build()),
        ];
        let province = event.province_key();
        let quantity: u64 = event.line_items.iter().map(|item| item.quantity).sum();
        let chunks: Vec<&[LineItem]> =
            if event.line_items.is_empty() { vec![&[]] } else { event.line_items.chunks(ITEMS_PER_PART).collect() };
        for (part, chunk) in chunks.into_iter().enumerate() {
            let mut adds = Vec::new();
            let mut names = HashMap::new();
            let mut values = HashMap::from([(":province".to_owned(), s(event.province.clone()))]);
            if part == 0 {
                adds.push("order_count :one, order_value :value, quantity :quantity".to_owned());
                values.insert(":one".into(), n(1));
                values.insert(":value".into(), value.clone());
                values.insert(":quantity".into(), n(quantity));
            }
            for (i, item) in chunk.iter().enumerate() {
                adds.push(format!("#i{i} :q{i}"));
                names.insert(format!("#i{i}"), format!("{ITEM_PREFIX}{}", item.id));
                values.insert(format!(":q{i}"), n(item.quantity));
            }
            let mut expression = "SET province = :province".to_owned();
            if !adds.is_empty() {
                expression = format!("ADD {} {expression}", adds.join(", "));
            }
            let update = Update::builder()
                .table_name(&self.table.name)
                .set_key(Some(province_key(&event.currency, &date, &province, part)))
                .update_expression(expression)
                .set_expression_attribute_names((!names.is_empty()).then_some(names))
                .set_expression_attribute_values(Some(values))
                .build()?;
            items.push((Part::Rollup, TransactWriteItem::builder().update(update).build()));
        }
        Ok(items)
    }

    /// Stores the event and adds it to its rollups, in one transaction that commits only if the
    /// event is not stored yet (refused as [`Part::Event`] otherwise).
    pub async fn record(&self, recorded: &Recorded<'_>) -> Result<Written<Part>, StoreError> {
        self.table.commit(self.transaction(recorded)?).await
    }

    /// The stored event `event_id`, strongly consistent.
    pub async fn event(&self, event_id: &str) -> Result<Option<StoredEvent>, StoreError> {
        self.table.get(event_key(event_id)).await
    }
}

/// What a query read: items and pages (for the bench and the logs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    pub items: usize,
    pub pages: usize,
}

/// One day's totals: orders and their value in micros.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i128,
    pub value: i128,
}

/// A customer's rollup of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDay {
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub all: Totals,
    /// The orders whose buyer accepted marketing.
    pub marketing: Totals,
}

/// One part of a province's rollup of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvincePart {
    /// The province as keyed (trimmed, lowercase).
    pub key: String,
    /// As the latest event spelled it.
    pub shown: String,
    /// Zero on parts other than 0.
    pub totals: Totals,
    pub quantity: i128,
    pub items: Vec<(String, i128)>,
}

fn text(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn totals(item: &Item, count: &str, value: &str) -> Result<Totals, StoreError> {
    Ok(Totals { count: number(item, count)?, value: number(item, value)? })
}

/// The province key of a province rollup's sort key `<len>:<province>#<part>`.
fn province_of(sk: &str) -> Option<String> {
    let (len, rest) = sk.split_once(':')?;
    rest.get(..len.parse::<usize>().ok()?).map(str::to_owned)
}

impl Store {
    /// Every item of a strongly consistent `Query` (every page), raw, with what it read.
    async fn query_items(
        &self,
        configure: impl FnOnce(
            aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        reads: &mut Reads,
    ) -> Result<Vec<Item>, StoreError> {
        let mut pages = configure(self.table.client.query().table_name(&self.table.name))
            .consistent_read(true)
            .into_paginator()
            .send();
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(shared::dynamo::store_err)?;
            reads.pages += 1;
            let found = page.items.unwrap_or_default();
            reads.items += found.len();
            items.extend(found);
        }
        Ok(items)
    }

    /// The day rollups of `currency` from `start` to `end` (inclusive), by date: one `Query`.
    pub async fn days(
        &self,
        currency: &str,
        start: &str,
        end: &str,
        reads: &mut Reads,
    ) -> Result<Vec<(String, Totals)>, StoreError> {
        let items = self
            .query_items(
                |q| {
                    q.key_condition_expression("pk = :pk AND sk BETWEEN :start AND :end")
                        .expression_attribute_values(":pk", s(format!("DAY#{currency}")))
                        .expression_attribute_values(":start", s(start))
                        .expression_attribute_values(":end", s(end))
                },
                reads,
            )
            .await?;
        items
            .iter()
            .map(|item| Ok((text(item, "sk").unwrap_or_default(), totals(item, "order_count", "order_value")?)))
            .collect()
    }

    /// Every customer's rollup of `currency` on `date`: one `Query` of the day's partition.
    pub async fn customer_days(
        &self,
        currency: &str,
        date: &str,
        reads: &mut Reads,
    ) -> Result<Vec<CustomerDay>, StoreError> {
        let items = self
            .query_items(
                |q| {
                    q.key_condition_expression("pk = :pk")
                        .expression_attribute_values(":pk", s(format!("CUSTDAY#{currency}#{date}")))
                },
                reads,
            )
            .await?;
        items
            .iter()
            .map(|item| {
                Ok(CustomerDay {
                    customer_id: text(item, "sk").unwrap_or_default(),
                    email: text(item, "email"),
                    first_name: text(item, "first_name"),
                    last_name: text(item, "last_name"),
                    all: totals(item, "order_count", "order_value")?,
                    marketing: totals(item, "marketing_count", "marketing_value")?,
                })
            })
            .collect()
    }

    /// The province rollup parts of `currency` on `date`: one province's (by its key) or all.
    pub async fn province_parts(
        &self,
        currency: &str,
        date: &str,
        province: Option<&str>,
        reads: &mut Reads,
    ) -> Result<Vec<ProvincePart>, StoreError> {
        let pk = s(format!("PROVDAY#{currency}#{date}"));
        let items = self
            .query_items(
                |q| match province {
                    Some(key) => q
                        .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                        .expression_attribute_values(":pk", pk)
                        .expression_attribute_values(":prefix", s(province_prefix(key))),
                    None => q.key_condition_expression("pk = :pk").expression_attribute_values(":pk", pk),
                },
                reads,
            )
            .await?;
        items
            .iter()
            .map(|item| {
                let sk = text(item, "sk").unwrap_or_default();
                let key = province_of(&sk).ok_or_else(|| StoreError::Unexpected(format!("province rollup {sk:?}")))?;
                let mut items = Vec::new();
                for (name, _) in item.iter().filter(|(name, _)| name.starts_with(ITEM_PREFIX)) {
                    items.push((name[ITEM_PREFIX.len()..].to_owned(), number(item, name)?));
                }
                Ok(ProvincePart {
                    shown: text(item, "province").unwrap_or_else(|| key.clone()),
                    key,
                    totals: totals(item, "order_count", "order_value")?,
                    quantity: number(item, "quantity")?,
                    items,
                })
            })
            .collect()
    }

    /// Up to `limit` events of `date` by `occurred_at`, after the index position `after`; and the
    /// position of the last one if the day may hold more.
    pub async fn events_of_day(
        &self,
        date: &str,
        after: Option<&str>,
        limit: usize,
        reads: &mut Reads,
    ) -> Result<(Vec<StoredEvent>, Option<String>), StoreError> {
        let mut query = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name(EVENTS_BY_DAY)
            .limit(limit.min(1000) as i32)
            .expression_attribute_values(":pk", s(format!("EVENTS#{date}")));
        query = match after {
            Some(after) => query
                .key_condition_expression("day_pk = :pk AND day_sk > :after")
                .expression_attribute_values(":after", s(after)),
            None => query.key_condition_expression("day_pk = :pk"),
        };
        let page = query.send().await.map_err(shared::dynamo::store_err)?;
        reads.pages += 1;
        let items = page.items.unwrap_or_default();
        reads.items += items.len();
        let events = items.into_iter().map(shared::dynamo::from_item).collect::<Result<Vec<StoredEvent>, _>>()?;
        let more = page.last_evaluated_key.is_some() && events.len() == limit;
        let last = if more { events.last().map(|e| e.day_sk.clone()) } else { None };
        Ok((events, last))
    }
}

/// The index of events by UTC day and time.
pub const EVENTS_BY_DAY: &str = "EventsByDay";

#[cfg(test)]
mod tests {
    use serde_json::json;
    use shared::time;

    use super::*;

    fn event(items: usize) -> Event {
        let line_items: Vec<_> = (0..items).map(|i| json!({"id": format!("item-{i}"), "quantity": 1})).collect();
        Event::from_json(&json!({"event_type": "order.created", "event_id": "e-1", "lovevery_user_id": "c",
            "shipping_address": {"province": "Idaho", "country": "US"}, "currency": "USD",
            "order_value": "0.1", "line_items": line_items}))
        .unwrap()
    }

    #[test]
    fn an_event_is_one_transaction_of_its_item_and_its_rollups() {
        let client = Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
                .build(),
        );
        let store = Store::new(client, "t");
        let at = time::parse("2020-09-01T23:59:59.999Z").unwrap();
        for (items, expected) in [(0, 4), (1, 4), (150, 4), (151, 5), (500, 7)] {
            let event = event(items);
            let recorded = Recorded { event: &event, occurred_at: at, received_at: at };
            let transaction = store.transaction(&recorded).unwrap();
            assert_eq!(transaction.len(), expected, "{items} line items");
            for (_, item) in &transaction {
                if let Some(update) = item.update() {
                    assert!(update.update_expression().len() < 4096);
                }
            }
        }
        assert_eq!(day(at), "2020-09-01");
        assert_eq!(sortable(at), "2020-09-01T23:59:59.999Z");
        assert_eq!(attr(&crate::domain::Micros(100_000)).unwrap(), n(100_000));
        assert_eq!(province_key("USD", "2020-09-01", "idaho", 1), key("PROVDAY#USD#2020-09-01", "5:idaho#1"));
    }
}
