//! Providers' and clients' profiles (a provider's with its directory entry).

use aws_sdk_dynamodb::types::TransactWriteItem;
use serde::{Deserialize, de::IgnoredAny};
use shared::dynamo::{StoreError, Written, item_at};

use super::{Part, Store, client_key, directory_key, provider_key};
use crate::domain::{Client as ClientProfile, DirectoryEntry, Provider};

impl Store {
    /// Creates a provider's profile and directory entry in one transaction, unless the profile
    /// exists (refused, `Part::Provider`: nothing is written).
    pub async fn create_provider(&self, provider: &Provider) -> Result<Written<Part>, StoreError> {
        let profile = self
            .table
            .tx_put()
            .set_item(Some(item_at(provider_key(&provider.provider_id), provider)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let entry = self
            .table
            .tx_put()
            .set_item(Some(item_at(directory_key(&provider.provider_id), &DirectoryEntry::from(provider))?))
            .build()?;
        self.table
            .commit(vec![
                (Part::Provider, TransactWriteItem::builder().put(profile).build()),
                (Part::Provider, TransactWriteItem::builder().put(entry).build()),
            ])
            .await
    }

    /// Creates a client's profile unless one exists (refused: nothing is written).
    pub async fn create_client(&self, client: &ClientProfile) -> Result<Written, StoreError> {
        self.table.insert(client_key(&client.client_id), client).await
    }

    pub async fn provider(&self, provider_id: &str) -> Result<Option<Provider>, StoreError> {
        self.table.get(provider_key(provider_id)).await
    }

    pub async fn client(&self, client_id: &str) -> Result<Option<ClientProfile>, StoreError> {
        self.table.get(client_key(client_id)).await
    }

    /// The client's unconfirmed holds, as their profile counts them (`None`: no profile).
    pub async fn held_by(&self, client_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        #[derive(Deserialize)]
        struct Held {
            #[serde(default)]
            held: Vec<String>,
        }
        Ok(self.table.get::<Held>(client_key(client_id)).await?.map(|h| h.held))
    }

    /// Whether `provider_id` has a profile, without mapping it.
    pub async fn provider_exists(&self, provider_id: &str) -> Result<bool, StoreError> {
        Ok(self.table.get::<IgnoredAny>(provider_key(provider_id)).await?.is_some())
    }
}
