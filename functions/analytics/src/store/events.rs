//! Event items: the ingest transaction (the event and every rollup it adds to), the event read
//! back, and the events of a day from the `EventsByDay` index.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use futures::Stream;
use serde::{Deserialize, Serialize};
use shared::dynamo::{StoreError, Table, Written, attr, item_at, n, s};

use super::{
    EVENTS_BY_DAY, ITEM_PREFIX, ITEMS_PER_PART, Part, Store, customer_key, day_key, event_key, events_day_pk,
    events_day_sk, province_key,
};
use crate::domain::{LineItem, Recorded, StoredEvent};

/// An event item: the event as kept, and its keys in the `EventsByDay` index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventItem {
    #[serde(flatten)]
    pub event: StoredEvent,
    pub day_pk: String,
    pub day_sk: String,
}

impl EventItem {
    fn of(recorded: &Recorded<'_>) -> Self {
        Self {
            event: recorded.stored(),
            day_pk: events_day_pk(&recorded.day()),
            day_sk: events_day_sk(recorded.occurred_at, &recorded.event.event_id),
        }
    }
}

fn opt_s(value: &Option<String>) -> AttributeValue {
    value.as_ref().map_or(AttributeValue::Null(true), |v| s(v.clone()))
}

impl Store {
    /// The transaction's items, in order: the event, the day, the customer-day, the province
    /// parts.
    pub fn transaction(&self, recorded: &Recorded<'_>) -> Result<Vec<(Part, TransactWriteItem)>, StoreError> {
        let event = recorded.event;
        let date = recorded.day();
        let currency = event.currency.as_str();
        let put = self
            .table
            .tx_put()
            .set_item(Some(item_at(event_key(&event.event_id), &EventItem::of(recorded))?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let value = attr(&event.order_value)?;
        let day = self
            .table
            .tx_update()
            .set_key(Some(day_key(currency, &date)))
            .update_expression("ADD order_count :one, order_value :value")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":value", value.clone())
            .build()?;
        let customer = self
            .table
            .tx_update()
            .set_key(Some(customer_key(currency, &date, &event.customer_id)))
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
            let update = self
                .table
                .tx_update()
                .set_key(Some(province_key(currency, &date, &province, part)))
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
        Ok(self.table.get::<EventItem>(event_key(event_id)).await?.map(|item| item.event))
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
    use crate::domain::{Event, range::day};

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
        assert_eq!(attr(&Micros(100_000)).unwrap(), n(100_000));
        assert_eq!(province_key("USD", "2020-09-01", "idaho", 1), key("PROVDAY#USD#2020-09-01", "5:idaho#1"));
    }

    #[test]
    fn the_event_item_carries_the_event_and_its_index_keys() {
        let event = event(1);
        let at = time::parse("2020-09-01T10:00:00Z").unwrap();
        let recorded = Recorded::new(&event, at);
        let item = item_at(event_key("e-1"), &EventItem::of(&recorded)).unwrap();
        assert_eq!(item["day_pk"], s("EVENTS#2020-09-01"));
        assert_eq!(item["day_sk"], s("2020-09-01T10:00:00.000Z#e-1"));
        assert_eq!(item["fingerprint"], s(event.fingerprint()));
        assert_eq!(shared::dynamo::from_item::<EventItem>(item).unwrap().event, recorded.stored());
    }
}
