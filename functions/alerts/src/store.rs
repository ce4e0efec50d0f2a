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
//!
//! **History**: one item per normalised phrase, currency and UTC day holds every listing seen
//! that day with its lowest total price (`listings`, a map by item id), written back on condition
//! that its `version` is still the one read; insights read a range of days by key, so their cost
//! grows with the days asked for, never with the history kept. DynamoDB's TTL removes a day
//! `ALERTS_HISTORY_DAYS` after it ended.
//!
//! **Profiles** (`Profiles`, a GSI of every profile under `profile_pk` = `PROFILE`, projecting
//! `insights`): the insight emails' fan-out reads it once per period. An insight email claims
//! `USER#<sub>`/`INSIGHTS#<period>` (insert only, TTL) before it is sent: one per user and period.
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
//! **Claim**: a run moves an alert from its period to the next with one conditional `UpdateItem`
//! (`status = active AND next_run_at = <period>`) before it sends: of two deliveries of the same
//! work, two schedules or two workers, exactly one passes, so an alert mails at most once per
//! period. A send that fails with a retryable error moves it back (on condition that nothing moved
//! it since), so the redelivered message tries again.

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, Delete, Put, ReturnValue, TransactWriteItem, Update},
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, Refusal, StoreError, Table, Written, attr, from_item, item_at, key, n, s, store_err},
    time::Timestamp,
};

use crate::{
    domain::{Alert, Cents, Currency, Frequency, Product, Status, alert::MAX_ALERTS_PER_USER, history::Day},
    marketplace::Search,
};

pub const DUE_INDEX: &str = "Due";
pub const TARGETS_INDEX: &str = "Targets";
pub const PROFILES_INDEX: &str = "Profiles";
/// `profile_pk` of every profile: the `Profiles` index lists them for the insight emails.
const PROFILES: &str = "PROFILE";
pub const DUE_SHARDS: usize = 4;

pub fn user_pk(owner: &str) -> String {
    format!("USER#{owner}")
}

fn alert_key(owner: &str, alert_id: &str) -> Item {
    key(user_pk(owner), format!("ALERT#{alert_id}"))
}

fn phrase_key(owner: &str, phrase: &str) -> Item {
    key(user_pk(owner), format!("PHRASE#{phrase}"))
}

fn profile_key(owner: &str) -> Item {
    key(user_pk(owner), "PROFILE")
}

fn products_key(owner: &str, alert_id: &str) -> Item {
    key(user_pk(owner), format!("PRODUCTS#{alert_id}"))
}

fn history_pk(currency: &Currency, phrase: &str) -> String {
    format!("HIST#{currency}#{phrase}")
}

fn history_key(currency: &Currency, phrase: &str, date: NaiveDate) -> Item {
    key(history_pk(currency, phrase), date.to_string())
}

/// A history day as stored.
#[derive(Debug, Serialize, Deserialize)]
struct HistoryItem {
    listings: Day,
    version: u64,
    ttl: i64,
}

#[derive(Debug, Deserialize)]
struct HistoryRow {
    sk: String,
    #[serde(default)]
    listings: Day,
}

fn search_key(search: &Search) -> Item {
    let max = search.max_price.map_or_else(|| "-".to_owned(), |m| m.0.to_string());
    key(format!("SEARCH#{}#{max}#{}", search.currency, search.phrase), "RESULT")
}

/// `due_at` as stored: fixed width, so that string order is time order.
pub fn due_at(ts: Timestamp) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The due index shard of an alert: stable, from its id.
pub fn due_shard(alert_id: &str) -> String {
    let sum: usize = alert_id.bytes().map(usize::from).sum();
    format!("DUE#{}", sum % DUE_SHARDS)
}

/// An alert as stored: the alert, its normalised phrase and, when active, its due-index keys.
#[derive(Debug, Serialize, Deserialize)]
struct AlertItem {
    #[serde(flatten)]
    alert: Alert,
    phrase_key: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_shard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    target_key: Option<String>,
}

/// The `Targets` index key of a phrase.
pub fn target_key(currency: &Currency, phrase_key: &str) -> String {
    format!("{currency}#{phrase_key}")
}

