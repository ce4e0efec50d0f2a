//! The claims that send each email at most once: one item per email (reservation, event,
//! sequence, side), put on condition that it is not there, before the email is sent; released
//! again when the mail service was unavailable, so that the redelivered message sends it then.

use serde::Serialize;
use shared::dynamo::{StoreError, Written, key, s, store_err};
use shared::time::Timestamp;

use super::Store;

/// How long a claim is kept: past any redelivery of its message (SQS keeps messages 4 days).
const CLAIM_DAYS: i64 = 14;

#[derive(Serialize)]
struct Claim<'a> {
    state: &'a str,
    claimed_at: Timestamp,
    ttl: i64,
}

fn claim_key(claim: &str) -> shared::dynamo::Item {
    key(format!("NOTICE#{claim}"), "NOTICE")
}

impl Store {
    /// Claims the email `claim` (refused: claimed already, sent or being sent).
    pub async fn claim_notice(&self, claim: &str, now: Timestamp) -> Result<Written, StoreError> {
        let record =
            Claim { state: "sending", claimed_at: now, ttl: (now + chrono::Duration::days(CLAIM_DAYS)).timestamp() };
        self.table.insert(claim_key(claim), &record).await
    }

    /// Records that the email went (or was refused for good, `state` says which).
    pub async fn settle_notice(&self, claim: &str, state: &str) -> Result<(), StoreError> {
        self.table
            .update_item()
            .set_key(Some(claim_key(claim)))
            .update_expression("SET #state = :state")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", s(state))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// Gives the claim up (the mail service was unavailable): the next delivery may send it. Only
    /// the claimant calls it, while its email has not gone.
    pub async fn release_notice(&self, claim: &str) -> Result<(), StoreError> {
        self.table.delete_item().set_key(Some(claim_key(claim))).send().await.map_err(store_err)?;
        Ok(())
    }
}
