//! Alerts: one item per alert with its phrase guard, counted on the owner's profile; read by key,
//! listed newest first, changed against what was read, unsubscribed from an email's link.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, Page, StoreError, Written, attr, from_item, item_at, n, one_more, s, store_err},
    time::Timestamp,
};

use super::{
    ALERTS_PREFIX, PROFILES, Part, Store, alert_key, due_at, due_shard, phrase_key, products_key, profile_key,
    target_key, user_pk,
};
use crate::domain::{Alert, Status, alert::MAX_ALERTS_PER_USER};

/// An alert as stored: the alert, its normalised phrase and, when active, its due-index keys.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AlertItem {
    #[serde(flatten)]
    pub(super) alert: Alert,
    phrase_key: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_shard: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    target_key: Option<String>,
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

fn alert_item(alert: &Alert) -> Result<Item, StoreError> {
    item_at(alert_key(&alert.owner, &alert.alert_id), &AlertItem::of(alert))
}

fn phrase_item(alert: &Alert) -> Item {
    let mut item = phrase_key(&alert.owner, &alert.phrase_key());
    item.insert("alert_id".into(), s(&alert.alert_id));
    item
}

impl Store {
    /// Stores a new alert with its phrase guard and counts it on the profile.
    pub async fn create(&self, alert: &Alert) -> Result<Written<Part>, StoreError> {
        let profile = self
            .table
            .tx_update()
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
                (Part::Alert, self.put(alert_item(alert)?, Some("attribute_not_exists(pk)"))?),
                (Part::Phrase, self.put(phrase_item(alert), Some("attribute_not_exists(pk)"))?),
                (Part::Profile, TransactWriteItem::builder().update(profile).build()),
            ])
            .await
    }

    pub async fn get(&self, owner: &str, alert_id: &str) -> Result<Option<Alert>, StoreError> {
        Ok(self.table.get::<AlertItem>(alert_key(owner, alert_id)).await?.map(|item| item.alert))
    }

    /// Up to `limit` of the owner's alerts, newest first, after the alert `after`; the next page
    /// starts after the id of the last one when more follow.
    pub async fn list(&self, owner: &str, after: Option<&str>, limit: usize) -> Result<Page<Alert>, StoreError> {
        let page = self
            .table
            .query_items()
            .consistent_read(true)
            .scan_index_forward(false)
            .limit(one_more(limit))
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(user_pk(owner)))
            .expression_attribute_values(":prefix", s(ALERTS_PREFIX))
            .set_exclusive_start_key(after.map(|after| alert_key(owner, after)))
            .send()
            .await
            .map_err(store_err)?;
        let alerts: Vec<Alert> = page
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<AlertItem>(item).map(|i| i.alert))
            .collect::<Result<_, _>>()?;
        Ok(Page::of(alerts, limit, |alert| alert.alert_id.clone()))
    }

    /// Every alert of a user (at most 20: one page).
    pub async fn alerts_of(&self, owner: &str) -> Result<Vec<Alert>, StoreError> {
        Ok(self.list(owner, None, 100).await?.items)
    }

    /// Writes `next` over `current` (as read), moving the phrase guard if the phrase changed.
    pub async fn update(&self, current: &Alert, next: &Alert) -> Result<Written<Part>, StoreError> {
        let alert = self
            .table
            .tx_put()
            .set_item(Some(alert_item(next)?))
            .condition_expression("updated_at = :read")
            .expression_attribute_values(":read", attr(&current.updated_at)?)
            .build()?;
        let mut items = vec![(Part::Alert, TransactWriteItem::builder().put(alert).build())];
        if current.phrase_key() != next.phrase_key() {
            items.push((Part::Other, self.delete(phrase_key(&current.owner, &current.phrase_key()), None)?));
            items.push((Part::Phrase, self.put(phrase_item(next), Some("attribute_not_exists(pk)"))?));
        }
        self.table.commit(items).await
    }

    /// Deletes the alert, its guard and its last products, and uncounts it.
    pub async fn delete_alert(&self, alert: &Alert) -> Result<Written<Part>, StoreError> {
        let profile = self
            .table
            .tx_update()
            .set_key(Some(profile_key(&alert.owner)))
            .update_expression("ADD alerts :minus")
            .expression_attribute_values(":minus", n(-1))
            .build()?;
        self.table
            .commit(vec![
                (Part::Alert, self.delete(alert_key(&alert.owner, &alert.alert_id), Some("attribute_exists(pk)"))?),
                (Part::Other, self.delete(phrase_key(&alert.owner, &alert.phrase_key()), None)?),
                (Part::Other, self.delete(products_key(&alert.owner, &alert.alert_id), None)?),
                (Part::Profile, TransactWriteItem::builder().update(profile).build()),
            ])
            .await
    }

    /// Marks an alert unsubscribed (out of the due index). `None` if there is no such alert.
    pub async fn unsubscribe(&self, owner: &str, alert_id: &str, now: Timestamp) -> Result<Option<Alert>, StoreError> {
        let result = self
            .table
            .update_item()
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
}
