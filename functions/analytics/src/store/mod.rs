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
//!
//! Every key is built here; [`events`] holds the event items (the ingest transaction, reads, the
//! listing), [`rollups`] the rollup reads.

mod events;
mod rollups;

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use shared::{
    dynamo::{Item, StoreError, Table, key},
    time::{self, Timestamp},
};

pub use events::EventItem;
pub use rollups::Reads;

/// Line item ids one update of a province rollup adds: `, #i149 :q149` is 14 bytes, so 150 of
/// them stay well inside the 4 KB an update expression may take.
pub const ITEMS_PER_PART: usize = 150;

/// The prefix of a province rollup's line item attributes.
pub const ITEM_PREFIX: &str = "item:";

/// The index of events by UTC day and time.
pub const EVENTS_BY_DAY: &str = "EventsByDay";

/// The item a transaction's refusal names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The event item: it exists already.
    Event,
    /// A rollup (no condition: never refused by one).
    Rollup,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    pub fn table(&self) -> &Table {
        &self.table
    }
}

pub fn event_key(event_id: &str) -> Item {
    key(format!("EVENT#{event_id}"), "EVENT")
}

/// The `EventsByDay` partition of `date`'s events.
pub fn events_day_pk(date: &str) -> String {
    format!("EVENTS#{date}")
}

/// An event's sort key in `EventsByDay`: by time (fixed width, so text order is time order), then
/// by id.
pub fn events_day_sk(occurred_at: Timestamp, event_id: &str) -> String {
    format!("{}#{event_id}", time::sortable(occurred_at))
}

/// The partition of `currency`'s day rollups.
pub fn day_pk(currency: &str) -> String {
    format!("DAY#{currency}")
}

pub fn day_key(currency: &str, date: &str) -> Item {
    key(day_pk(currency), date)
}

/// The partition of `currency`'s customer rollups of `date`.
pub fn customer_pk(currency: &str, date: &str) -> String {
    format!("CUSTDAY#{currency}#{date}")
}

pub fn customer_key(currency: &str, date: &str, customer_id: &str) -> Item {
    key(customer_pk(currency, date), customer_id)
}

/// The partition of `currency`'s province rollups of `date`.
pub fn province_pk(currency: &str, date: &str) -> String {
    format!("PROVDAY#{currency}#{date}")
}

/// The sort key prefix of one province's parts.
pub fn province_prefix(province_key: &str) -> String {
    format!("{}:{province_key}#", province_key.len())
}

pub fn province_key(currency: &str, date: &str, province_key: &str, part: usize) -> Item {
    key(province_pk(currency, date), format!("{}{part}", province_prefix(province_key)))
}

/// The province key of a province rollup's sort key `<len>:<province>#<part>`.
fn province_of(sk: &str) -> Option<String> {
    let (len, rest) = sk.split_once(':')?;
    rest.get(..len.parse::<usize>().ok()?).map(str::to_owned)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_say_what_the_layout_says() {
        let at = time::parse("2020-09-01T23:59:59.999Z").unwrap();
        assert_eq!(province_key("USD", "2020-09-01", "idaho", 1), key("PROVDAY#USD#2020-09-01", "5:idaho#1"));
        assert_eq!(province_of("5:idaho#1").as_deref(), Some("idaho"));
        assert_eq!(province_of("4:a#b:#0").as_deref(), Some("a#b:"), "a province may hold the separators");
        assert_eq!(events_day_sk(at, "e-1"), "2020-09-01T23:59:59.999Z#e-1");
        assert_eq!(day_key("EUR", "2020-09-01"), key("DAY#EUR", "2020-09-01"));
    }
}
