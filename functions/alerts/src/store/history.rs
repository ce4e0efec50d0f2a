//! Price history and target notices: a phrase's days read and written back on their version,
//! the alerts with a target for a phrase, and the notice claims that name a listing to an
//! alert's owner at most once a day.

use chrono::NaiveDate;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Condition, StoreError, Table, Written, attr, n, s, written},
    time::Timestamp,
};

use super::{Store, TARGETS_INDEX, alerts::AlertItem, history_key, history_pk, notice_key, target_key};
use crate::domain::{
    Alert, Currency,
    history::{Day, DayHistory},
};

/// A history day as stored: the kept listings, and the hashes of the others (8 bytes each, one
/// base64 string: a set of numbers would take twice the room).
#[derive(Debug, Serialize, Deserialize)]
struct HistoryItem {
    listings: Day,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    others: String,
    version: u64,
    ttl: i64,
}

#[derive(Debug, Deserialize)]
struct HistoryRow {
    sk: String,
    #[serde(default)]
    listings: Day,
    #[serde(default)]
    others: String,
}

fn encode_others(day: &DayHistory) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = day.others.iter().flat_map(|h| h.to_be_bytes()).collect();
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

fn decode_others(text: &str) -> std::collections::BTreeSet<u64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(text).unwrap_or_default();
    bytes.chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default())).collect()
}

/// A target notice as stored: running until `until`.
#[derive(Serialize)]
struct Notice {
    until: Timestamp,
    ttl: i64,
}

impl Store {
    /// A day of a phrase's history and its version (`None`: nothing recorded yet).
    pub async fn history_day(
        &self,
        currency: &Currency,
        phrase: &str,
        date: NaiveDate,
    ) -> Result<Option<(DayHistory, u64)>, StoreError> {
        Ok(self.table.get::<HistoryItem>(history_key(currency, phrase, date)).await?.map(|i| {
            let others = decode_others(&i.others);
            (DayHistory { kept: i.listings, others }, i.version)
        }))
    }

    /// Writes a day back, on condition that it is still at `read` (`None`: that it does not exist).
    pub async fn put_history_day(
        &self,
        currency: &Currency,
        phrase: &str,
        date: NaiveDate,
        day: &DayHistory,
        read: Option<u64>,
        ttl: i64,
    ) -> Result<Written, StoreError> {
        let record = HistoryItem {
            listings: day.kept.clone(),
            others: encode_others(day),
            version: read.map_or(1, |v| v + 1),
            ttl,
        };
        let key = history_key(currency, phrase, date);
        match read {
            None => self.table.insert(key, &record).await,
            Some(version) => {
                let condition = Condition::new("version = :read").value(":read", n(version));
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
    ) -> Result<Vec<(NaiveDate, DayHistory)>, StoreError> {
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
        Ok(items
            .into_iter()
            .filter_map(|row| {
                let day = DayHistory { kept: row.listings, others: decode_others(&row.others) };
                row.sk.parse().ok().map(|date| (date, day))
            })
            .collect())
    }

    /// The active alerts with a target price for a phrase.
    pub async fn targets(&self, currency: &Currency, phrase: &str) -> Result<Vec<Alert>, StoreError> {
        let query = self
            .table
            .query_items()
            .index_name(TARGETS_INDEX)
            .key_condition_expression("target_key = :key")
            .expression_attribute_values(":key", s(target_key(currency, phrase)));
        Table::stream::<AlertItem>(query).map_ok(|item| item.alert).try_collect().await
    }

    /// Claims naming `item_id` to the alert's owner until `until`, unless a claim is running.
    pub async fn claim_notice(
        &self,
        alert: &Alert,
        item_id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<Written, StoreError> {
        let key = notice_key(&alert.owner, &alert.alert_id, item_id);
        let condition = Condition::new("attribute_not_exists(pk) OR #until <= :now")
            .name("#until", "until")
            .value(":now", attr(&now)?);
        self.table.put_if(key, &Notice { until, ttl: until.timestamp() }, condition).await
    }

    /// Withdraws a notice claim whose email could not be sent.
    pub async fn release_notice(&self, alert: &Alert, item_id: &str, until: Timestamp) -> Result<(), StoreError> {
        let result = self
            .table
            .delete_item()
            .set_key(Some(notice_key(&alert.owner, &alert.alert_id, item_id)))
            .condition_expression("#until = :until")
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":until", attr(&until)?)
            .send()
            .await;
        written(result).map(|_| ())
    }
}
