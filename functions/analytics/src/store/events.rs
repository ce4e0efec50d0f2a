//! Event items: the ingest transaction (the event and every rollup it adds to), the event read
//! back, and the events of a day from the `EventsByDay` index.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use futures::Stream;
use serde::{Deserialize, Serialize};
use shared::dynamo::{Item, StoreError, Table, Written, attr, item_at, n, s};

use super::{
    EVENTS_BY_DAY, FIRST_CHUNK_ITEMS, Family, LATER_CHUNK_ITEMS, Part, Store, day_key, event_key, events_day_pk,
    events_day_sk, item_day_key, item_month_key, month_key, month_of,
};
use crate::domain::{LineItem, Recorded, StoredEvent};

/// An event item: the event as kept, its keys in the `EventsByDay` index, when it expires, and
/// how many chunks of its line items are counted when there are more than one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventItem {
    #[serde(flatten)]
    pub event: StoredEvent,
    pub day_pk: String,
    pub day_sk: String,
    /// Epoch seconds after which DynamoDB deletes the event (absent on events stored before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// Chunks of line items counted so far, on events with more than one chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_done: Option<usize>,
}

impl EventItem {
    fn of(recorded: &Recorded<'_>, retention_days: u32) -> Self {
        let chunks = chunks(recorded.event.line_items.len());
        Self {
            event: recorded.stored(),
            day_pk: events_day_pk(&recorded.day()),
            day_sk: events_day_sk(recorded.occurred_at, &recorded.event.event_id),
            ttl: Some((recorded.received_at + chrono::TimeDelta::days(retention_days.into())).timestamp()),
            items_done: (chunks > 1).then_some(1),
        }
    }
}

/// How many transactions an event with `items` distinct line items takes.
pub fn chunks(items: usize) -> usize {
    1 + items.saturating_sub(FIRST_CHUNK_ITEMS).div_ceil(LATER_CHUNK_ITEMS)
}

/// The line items of chunk `k` of `items`.
fn chunk(items: &[LineItem], k: usize) -> &[LineItem] {
    let (from, to) = match k {
        0 => (0, FIRST_CHUNK_ITEMS),
        k => (FIRST_CHUNK_ITEMS + (k - 1) * LATER_CHUNK_ITEMS, FIRST_CHUNK_ITEMS + k * LATER_CHUNK_ITEMS),
    };
    &items[from.min(items.len())..to.min(items.len())]
}

fn opt_s(value: &Option<String>) -> AttributeValue {
    value.as_ref().map_or(AttributeValue::Null(true), |v| s(v.clone()))
}

