//! Runs: the due index read shard by shard, the claim that moves an alert to its next period
//! before it mails (and its release when the email could not go), and what the email carried.

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, Refusal, StoreError, Table, attr, from_item, item_at, s, store_err},
    time::Timestamp,
};

use super::{DUE_INDEX, Part, Store, alert_key, alerts::AlertItem, due_at, due_shard_key, products_key};
use crate::domain::{
    Alert, Cents, Currency, Frequency, Product, Products, Status,
    alert::{LastRun, RunOutcome, fingerprint},
};

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

impl Store {
    /// Every active alert due at `now` in one shard of the due index, every page.
    pub async fn due(&self, shard: usize, now: Timestamp) -> Result<Vec<DueAlert>, StoreError> {
        let query = self
            .table
            .query_items()
            .index_name(DUE_INDEX)
            .key_condition_expression("due_shard = :shard AND due_at <= :now")
            .expression_attribute_values(":shard", s(due_shard_key(shard)))
            .expression_attribute_values(":now", s(due_at(now)));
        Table::stream::<DueAlert>(query).try_collect().await
    }

    /// Moves an active alert from `period` to `next`: `Some(alert)` (as it is now) if this call
    /// did, `None` if it is not active or not at that period any more (another delivery claimed
    /// it, or its owner changed it).
    /// `every` is the frequency `next` was computed with: a claim fails if it changed. `run`,
    /// when the run's outcome is known before the claim (no listings, no budget), is recorded
    /// with it in the same write.
    pub async fn claim(
        &self,
        owner: &str,
        alert_id: &str,
        (period, next): (Timestamp, Timestamp),
        every: Frequency,
        run: Option<LastRun>,
    ) -> Result<Option<Alert>, StoreError> {
        match self.move_period(owner, alert_id, period, next, Some(every), run).await? {
            Some(Some(item)) => Ok(Some(from_item::<AlertItem>(item)?.alert)),
            _ => Ok(None),
        }
    }

    /// Undoes a [`Store::claim`] whose email could not be sent, if nothing moved the alert since
    /// (its last run: failed, at `now`).
    pub async fn release(
        &self,
        owner: &str,
        alert_id: &str,
        (period, next): (Timestamp, Timestamp),
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let failed = LastRun { at: now, outcome: RunOutcome::Failed };
        Ok(self.move_period(owner, alert_id, next, period, None, Some(failed)).await?.is_some())
    }

    /// Records how an alert's run ended (nothing if the alert was deleted meanwhile).
    pub async fn record_run(&self, alert: &Alert, run: LastRun) -> Result<(), StoreError> {
        let result = self
            .table
            .update_item()
            .set_key(Some(alert_key(&alert.owner, &alert.alert_id)))
            .update_expression("SET last_run = :run")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":run", attr(&run)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(err) => Err(store_err(err)),
        }
    }

    /// `None` if the alert is not active at `from`; else what `returned` asked for.
    async fn move_period(
        &self,
        owner: &str,
        alert_id: &str,
        from: Timestamp,
        to: Timestamp,
        every: Option<Frequency>,
        run: Option<LastRun>,
    ) -> Result<Option<Option<Item>>, StoreError> {
        let mut request = self
            .table
            .update_item()
            .set_key(Some(alert_key(owner, alert_id)))
            .update_expression(if run.is_some() {
                "SET next_run_at = :to, due_at = :due, last_run = :run"
            } else {
                "SET next_run_at = :to, due_at = :due"
            })
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", attr(&Status::Active)?)
            .expression_attribute_values(":from", attr(&from)?)
            .expression_attribute_values(":to", attr(&to)?)
            .expression_attribute_values(":due", s(due_at(to)));
        if let Some(run) = run {
            request = request.expression_attribute_values(":run", attr(&run)?);
        }
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

    /// Records an email sent for an alert at `now` with what it carried, as fetched at
    /// `fetched_at` (nothing if the alert was deleted meanwhile): its last run, and the
    /// fingerprint `notify_on: "changes"` compares the next listings with.
    pub async fn sent(
        &self,
        alert: &Alert,
        now: Timestamp,
        products: &[Product],
        fetched_at: Timestamp,
    ) -> Result<(), StoreError> {
        let run = LastRun { at: now, outcome: RunOutcome::Sent };
        let update = self
            .table
            .tx_update()
            .set_key(Some(alert_key(&alert.owner, &alert.alert_id)))
            .update_expression("SET last_sent_at = :now, last_run = :run, emailed = :emailed")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", attr(&now)?)
            .expression_attribute_values(":run", attr(&run)?)
            .expression_attribute_values(":emailed", attr(&fingerprint(products))?)
            .build()?;
        let record = Products { fetched_at, products: products.to_vec() };
        let written = self
            .table
            .commit(vec![
                (Part::Alert, TransactWriteItem::builder().update(update).build()),
                (Part::Other, self.put(item_at(products_key(&alert.owner, &alert.alert_id), &record)?, None)?),
            ])
            .await?;
        match written {
            Ok(()) | Err(Refusal::Condition(_)) => Ok(()),
            Err(Refusal::Conflict) => Err(StoreError::Unavailable("recording the email met a concurrent write".into())),
        }
    }

    /// What the last email of an alert carried (`None` before its first).
    pub async fn products(&self, owner: &str, alert_id: &str) -> Result<Option<Products>, StoreError> {
        self.table.get(products_key(owner, alert_id)).await
    }
}
