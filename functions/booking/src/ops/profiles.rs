//! Providers and clients sign up.

use shared::{dynamo::StoreError, ids, time};

use crate::{
    App,
    domain::{Client, PersonName, Provider},
    store::{client_key, provider_key},
};

pub async fn create_provider(app: &App, first_name: PersonName, last_name: PersonName) -> Result<Provider, StoreError> {
    let provider = Provider { provider_id: ids::new_id(), first_name, last_name, created_at: time::now() };
    app.store.put_profile(provider_key(&provider.provider_id), &provider).await?;
    Ok(provider)
}

pub async fn create_client(app: &App, first_name: PersonName, last_name: PersonName) -> Result<Client, StoreError> {
    let client = Client { client_id: ids::new_id(), first_name, last_name, created_at: time::now() };
    app.store.put_profile(client_key(&client.client_id), &client).await?;
    Ok(client)
}