impl AlertItem {
    fn of(alert: &Alert) -> Self {
        let active = alert.status == Status::Active;
        Self {
            alert: alert.clone(),
            phrase_key: alert.phrase_key(),
            due_shard: active.then(|| due_shard(&alert.alert_id)),
            due_at: active.then(|| due_at(alert.next_run_at)),
            target_key: (active && alert.target_price.is_some())
                .then(|| target_key(&alert.currency, &alert.phrase_key())),
        }
    }
}

/// A due alert as the index projects it: enough to group alerts by search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueAlert {
    pub owner: String,
    pub alert_id: String,
    pub phrase_key: String,
    pub currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_price: Option<Cents>,
    pub frequency_minutes: Frequency,
    /// The period it is due for.
    pub next_run_at: Timestamp,
}

/// What the last email of an alert carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Products {
    pub fetched_at: Timestamp,
    pub products: Vec<Product>,
}

/// A user's settings: their email and whether they get insight emails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub alerts: u32,
    #[serde(default = "yes")]
    pub insights: bool,
}

fn yes() -> bool {
    true
}

/// Which item of a create or update transaction refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
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

    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table.name)
                    .set_item(Some(item))
                    .set_condition_expression(condition.map(str::to_owned))
                    .build()?,
            )
            .build())
    }

    fn delete(&self, key: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(&self.table.name)
                    .set_key(Some(key))
                    .set_condition_expression(condition.map(str::to_owned))
                    .build()?,
            )
            .build())
    }

    fn alert_item(alert: &Alert) -> Result<Item, StoreError> {
        item_at(alert_key(&alert.owner, &alert.alert_id), &AlertItem::of(alert))
    }

    fn phrase_item(alert: &Alert) -> Result<Item, StoreError> {
        let mut item = phrase_key(&alert.owner, &alert.phrase_key());
        item.insert("alert_id".into(), s(&alert.alert_id));
        Ok(item)
    }

    /// Stores a new alert with its phrase guard and counts it on the profile.
    pub async fn create(&self, alert: &Alert) -> Result<Written<Role>, StoreError> {
        let profile = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(profile_key(&alert.owner)))
            .update_expression(
                "SET email = :email, insights = if_not_exists(insights, :yes), profile_pk = :profiles, #owner = :owner \
                 ADD alerts :one",
            )
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":profiles", s(PROFILES))
            .expression_attribute_values(":owner", s(&alert.owner))
            .condition_expression("attribute_not_exists(alerts) OR alerts < :max")
            .expression_attribute_values(":email", s(&alert.email))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(MAX_ALERTS_PER_USER))
            .build()?;
        self.table
            .commit(vec![
                (Role::Alert, self.put(Self::alert_item(alert)?, Some("attribute_not_exists(pk)"))?),
                (Role::Phrase, self.put(Self::phrase_item(alert)?, Some("attribute_not_exists(pk)"))?),
                (Role::Profile, TransactWriteItem::builder().update(profile).build()),
            ])
            .await
    }

    pub async fn get(&self, owner: &str, alert_id: &str) -> Result<Option<Alert>, StoreError> {
        Ok(self.table.get::<AlertItem>(alert_key(owner, alert_id)).await?.map(|item| item.alert))
    }

    /// Up to `limit` of the owner's alerts, newest first, after the alert `after`; and the id
    /// of the last one when more may follow.
    pub async fn list(
        &self,
        owner: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Alert>, Option<String>), StoreError> {
        let mut query = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .consistent_read(true)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":pk", s(user_pk(owner)))
            .expression_attribute_values(":prefix", s("ALERT#"));
        if let Some(after) = after {
            query = query.set_exclusive_start_key(Some(alert_key(owner, after)));
        }
        let page =
            query.key_condition_expression("pk = :pk AND begins_with(sk, :prefix)").send().await.map_err(store_err)?;
        let alerts: Vec<Alert> = page
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<AlertItem>(item).map(|i| i.alert))
            .collect::<Result<_, _>>()?;
        let more = page.last_evaluated_key.is_some() && alerts.len() == limit;
        let last = if more { alerts.last().map(|a| a.alert_id.clone()) } else { None };
        Ok((alerts, last))
    }

    /// Writes `next` over `current` (as read), moving the phrase guard if the phrase changed.
    pub async fn update(&self, current: &Alert, next: &Alert) -> Result<Written<Role>, StoreError> {
        let alert = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(Self::alert_item(next)?))
            .condition_expression("updated_at = :read")
            .expression_attribute_values(":read", attr(&current.updated_at)?)
            .build()?;
        let mut items = vec![(Role::Alert, TransactWriteItem::builder().put(alert).build())];
        if current.phrase_key() != next.phrase_key() {
            items.push((Role::Other, self.delete(phrase_key(&current.owner, &current.phrase_key()), None)?));
            items.push((Role::Phrase, self.put(Self::phrase_item(next)?, Some("attribute_not_exists(pk)"))?));
        }
        self.table.commit(items).await
    }

    /// Deletes the alert, its guard and its last products, and uncounts it.
    pub async fn delete_alert(&self, alert: &Alert) -> Result<Written<Role>, StoreError> {
        let profile = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(profile_key(&alert.owner)))
            .update_expression("ADD alerts :minus")
            .expression_attribute_values(":minus", n(-1))
            .build()?;
        self.table
            .commit(vec![
                (Role::Alert, self.delete(alert_key(&alert.owner, &alert.alert_id), Some("attribute_exists(pk)"))?),
                (Role::Other, self.delete(phrase_key(&alert.owner, &alert.phrase_key()), None)?),
                (Role::Other, self.delete(products_key(&alert.owner, &alert.alert_id), None)?),
                (Role::Profile, TransactWriteItem::builder().update(profile).build()),
            ])
            .await
    }

    /// Every active alert due at `now` in one shard of the due index, every page.
    pub async fn due(&self, shard: usize, now: Timestamp) -> Result<Vec<DueAlert>, StoreError> {
        let mut pages = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name(DUE_INDEX)
            .key_condition_expression("due_shard = :shard AND due_at <= :now")
            .expression_attribute_values(":shard", s(format!("DUE#{shard}")))
            .expression_attribute_values(":now", s(due_at(now)))
            .into_paginator()
            .items()
            .send();
        let mut due = Vec::new();
        while let Some(item) = pages.next().await {
            due.push(from_item(item.map_err(store_err)?)?);
        }
        Ok(due)
    }

    /// Moves an active alert from `period` to `next`: `Some(alert)` (as it is now) if this call
    /// did, `None` if it is not active or not at that period any more (another delivery claimed
    /// it, or its owner changed it).
    /// `every` is the frequency `next` was computed with: a claim fails if it changed.
    pub async fn claim(
        &self,
        owner: &str,
        alert_id: &str,
        period: Timestamp,
        next: Timestamp,
        every: Frequency,
    ) -> Result<Option<Alert>, StoreError> {
        match self.move_period(owner, alert_id, period, next, Some(every)).await? {
            Some(Some(item)) => Ok(Some(from_item::<AlertItem>(item)?.alert)),
            _ => Ok(None),
        }
    }

    /// Undoes a [`Store::claim`] whose email could not be sent, if nothing moved the alert since.
    pub async fn release(
        &self,
        owner: &str,
        alert_id: &str,
        period: Timestamp,
        next: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self.move_period(owner, alert_id, next, period, None).await?.is_some())
    }

    /// `None` if the alert is not active at `from`; else what `returned` asked for.
    async fn move_period(
        &self,
        owner: &str,
        alert_id: &str,
        from: Timestamp,
        to: Timestamp,
        every: Option<Frequency>,
    ) -> Result<Option<Option<Item>>, StoreError> {
        let mut request = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(alert_key(owner, alert_id)))
            .update_expression("SET next_run_at = :to, due_at = :due")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", attr(&Status::Active)?)
            .expression_attribute_values(":from", attr(&from)?)
            .expression_attribute_values(":to", attr(&to)?)
            .expression_attribute_values(":due", s(due_at(to)));
        request = match every {
            Some(every) => request
                .condition_expression("#status = :active AND next_run_at = :from AND frequency_minutes = :every")
                .expression_attribute_values(":every", attr(&every)?)
                .return_values(ReturnValue::AllNew),
            None => request.condition_expression("#status = :active AND next_run_at = :from"),
        };
        let result = request.send().await;
        match result {
            Ok(output) => Ok(Some(output.attributes)),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(None),
            Err(err) => Err(store_err(err)),
        }
    }

    /// Records an email sent for an alert at `now` with what it carried (nothing if the alert
    /// was deleted meanwhile).
    pub async fn sent(&self, alert: &Alert, now: Timestamp, products: &[Product]) -> Result<(), StoreError> {
        let update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(alert_key(&alert.owner, &alert.alert_id)))
            .update_expression("SET last_sent_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", attr(&now)?)
            .build()?;
        let record = Products { fetched_at: now, products: products.to_vec() };
        let written = self
            .table
            .commit(vec![
                (Role::Alert, TransactWriteItem::builder().update(update).build()),
                (Role::Other, self.put(item_at(products_key(&alert.owner, &alert.alert_id), &record)?, None)?),
            ])
            .await?;
        match written {
            Ok(()) | Err(Refusal::Condition(_)) => Ok(()),
            Err(Refusal::Conflict) => Err(StoreError::Unavailable("recording the email met a concurrent write".into())),
        }
    }

    pub async fn products(&self, owner: &str, alert_id: &str) -> Result<Option<Products>, StoreError> {
        self.table.get(products_key(owner, alert_id)).await
    }

    /// Marks an alert unsubscribed (out of the due index). `None` if there is no such alert.
    pub async fn unsubscribe(&self, owner: &str, alert_id: &str, now: Timestamp) -> Result<Option<Alert>, StoreError> {
        let result = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(alert_key(owner, alert_id)))
            .update_expression("SET #status = :unsubscribed, updated_at = :now REMOVE due_shard, due_at, target_key")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":unsubscribed", attr(&Status::Unsubscribed)?)
            .expression_attribute_values(":now", attr(&now)?)
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.map(|item| from_item::<AlertItem>(item).map(|i| i.alert)).transpose(),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(None),
            Err(err) => Err(store_err(err)),
        }
    }

    pub async fn profile(&self, owner: &str) -> Result<Option<Profile>, StoreError> {
        self.table.get(profile_key(owner)).await
    }

    /// A day of a phrase's history and its version (`None`: nothing recorded yet).
    pub async fn history_day(
        &self,
        currency: &Currency,
        phrase: &str,
        date: NaiveDate,
    ) -> Result<Option<(Day, u64)>, StoreError> {
        Ok(self.table.get::<HistoryItem>(history_key(currency, phrase, date)).await?.map(|i| (i.listings, i.version)))
    }

    /// Writes a day back, on condition that it is still at `read` (`None`: that it does not exist).
    pub async fn put_history_day(
        &self,
        currency: &Currency,
        phrase: &str,
        date: NaiveDate,
        day: &Day,
        read: Option<u64>,
        ttl: i64,
    ) -> Result<Written, StoreError> {
        let record = HistoryItem { listings: day.clone(), version: read.map_or(1, |v| v + 1), ttl };
        let key = history_key(currency, phrase, date);
        match read {
            None => self.table.insert(key, &record).await,
            Some(version) => {
                let condition = shared::dynamo::Condition::new("version = :read").value(":read", n(version));
                self.table.put_if(key, &record, condition).await
            }
        }
    }

    /// The days of a phrase's history from `first` to `last`, oldest first (those with none are
    /// absent).
    pub async fn history(
        &self,
        currency: &Currency,
        phrase: &str,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Day)>, StoreError> {
        let pk = history_pk(currency, phrase);
        let items: Vec<HistoryRow> = self
            .table
            .query(
                |q| {
                    q.key_condition_expression("pk = :pk AND sk BETWEEN :first AND :last")
                        .expression_attribute_values(":pk", s(pk))
                        .expression_attribute_values(":first", s(first.to_string()))
                        .expression_attribute_values(":last", s(last.to_string()))
                },
                None,
            )
            .await?;
        Ok(items.into_iter().filter_map(|row| row.sk.parse().ok().map(|date| (date, row.listings))).collect())
    }

    /// The active alerts with a target price for a phrase.
    pub async fn targets(&self, currency: &Currency, phrase: &str) -> Result<Vec<Alert>, StoreError> {
        let mut pages = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name(TARGETS_INDEX)
            .key_condition_expression("target_key = :key")
            .expression_attribute_values(":key", s(target_key(currency, phrase)))
            .into_paginator()
            .items()
            .send();
        let mut alerts = Vec::new();
        while let Some(item) = pages.next().await {
            alerts.push(from_item::<AlertItem>(item.map_err(store_err)?)?.alert);
        }
        Ok(alerts)
    }

    /// Claims naming `item_id` to the alert's owner until `until`, unless a claim is running.
    pub async fn claim_notice(
        &self,
        alert: &Alert,
        item_id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<Written, StoreError> {
        let key = key(user_pk(&alert.owner), format!("NOTIFIED#{}#{item_id}", alert.alert_id));
        #[derive(Serialize)]
        struct Notice {
            until: Timestamp,
            ttl: i64,
        }
        let condition = shared::dynamo::Condition::new("attribute_not_exists(pk) OR #until <= :now")
            .name("#until", "until")
            .value(":now", attr(&now)?);
        self.table.put_if(key, &Notice { until, ttl: until.timestamp() }, condition).await
    }

    /// Withdraws a notice claim whose email could not be sent.
    pub async fn release_notice(&self, alert: &Alert, item_id: &str, until: Timestamp) -> Result<(), StoreError> {
        let result = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(key(user_pk(&alert.owner), format!("NOTIFIED#{}#{item_id}", alert.alert_id))))
            .condition_expression("#until = :until")
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":until", attr(&until)?)
            .send()
            .await;
        shared::dynamo::written(result).map(|_| ())
    }

    /// Sets whether the user gets insight emails (making the profile if there is none).
    pub async fn set_insights(&self, owner: &str, email: Option<&str>, insights: bool) -> Result<Profile, StoreError> {
        let mut update = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(profile_key(owner)))
            .update_expression(if email.is_some() {
                "SET insights = :insights, profile_pk = :profiles, #owner = :owner, email = if_not_exists(email, :email)"
            } else {
                "SET insights = :insights, profile_pk = :profiles, #owner = :owner"
            })
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":insights", AttributeValue::Bool(insights))
            .expression_attribute_values(":profiles", s(PROFILES))
            .expression_attribute_values(":owner", s(owner))
            .return_values(ReturnValue::AllNew);
        if let Some(email) = email {
            update = update.expression_attribute_values(":email", s(email));
        }
        let output = update.send().await.map_err(store_err)?;
        from_item(output.attributes.unwrap_or_default())
    }

    /// Every user with insight emails on: their ids, every page of the `Profiles` index.
    pub async fn insight_subscribers(&self) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            owner: String,
        }
        let mut pages = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name(PROFILES_INDEX)
            .key_condition_expression("profile_pk = :profiles")
            .filter_expression("insights = :yes")
            .expression_attribute_values(":profiles", s(PROFILES))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .into_paginator()
            .items()
            .send();
        let mut owners = Vec::new();
        while let Some(item) = pages.next().await {
            owners.push(from_item::<Row>(item.map_err(store_err)?)?.owner);
        }
        Ok(owners)
    }

    /// Claims the user's insight email of `period` (refused if it was claimed before).
    pub async fn claim_insights(&self, owner: &str, period: &str, expires: Timestamp) -> Result<Written, StoreError> {
        #[derive(Serialize)]
        struct Claim {
            ttl: i64,
        }
        self.table.insert(key(user_pk(owner), format!("INSIGHTS#{period}")), &Claim { ttl: expires.timestamp() }).await
    }

    /// Withdraws a claim whose email could not be sent.
    pub async fn release_insights(&self, owner: &str, period: &str) -> Result<(), StoreError> {
        self.table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(key(user_pk(owner), format!("INSIGHTS#{period}"))))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Every alert of a user (at most 20: one page).
    pub async fn alerts_of(&self, owner: &str) -> Result<Vec<Alert>, StoreError> {
        Ok(self.list(owner, None, 100).await?.0)
    }

    /// A cached search result, if any (the caller decides whether it is fresh enough).
    pub async fn cached_search(&self, search: &Search) -> Result<Option<Products>, StoreError> {
        self.table.get(search_key(search)).await
    }

    /// Caches a search result; DynamoDB's TTL removes it a day later.
    pub async fn cache_search(&self, search: &Search, result: &Products) -> Result<(), StoreError> {
        #[derive(Serialize)]
        struct Cached<'a> {
            #[serde(flatten)]
            result: &'a Products,
            ttl: i64,
        }
        let ttl = result.fetched_at.timestamp() + 86_400;
        self.table.put(search_key(search), &Cached { result, ttl }).await
    }
}
