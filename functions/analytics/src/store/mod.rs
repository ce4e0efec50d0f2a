//! DynamoDB access for analytics. One table, composite key `pk`/`sk`:
//!
//! | item                        | pk                                        | sk                       |
//! |-----------------------------|-------------------------------------------|--------------------------|
//! | event                       | `EVENT#<event_id>`                        | `EVENT`                  |
//! | value-day rollup            | `DAY#<currency>`                          | `<date>`                 |
//! | value-month rollup          | `MONTH#<currency>`                        | `<month>`                |
//! | customer-day rollup         | `CUSTDAY#<currency>#<month>`              | `<date>#<customer_id>`   |
//! | customer-month rollup       | `CUSTMONTH#<currency>#<month>`            | `<customer_id>`          |
//! | province-day rollup         | `PROVDAY#<currency>#<month>`              | `<date>#<province>`      |
//! | province-month rollup       | `PROVMONTH#<currency>#<month>`            | `<province>`             |
//! | line item of a province-day | `ITEMDAY#<currency>#<month>#<province>`   | `<date>#<item_id>`       |
//! | line item of a province-month | `ITEMMONTH#<currency>#<month>#<province>` | `<item_id>`            |
//!
//! `<date>` is the UTC day of `occurred_at` (`YYYY-MM-DD`), `<month>` its month (`YYYY-MM`);
//! `<province>` is the shipping province trimmed and lowercased. Day rollups are grouped by month
//! so that the days of a partial month are one `Query` (`sk BETWEEN <from> AND <to>~`); every
//! rollup a range reads is a whole month or a span of days of one month ([`crate::domain::plan`]).
//! A line item is one small item per province and day (and month), however many distinct line
//! items a province sells: no item grows with them. Sort keys stay under DynamoDB's 1,024 bytes
//! because ids that key them are at most [`MAX_KEY_BYTES`] (an event with a longer one is refused,
//! naming the field). The event item also carries `day_pk` = `EVENTS#<date>` and `day_sk` =
//! `<occurred_at, fixed width>#<event_id>`, the keys of the `EventsByDay` index the event listing
//! reads, and `ttl`, its expiry (the retention period after receipt; rollups never expire).
//!
//! Ingesting an event is **one** `TransactWriteItems`: the event item, conditional on
//! `attribute_not_exists(pk)`, and every rollup it touches, each an `ADD` of one order and its
//! value (the customer's also adds the order to `marketing_count`/`marketing_value` when the
//! buyer accepted marketing, and `SET`s the latest name, email and consent; the province's also
//! adds the total quantity), and its first [`FIRST_CHUNK_ITEMS`] distinct line items (day and
//! month). An event with more line items than one transaction holds (DynamoDB takes 100 actions)
//! adds the rest in further transactions of [`LATER_CHUNK_ITEMS`], each also advancing the event's
//! `items_done` on condition that it was the chunk before, so every chunk counts exactly once
//! whoever applies it (a redelivery resumes where a crash stopped).
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

pub use events::{EventItem, chunks};
pub use rollups::Reads;

pub use crate::domain::event::MAX_KEY_BYTES;

/// Actions in one `TransactWriteItems`, at most (DynamoDB's limit).
pub const MAX_ACTIONS: usize = 100;

/// Rollups of an event other than its line items: value, customer and province, each of the day
/// and of the month.
pub const TOTALS_ROLLUPS: usize = 6;

/// Distinct line items the ingest transaction adds (two updates each: day and month), after the
/// event and its [`TOTALS_ROLLUPS`].
pub const FIRST_CHUNK_ITEMS: usize = (MAX_ACTIONS - 1 - TOTALS_ROLLUPS) / 2;

/// Distinct line items each later transaction adds, next to the event's progress update.
pub const LATER_CHUNK_ITEMS: usize = (MAX_ACTIONS - 1) / 2;

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

/// How long an event is kept after it was received, unless configured otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 730;

