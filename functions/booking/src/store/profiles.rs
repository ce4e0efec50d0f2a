//! Providers' and clients' profiles (a provider's with its directory entry).

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use serde::{Deserialize, de::IgnoredAny};
use shared::dynamo::{Item, StoreError, Written, attr, item_at, s, store_err};

use super::{Part, Store, client_key, directory_key, provider_key, provider_pk};
use crate::domain::{Client as ClientProfile, DirectoryEntry, PersonName, Provider, TimeZone};

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

    /// Writes a provider's names, zone and email (as `provider` has them) onto their profile and
    /// their names onto the directory entry, in one transaction, on condition that the profile
    /// exists.
    pub async fn update_provider(&self, provider: &Provider) -> Result<Written<Part>, StoreError> {
        let p = provider;
        let profile = self.profile_update(
            provider_key(&p.provider_id),
            &p.first_name,
            &p.last_name,
            Some((&p.time_zone, p.email.as_deref())),
        )?;
        let entry = self.profile_update(directory_key(&p.provider_id), &p.first_name, &p.last_name, None)?;
        self.table
            .commit(vec![
                (Part::Provider, TransactWriteItem::builder().update(profile).build()),
                (Part::Provider, TransactWriteItem::builder().update(entry).build()),
            ])
            .await
    }

    /// Writes a client's names, zone and email onto their profile, if it exists.
    pub async fn update_client(&self, c: &ClientProfile) -> Result<Written<Part>, StoreError> {
        let update = self.profile_update(
            client_key(&c.client_id),
            &c.first_name,
            &c.last_name,
            Some((&c.time_zone, c.email.as_deref())),
        )?;
        self.table.commit(vec![(Part::Client, TransactWriteItem::builder().update(update).build())]).await
    }

    /// Sets the names of the item at `key` (and the zone and the email, or removes the email),
    /// on condition that it exists.
    fn profile_update(
        &self,
        key: Item,
        first: &PersonName,
        last: &PersonName,
        zone_and_email: Option<(&TimeZone, Option<&str>)>,
    ) -> Result<Update, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(key))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":first", attr(first)?)
            .expression_attribute_values(":last", attr(last)?);
        let update = match zone_and_email {
            None => update.update_expression("SET first_name = :first, last_name = :last"),
            Some((zone, None)) => update
                .update_expression("SET first_name = :first, last_name = :last, time_zone = :zone REMOVE email")
                .expression_attribute_values(":zone", attr(zone)?),
            Some((zone, Some(email))) => update
                .update_expression("SET first_name = :first, last_name = :last, time_zone = :zone, email = :email")
                .expression_attribute_values(":zone", attr(zone)?)
                .expression_attribute_values(":email", s(email)),
        };
        Ok(update.build()?)
    }

    /// Deletes a client's profile (their counters of holds with it).
    pub async fn delete_client(&self, client_id: &str) -> Result<(), StoreError> {
        self.table.delete_item().set_key(Some(client_key(client_id))).send().await.map_err(store_err)?;
        Ok(())
    }

    /// Deletes a provider's directory entry, then every item of their partition (their slots,
    /// then their profile), 25 to a batch. A failure part-way leaves the profile, so that a
    /// retry finds the provider and goes on.
    pub async fn delete_provider(&self, provider_id: &str) -> Result<(), StoreError> {
        self.table.delete_item().set_key(Some(directory_key(provider_id))).send().await.map_err(store_err)?;
        let query = self
            .table
            .query_items()
            .key_condition_expression("pk = :pk AND begins_with(sk, :slot)")
            .expression_attribute_values(":pk", s(provider_pk(provider_id)))
            .expression_attribute_values(":slot", s("SLOT#"));
        self.table.delete_all(self.table.keys(query).await?).await?;
        self.table.delete_item().set_key(Some(provider_key(provider_id))).send().await.map_err(store_err)?;
        Ok(())
    }

    /// Whether `provider_id` has a profile, without mapping it.
    pub async fn provider_exists(&self, provider_id: &str) -> Result<bool, StoreError> {
        Ok(self.table.get::<IgnoredAny>(provider_key(provider_id)).await?.is_some())
    }
}
