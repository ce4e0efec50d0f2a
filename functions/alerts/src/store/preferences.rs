//! Profiles and insight emails: a user's email and whether they get insight emails (the
//! `Profiles` index lists those who do), the claim of one insight email per user and period, and
//! the mark of a period whose emails were fanned out.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{StoreError, Table, Written, from_item, s, store_err},
    time::Timestamp,
};

use super::{PROFILES, PROFILES_INDEX, Store, insights_claim_key, insights_run_key, profile_key};

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

/// A claim of one user's insight email of one period, as stored.
#[derive(Serialize)]
struct Claim {
    ttl: i64,
}

/// The mark of a period whose insight emails were fanned out, as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Run {
    #[serde(default)]
    users: usize,
    #[serde(default)]
    ttl: i64,
}

impl Store {
    pub async fn profile(&self, owner: &str) -> Result<Option<Profile>, StoreError> {
        self.table.get(profile_key(owner)).await
    }

    /// Sets whether the user gets insight emails (making the profile if there is none).
    pub async fn set_insights(&self, owner: &str, email: Option<&str>, insights: bool) -> Result<Profile, StoreError> {
        let mut update = self
            .table
            .update_item()
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
        let query = self
            .table
            .query_items()
            .index_name(PROFILES_INDEX)
            .key_condition_expression("profile_pk = :profiles")
            .filter_expression("insights = :yes")
            .expression_attribute_values(":profiles", s(PROFILES))
            .expression_attribute_values(":yes", AttributeValue::Bool(true));
        Table::stream::<Row>(query).map_ok(|row| row.owner).try_collect().await
    }

    /// Claims the user's insight email of `period` (refused if it was claimed before).
    pub async fn claim_insights(&self, owner: &str, period: &str, expires: Timestamp) -> Result<Written, StoreError> {
        self.table.insert(insights_claim_key(owner, period), &Claim { ttl: expires.timestamp() }).await
    }

    /// Withdraws a claim whose email could not be sent.
    pub async fn release_insights(&self, owner: &str, period: &str) -> Result<(), StoreError> {
        self.table.delete_item().set_key(Some(insights_claim_key(owner, period))).send().await.map_err(store_err)?;
        Ok(())
    }

    /// Whether the insight emails of `period` were fanned out already.
    pub async fn insights_ran(&self, period: &str) -> Result<bool, StoreError> {
        Ok(self.table.get::<Run>(insights_run_key(period)).await?.is_some())
    }

    /// Marks the insight emails of `period` fanned out (to `users` users), until `expires`.
    pub async fn mark_insights_run(&self, period: &str, users: usize, expires: Timestamp) -> Result<(), StoreError> {
        self.table.put(insights_run_key(period), &Run { users, ttl: expires.timestamp() }).await
    }
}
