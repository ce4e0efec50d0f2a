//! Everything of one user, for `DELETE /alerts/v1/me`: their partition (`USER#<sub>`) holds
//! their alerts, phrase guards, profile (email, insight emails), last products, target notices
//! and insight-email claims, so one `Query` by key finds it all.

use shared::dynamo::{StoreError, s};

use super::{Store, user_pk};

impl Store {
    /// Deletes every item of the user's partition; how many there were. Deleting again deletes
    /// what came meanwhile (nothing, usually): a retry after a failure finishes the work.
    pub async fn delete_user(&self, owner: &str) -> Result<usize, StoreError> {
        let query = self
            .table
            .query_items()
            .consistent_read(true)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(user_pk(owner)));
        let keys = self.table.keys(query).await?;
        let count = keys.len();
        self.table.delete_all(keys).await?;
        Ok(count)
    }
}
