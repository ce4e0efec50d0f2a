//! Everything of one user, for `DELETE /alerts/v1/me`: their partition (`USER#<sub>`) holds
//! their alerts, phrase guards, profile (email, insight emails), last products, target notices
//! and insight-email claims, so one `Query` by key finds it all.

use futures::{StreamExt, TryStreamExt, stream};
use serde::Deserialize;
use shared::dynamo::{StoreError, Table, key, s, store_err};

use super::{Store, user_pk};

/// Deletes in flight at once.
const DELETES_IN_FLIGHT: usize = 8;

impl Store {
    /// Deletes every item of the user's partition; how many there were. Deleting again deletes
    /// what came meanwhile (nothing, usually): a retry after a failure finishes the work.
    pub async fn delete_user(&self, owner: &str) -> Result<usize, StoreError> {
        #[derive(Deserialize)]
        struct Key {
            pk: String,
            sk: String,
        }
        let query = self
            .table
            .query_items()
            .consistent_read(true)
            .key_condition_expression("pk = :pk")
            .projection_expression("pk, sk")
            .expression_attribute_values(":pk", s(user_pk(owner)));
        let keys: Vec<Key> = Table::stream::<Key>(query).try_collect().await?;
        let count = keys.len();
        stream::iter(keys)
            .map(|k| async move {
                self.table.delete_item().set_key(Some(key(k.pk, k.sk))).send().await.map_err(store_err).map(|_| ())
            })
            .buffer_unordered(DELETES_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(count)
    }
}