impl Store {
    fn rollup(
        &self,
        key: Item,
        expression: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = self.table.tx_update().set_key(Some(key)).update_expression(expression);
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// The updates adding `chunk`'s line items to the province's day and month.
    fn item_updates(
        &self,
        recorded: &Recorded<'_>,
        chunk: &[LineItem],
    ) -> Result<Vec<(Part, TransactWriteItem)>, StoreError> {
        let event = recorded.event;
        let (date, currency, province) = (recorded.day(), event.currency.as_str(), event.province_key());
        let mut updates = Vec::with_capacity(2 * chunk.len());
        for item in chunk {
            for key in [
                item_day_key(currency, &date, &province, &item.id),
                item_month_key(currency, month_of(&date), &province, &item.id),
            ] {
                let values = vec![(":q", n(item.quantity)), (":id", s(item.id.clone()))];
                updates.push((Part::Rollup, self.rollup(key, "ADD quantity :q SET item_id = :id", values)?));
            }
        }
        Ok(updates)
    }

    /// The ingest transaction's items, in order: the event, the value, customer and province
    /// rollups of the day and the month, and the first chunk's line items.
    pub fn transaction(&self, recorded: &Recorded<'_>) -> Result<Vec<(Part, TransactWriteItem)>, StoreError> {
        let event = recorded.event;
        let date = recorded.day();
        let month = month_of(&date);
        let currency = event.currency.as_str();
        let put = self
            .table
            .tx_put()
            .set_item(Some(item_at(event_key(&event.event_id), &EventItem::of(recorded, self.retention_days))?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let mut items = vec![(Part::Event, TransactWriteItem::builder().put(put).build())];
        let value = attr(&event.order_value)?;
        let order = || vec![(":one", n(1)), (":value", value.clone())];
        for key in [day_key(currency, &date), month_key(currency, month)] {
            items.push((Part::Rollup, self.rollup(key, "ADD order_count :one, order_value :value", order())?));
        }
        let customer = |key| {
            let mut values = order();
            values.extend([
                (":id", s(event.customer_id.clone())),
                (":email", opt_s(&event.email)),
                (":first", opt_s(&event.first_name)),
                (":last", opt_s(&event.last_name)),
                (":consent", AttributeValue::Bool(event.accepts_marketing)),
                (":marketing_one", n(u8::from(event.accepts_marketing))),
                (":marketing_value", if event.accepts_marketing { value.clone() } else { n(0) }),
            ]);
            self.rollup(
                key,
                "ADD order_count :one, order_value :value, \
                 marketing_count :marketing_one, marketing_value :marketing_value \
                 SET customer_id = :id, email = :email, first_name = :first, last_name = :last, \
                 accepts_marketing = :consent",
                values,
            )
        };
        let c = Family::Customers;
        items.push((Part::Rollup, customer(c.day_key(currency, &date, &event.customer_id))?));
        items.push((Part::Rollup, customer(c.month_key(currency, month, &event.customer_id))?));
        let province = event.province_key();
        let quantity: u64 = event.line_items.iter().map(|item| item.quantity).sum();
        let p = Family::Provinces;
        for key in [p.day_key(currency, &date, &province), p.month_key(currency, month, &province)] {
            let mut values = order();
            values.extend([
                (":quantity", n(quantity)),
                (":province", s(event.province.clone())),
                (":key", s(province.clone())),
            ]);
            let expression = "ADD order_count :one, order_value :value, quantity :quantity \
                              SET province = :province, province_key = :key";
            items.push((Part::Rollup, self.rollup(key, expression, values)?));
        }
        items.extend(self.item_updates(recorded, chunk(&event.line_items, 0))?);
        Ok(items)
    }

    /// The transaction of line item chunk `k` (from 1): the chunk's updates, and the event's
    /// `items_done` moved from `k` to `k + 1`, on condition that it is `k`.
    pub fn chunk_transaction(
        &self,
        recorded: &Recorded<'_>,
        k: usize,
    ) -> Result<Vec<(Part, TransactWriteItem)>, StoreError> {
        let progress = self
            .table
            .tx_update()
            .set_key(Some(event_key(&recorded.event.event_id)))
            .update_expression("SET items_done = :next")
            .condition_expression("items_done = :k")
            .expression_attribute_values(":k", n(k as u64))
            .expression_attribute_values(":next", n(k as u64 + 1))
            .build()?;
        let mut items = vec![(Part::Event, TransactWriteItem::builder().update(progress).build())];
        items.extend(self.item_updates(recorded, chunk(&recorded.event.line_items, k))?);
        Ok(items)
    }

    /// Commits line item chunk `k` (from 1): refused as [`Part::Event`] if the event's progress is
    /// not `k` (another delivery counted it).
    pub async fn record_chunk(&self, recorded: &Recorded<'_>, k: usize) -> Result<Written<Part>, StoreError> {
        self.table.commit(self.chunk_transaction(recorded, k)?).await
    }

    /// Stores the event and adds it to its rollups, in one transaction that commits only if the
    /// event is not stored yet (refused as [`Part::Event`] otherwise).
    pub async fn record(&self, recorded: &Recorded<'_>) -> Result<Written<Part>, StoreError> {
        self.table.commit(self.transaction(recorded)?).await
    }

    /// The stored event `event_id`, strongly consistent.
    pub async fn event(&self, event_id: &str) -> Result<Option<StoredEvent>, StoreError> {
        Ok(self.event_item(event_id).await?.map(|item| item.event))
    }

    /// The stored event item `event_id`, strongly consistent.
    pub async fn event_item(&self, event_id: &str) -> Result<Option<EventItem>, StoreError> {
        self.table.get::<EventItem>(event_key(event_id)).await
    }

    /// The events of `date` by `occurred_at`, after the index position `after` (from the day's
    /// first without it), `page` at a time: each page is one `Query`, sent only when the stream
    /// reaches it.
    pub fn events_of_day(
        &self,
        date: &str,
        after: Option<&str>,
        page: i32,
    ) -> impl Stream<Item = Result<EventItem, StoreError>> + Send + use<> {
        let query = self
            .table
            .query_items()
            .index_name(EVENTS_BY_DAY)
            .limit(page)
            .expression_attribute_values(":pk", s(events_day_pk(date)));
        let query = match after {
            Some(after) => query
                .key_condition_expression("day_pk = :pk AND day_sk > :after")
                .expression_attribute_values(":after", s(after)),
            None => query.key_condition_expression("day_pk = :pk"),
        };
        Table::stream(query)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::Client;
    use serde_json::json;
    use shared::{
        dynamo::key,
        money::Micros,
        time::{self, sortable},
    };

    use super::*;
    use crate::{
        domain::{Event, range::day},
        store::province_key,
    };

    fn event(items: usize) -> Event {
        let line_items: Vec<_> = (0..items).map(|i| json!({"id": format!("item-{i}"), "quantity": 1})).collect();
        Event::from_json(&json!({"event_type": "order.created", "event_id": "e-1", "lovevery_user_id": "c",
            "shipping_address": {"province": "Idaho", "country": "US"}, "currency": "USD",
            "order_value": "0.1", "line_items": line_items}))
        .unwrap()
    }

    #[test]
    fn an_event_is_one_transaction_unless_its_line_items_need_more() {
        let client = Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
                .build(),
        );
        let store = Store::new(client, "t");
        let at = time::parse("2020-09-01T23:59:59.999Z").unwrap();
        for (items, first, chunks) in
            [(0, 7, 1), (1, 9, 1), (46, 99, 1), (47, 99, 2), (95, 99, 2), (96, 99, 3), (500, 99, 11)]
        {
            let event = event(items);
            let recorded = Recorded { event: &event, occurred_at: at, received_at: at };
            assert_eq!(store.transaction(&recorded).unwrap().len(), first, "{items} line items");
            assert_eq!(super::chunks(items), chunks, "{items} line items");
            let mut counted = super::chunk(&event.line_items, 0).len();
            for k in 1..chunks {
                let later = store.chunk_transaction(&recorded, k).unwrap();
                assert!(later.len() <= super::super::MAX_ACTIONS);
                counted += super::chunk(&event.line_items, k).len();
            }
            assert_eq!(counted, items, "every line item in exactly one chunk");
        }
        assert_eq!(day(at), "2020-09-01");
        assert_eq!(sortable(at), "2020-09-01T23:59:59.999Z");
        assert_eq!(attr(&Micros(100_000)).unwrap(), n(100_000));
        assert_eq!(province_key("USD", "2020-09-01", "idaho"), key("PROVDAY#USD#2020-09", "2020-09-01#idaho"));
    }

    #[test]
    fn the_event_item_carries_the_event_and_its_index_keys() {
        let event = event(1);
        let at = time::parse("2020-09-01T10:00:00Z").unwrap();
        let recorded = Recorded::new(&event, at);
        let item = item_at(event_key("e-1"), &EventItem::of(&recorded, 730)).unwrap();
        assert_eq!(item["day_pk"], s("EVENTS#2020-09-01"));
        assert_eq!(item["day_sk"], s("2020-09-01T10:00:00.000Z#e-1"));
        assert_eq!(item["fingerprint"], s(event.fingerprint()));
        assert_eq!(item["ttl"], n(time::parse("2022-09-01T10:00:00Z").unwrap().timestamp()), "730 days after receipt");
        assert!(!item.contains_key("items_done"), "one chunk");
        assert_eq!(shared::dynamo::from_item::<EventItem>(item).unwrap().event, recorded.stored());
    }
}
