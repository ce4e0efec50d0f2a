//! The marketplace budget's counters: the stack's calls of the day and each user's share of them,
//! each a fixed UTC-day window counted by one conditional `UpdateItem` (`ADD used 1` if
//! `used < limit`), exact under any number of concurrent workers, in the keys of
//! [`shared::quota`] (`QUOTA#<name>#<who>` / the window's start) and expiring with the table's
//! TTL a day after their window.

use aws_sdk_dynamodb::types::ReturnValue;
use chrono::TimeDelta;
use serde::Deserialize;
use shared::{
    dynamo::{Item, StoreError, key, n, store_err},
    quota::{Limit, Window},
    time::Timestamp,
};

use super::Store;

/// The stack's budget counter's name and who it counts.
pub const STACK_BUDGET: (&str, &str) = ("marketplace", "stack");
/// The users' shares' counters' name.
pub const USER_SHARE: &str = "marketplace-share";

fn counter_key(name: &str, who: &str, now: Timestamp) -> (Item, Timestamp) {
    let day = Limit { name: "", limit: 1, window: Window::Day };
    let (start, _) = day.window_at(now);
    (key(format!("QUOTA#{name}#{who}"), shared::time::sortable(start)), start)
}

impl Store {
    /// Spends one unit of the counter `name`/`who` of `now`'s UTC day if fewer than `limit` are
    /// spent: `Some(used)` (now), `None` past the limit.
    pub async fn spend_counter(
        &self,
        name: &str,
        who: &str,
        limit: u32,
        now: Timestamp,
    ) -> Result<Option<u32>, StoreError> {
        let (key, start) = counter_key(name, who, now);
        let expires = (start + TimeDelta::days(2)).timestamp();
        let result = self
            .table
            .update_item()
            .set_key(Some(key))
            .update_expression("ADD used :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":ttl", n(expires))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let used = out.attributes.as_ref().and_then(|a| a.get("used")).and_then(|v| v.as_n().ok());
                Ok(Some(used.and_then(|u| u.parse().ok()).unwrap_or(limit)))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(None),
            Err(err) => Err(store_err(err)),
        }
    }

    /// Gives back one unit spent for a search that was not made after all.
    pub async fn refund_counter(&self, name: &str, who: &str, now: Timestamp) -> Result<(), StoreError> {
        let (key, _) = counter_key(name, who, now);
        self.table
            .update_item()
            .set_key(Some(key))
            .update_expression("ADD used :minus")
            .condition_expression("used > :zero")
            .expression_attribute_values(":minus", n(-1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .map(|_| ())
            .or_else(|err| match err.as_service_error() {
                Some(e) if e.is_conditional_check_failed_exception() => Ok(()),
                _ => Err(store_err(err)),
            })
    }

    /// Units of the counter spent in `now`'s UTC day.
    pub async fn counter(&self, name: &str, who: &str, now: Timestamp) -> Result<u32, StoreError> {
        #[derive(Deserialize)]
        struct Counter {
            #[serde(default)]
            used: u32,
        }
        let (key, _) = counter_key(name, who, now);
        Ok(self.table.get::<Counter>(key).await?.map_or(0, |c| c.used))
    }
}