#[derive(Clone)]
pub struct Store {
    table: Table,
    /// Days an event item lives after receipt (its `ttl`); rollups never expire.
    retention_days: u32,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), retention_days: DEFAULT_RETENTION_DAYS }
    }

    /// The same store, keeping events `days` after receipt.
    pub fn with_retention(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
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

/// The partition of `currency`'s month rollups.
pub fn month_pk(currency: &str) -> String {
    format!("MONTH#{currency}")
}

pub fn month_key(currency: &str, month: &str) -> Item {
    key(month_pk(currency), month)
}

/// The month (`YYYY-MM`) of a date (`YYYY-MM-DD`).
pub fn month_of(date: &str) -> &str {
    date.get(..7).unwrap_or(date)
}

/// A rollup family kept per day and per month: which partitions and sort keys it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Customers,
    Provinces,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Customers => "CUST",
            Family::Provinces => "PROV",
        }
    }

    /// The partition of `month`'s day rollups (sort keys `<date>#<id>`).
    pub fn days_pk(self, currency: &str, month: &str) -> String {
        format!("{}DAY#{currency}#{month}", self.name())
    }

    /// The partition of `month`'s month rollups (sort keys `<id>`).
    pub fn month_pk(self, currency: &str, month: &str) -> String {
        format!("{}MONTH#{currency}#{month}", self.name())
    }

    pub fn day_key(self, currency: &str, date: &str, id: &str) -> Item {
        key(self.days_pk(currency, month_of(date)), format!("{date}#{id}"))
    }

    pub fn month_key(self, currency: &str, month: &str, id: &str) -> Item {
        key(self.month_pk(currency, month), id)
    }
}

pub fn customer_key(currency: &str, date: &str, customer_id: &str) -> Item {
    Family::Customers.day_key(currency, date, customer_id)
}

pub fn province_key(currency: &str, date: &str, province_key: &str) -> Item {
    Family::Provinces.day_key(currency, date, province_key)
}

/// The partition of one province's line items of the days of `month`.
pub fn item_days_pk(currency: &str, month: &str, province_key: &str) -> String {
    format!("ITEMDAY#{currency}#{month}#{province_key}")
}

/// The partition of one province's line items of `month`.
pub fn item_month_pk(currency: &str, month: &str, province_key: &str) -> String {
    format!("ITEMMONTH#{currency}#{month}#{province_key}")
}

pub fn item_day_key(currency: &str, date: &str, province_key: &str, item_id: &str) -> Item {
    key(item_days_pk(currency, month_of(date), province_key), format!("{date}#{item_id}"))
}

pub fn item_month_key(currency: &str, month: &str, province_key: &str, item_id: &str) -> Item {
    key(item_month_pk(currency, month, province_key), item_id)
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
        assert_eq!(province_key("USD", "2020-09-01", "idaho"), key("PROVDAY#USD#2020-09", "2020-09-01#idaho"));
        assert_eq!(customer_key("USD", "2020-09-01", "c#1"), key("CUSTDAY#USD#2020-09", "2020-09-01#c#1"));
        assert_eq!(Family::Customers.month_key("USD", "2020-09", "c"), key("CUSTMONTH#USD#2020-09", "c"));
        assert_eq!(item_day_key("USD", "2020-09-01", "idaho", "x"), key("ITEMDAY#USD#2020-09#idaho", "2020-09-01#x"));
        assert_eq!(item_month_key("USD", "2020-09", "idaho", "x"), key("ITEMMONTH#USD#2020-09#idaho", "x"));
        assert_eq!(events_day_sk(at, "e-1"), "2020-09-01T23:59:59.999Z#e-1");
        assert_eq!(day_key("EUR", "2020-09-01"), key("DAY#EUR", "2020-09-01"));
        assert_eq!(month_key("EUR", "2020-09"), key("MONTH#EUR", "2020-09"));
        assert_eq!(FIRST_CHUNK_ITEMS, 46);
        assert_eq!(LATER_CHUNK_ITEMS, 49);
    }
}
