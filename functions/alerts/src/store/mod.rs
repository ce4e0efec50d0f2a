//! DynamoDB access for alerts. One table, composite key `pk`/`sk`:
//!
//! | item           | pk                                   | sk                      |
//! |----------------|--------------------------------------|-------------------------|
//! | alert          | `USER#<sub>`                         | `ALERT#<alert_id>`      |
//! | phrase guard   | `USER#<sub>`                         | `PHRASE#<normalised>`   |
//! | user profile   | `USER#<sub>`                         | `PROFILE`               |
//! | last products  | `USER#<sub>`                         | `PRODUCTS#<alert_id>`   |
//! | search cache   | `SEARCH#<currency>#<max>#<phrase>`   | `RESULT`                |
//! | history day    | `HIST#<currency>#<phrase>`           | `<date>`                |
//! | target notice  | `USER#<sub>`                         | `NOTIFIED#<alert_id>#<item_id>` |
//! | insight claim  | `USER#<sub>`                         | `INSIGHTS#<period>`     |
//! | insights run   | `INSIGHTS_RUN`                       | `<period>`              |
//! | quota counter  | `QUOTA#<name>#<sub or "stack">`      | `<window start>`        |
//!
//! **Counters** ([`shared::quota`]'s keys, TTL a day after their window): alerts created a day
//! per user (`QUOTA#alerts#<sub>`), the marketplace's calls of the day for the stack
//! (`QUOTA#marketplace#stack`) and each user's share of them (`QUOTA#marketplace-share#<sub>`),
//! each one conditional `UpdateItem` per unit ([`budget`]).
//!
//! **History**: one item per normalised phrase, currency and UTC day holds the day's 1,000
//! cheapest listings with their lowest total price (`listings`, a map by item id) and an 8-byte
//! hash of every other listing seen (`others`), so it stays far below DynamoDB's 400 KB however
//! many listings a phrase has (`domain::history`), written back on condition
//! that its `version` is still the one read; insights read a range of days by key, so their cost
//! grows with the days asked for, never with the history kept. DynamoDB's TTL removes a day
//! `ALERTS_HISTORY_DAYS` after it ended.
//!
//! **Profiles** (`Profiles`, a GSI of every profile under `profile_pk` = `PROFILE`, projecting
//! `insights`): the insight emails' fan-out reads it once per period. An insight email claims
//! `USER#<sub>`/`INSIGHTS#<period>` (insert only, TTL) before it is sent: one per user and period;
//! the fan-out of a period is marked done with `INSIGHTS_RUN`/`<period>` (TTL), so the schedule's
//! later firings in the period send nothing.
//!
//! **Targets** (`Targets`, a sparse GSI): an active alert with a `target_price` carries
//! `target_key` = `<currency>#<phrase>`; the recorder reads the alerts of a phrase with one
//! `Query`. A target notice (`until`, and a TTL) is put on condition that none is running for
//! that alert and listing, so a listing is named at most once per alert per 24 hours.
//!
//! Everything of a user is one partition, so a listing is one `Query` (alert ids start with
//! their creation time: the sort key orders them), and an alert is read by its key: someone
//! else's alert is simply not found. Creating an alert is one transaction: the alert
//! (`attribute_not_exists`), its phrase guard (`attribute_not_exists`: the same phrase twice is
//! refused) and the profile's `alerts` count (`ADD 1` on condition that it is below 20). Deleting
//! is the reverse, in one transaction too; changing the phrase moves the guard in the same
//! transaction as the alert, which is written on condition that `updated_at` is still what was
//! read (two concurrent changes cannot both win).
//!
//! **Due index** (`Due`, a sparse GSI): an active alert carries `due_shard` (`DUE#0`..`DUE#3`,
//! from its id) and `due_at` (its `next_run_at`, fixed-width RFC 3339), and only active alerts
//! do: pausing or unsubscribing removes them in the same write. The dispatcher reads the due
//! alerts of every shard with `due_at <= now`, by key, never by scan; the shards spread the
//! index's writes (every run moves `due_at`) over four partitions.
//!
//! **Last run**: an alert carries `last_run` (`{at, outcome}`), written with its claim when the
//! outcome is known before (no listings, no budget), else after, and `emailed` (each listing's
//! total price of its last email), which `notify_on: "changes"` compares the next listings with.
//!
//! **Claim**: a run moves an alert from its period to the next with one conditional `UpdateItem`
//! (`status = active AND next_run_at = <period>`) before it sends: of two deliveries of the same
//! work, two schedules or two workers, exactly one passes, so an alert mails at most once per
//! period. A send that fails with a retryable error moves it back (on condition that nothing moved
//! it since), so the redelivered message tries again.
//!
//! This module holds the keys; one file per aggregate holds its items and its `impl Store`:
//! [`alerts`] (an alert, its guard and its count), [`runs`] (the due index, claims, what an email
//! carried), [`searches`] (the search cache), [`history`] (price history, target notices),
//! [`preferences`] (profiles, insight emails).

use aws_sdk_dynamodb::{Client, types::TransactWriteItem};
use chrono::NaiveDate;
use shared::{
    dynamo::{Item, StoreError, Table, key},
    time::Timestamp,
};

use crate::{domain::Currency, marketplace::Search};

pub mod account;
pub mod alerts;
pub mod budget;
pub mod history;
pub mod preferences;
pub mod runs;
pub mod searches;

pub use preferences::Profile;
pub use runs::DueAlert;

const DUE_INDEX: &str = "Due";
const TARGETS_INDEX: &str = "Targets";
const PROFILES_INDEX: &str = "Profiles";
/// `profile_pk` of every profile: the `Profiles` index lists them for the insight emails.
const PROFILES: &str = "PROFILE";
pub const DUE_SHARDS: usize = 4;

/// Which item of a create, update or delete transaction refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Alert,
    /// The phrase guard: the user has an alert with this phrase.
    Phrase,
    /// The profile: the user has the most alerts allowed.
    Profile,
    /// No condition of its own.
    Other,
}

pub struct Store {
    pub table: Table,
}

impl Store {
    pub fn new(client: Client, table: &str) -> Self {
        Self { table: Table::new(client, table) }
    }

    /// The put of `item` in a transaction, on `condition` if any.
    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = self.table.tx_put().set_item(Some(item)).set_condition_expression(condition.map(str::to_owned));
        Ok(TransactWriteItem::builder().put(put.build()?).build())
    }

    /// The delete of `key` in a transaction, on `condition` if any.
    fn delete(&self, key: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let delete = self.table.tx_delete().set_key(Some(key)).set_condition_expression(condition.map(str::to_owned));
        Ok(TransactWriteItem::builder().delete(delete.build()?).build())
    }
}

fn user_pk(owner: &str) -> String {
    format!("USER#{owner}")
}

fn alert_key(owner: &str, alert_id: &str) -> Item {
    key(user_pk(owner), format!("ALERT#{alert_id}"))
}

/// Where a user's alerts start in their partition (the listing's prefix).
const ALERTS_PREFIX: &str = "ALERT#";

fn phrase_key(owner: &str, phrase: &str) -> Item {
    key(user_pk(owner), format!("PHRASE#{phrase}"))
}

fn profile_key(owner: &str) -> Item {
    key(user_pk(owner), "PROFILE")
}

fn products_key(owner: &str, alert_id: &str) -> Item {
    key(user_pk(owner), format!("PRODUCTS#{alert_id}"))
}

fn notice_key(owner: &str, alert_id: &str, item_id: &str) -> Item {
    key(user_pk(owner), format!("NOTIFIED#{alert_id}#{item_id}"))
}

fn insights_claim_key(owner: &str, period: &str) -> Item {
    key(user_pk(owner), format!("INSIGHTS#{period}"))
}

fn insights_run_key(period: &str) -> Item {
    key("INSIGHTS_RUN", period)
}

fn history_pk(currency: &Currency, phrase: &str) -> String {
    format!("HIST#{currency}#{phrase}")
}

fn history_key(currency: &Currency, phrase: &str, date: NaiveDate) -> Item {
    key(history_pk(currency, phrase), date.to_string())
}

fn search_key(search: &Search) -> Item {
    let max = search.max_price.map_or_else(|| "-".to_owned(), |m| m.0.to_string());
    key(format!("SEARCH#{}#{max}#{}", search.currency, search.phrase), "RESULT")
}

/// `due_at` as stored: fixed width, so that string order is time order.
fn due_at(ts: Timestamp) -> String {
    shared::time::sortable(ts)
}

/// The due index shard of an alert: stable, from its id.
fn due_shard(alert_id: &str) -> String {
    let sum: usize = alert_id.bytes().map(usize::from).sum();
    format!("DUE#{}", sum % DUE_SHARDS)
}

/// The partition key of one shard of the due index.
fn due_shard_key(shard: usize) -> String {
    format!("DUE#{shard}")
}

/// The `Targets` index key of a phrase.
fn target_key(currency: &Currency, phrase_key: &str) -> String {
    format!("{currency}#{phrase_key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_keys_are_fixed_width_and_shards_stable() {
        let at = shared::time::parse("2026-11-24T10:00:00Z").unwrap();
        assert_eq!(due_at(at), "2026-11-24T10:00:00.000Z");
        assert_eq!(due_shard("abc"), due_shard("abc"));
        assert!((0..DUE_SHARDS).any(|s| due_shard("20261124100000000-0123456789ab") == due_shard_key(s)));
    }
}
