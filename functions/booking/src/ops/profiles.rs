//! Providers and clients sign up: each user has at most one profile of each kind, keyed by their
//! `sub`. Signing up again answers the profile that exists and changes nothing.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time,
};

use super::MAX_ATTEMPTS;
use crate::{
    Store,
    domain::{Client, PersonName, Provider, TimeZone},
};

/// A profile, and whether this request created it.
#[derive(Debug)]
pub enum SignUp<T> {
    Created(T),
    /// It existed already: the profile as it was, untouched.
    Existing(T),
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("too many concurrent changes to this profile; try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The provider profile of `provider_id` (the caller's `sub`), created with these names unless
/// it exists, together with its entry in the public directory.
pub async fn create_provider(
    store: &Store,
    provider_id: &str,
    email: Option<&str>,
    first_name: PersonName,
    last_name: PersonName,
) -> Result<SignUp<Provider>, SignUpError> {
    let provider = Provider {
        provider_id: provider_id.to_owned(),
        first_name,
        last_name,
        created_at: time::now(),
        email: email.map(str::to_owned),
        time_zone: TimeZone::default(),
        availability_version: 0,
    };
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        match store.create_provider(&provider).await? {
            Ok(()) => return Ok(SignUp::Created(provider)),
            Err(Refusal::Condition(_)) => {
                if let Some(existing) = store.provider(provider_id).await? {
                    return Ok(SignUp::Existing(existing));
                }
                // Refused, yet gone: nothing removes profiles, so only a concurrent writer
                // could get here; go round again.
            }
            Err(Refusal::Conflict) => {}
        }
        if !backoff.wait().await {
            return Err(SignUpError::Busy);
        }
    }
}

/// The client profile of `client_id` (the caller's `sub`), created with these names unless it
/// exists.
pub async fn create_client(
    store: &Store,
    client_id: &str,
    email: Option<&str>,
    first_name: PersonName,
    last_name: PersonName,
) -> Result<SignUp<Client>, SignUpError> {
    let client = Client {
        client_id: client_id.to_owned(),
        first_name,
        last_name,
        created_at: time::now(),
        email: email.map(str::to_owned),
        time_zone: TimeZone::default(),
    };
    if store.create_client(&client).await?.is_ok() {
        return Ok(SignUp::Created(client));
    }
    match store.client(client_id).await? {
        Some(existing) => Ok(SignUp::Existing(existing)),
        None => Err(SignUpError::Busy),
    }
}

/// What a profile change sets; what it leaves out stays as it is. The email is always the
/// caller's verified one (from the token), or none.
#[derive(Debug, Default)]
pub struct ProfileChange {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub time_zone: Option<TimeZone>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateProfileError {
    #[error("there is no provider profile of yours: POST /booking/v1/providers first")]
    ProviderNotFound,
    #[error("make your client profile first: POST /booking/v1/clients")]
    ClientProfileRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Changes the caller's provider profile (and their directory entry's names).
pub async fn update_provider(
    store: &Store,
    provider_id: &str,
    email: Option<&str>,
    change: ProfileChange,
) -> Result<Provider, UpdateProfileError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let mut provider = store.provider(provider_id).await?.ok_or(UpdateProfileError::ProviderNotFound)?;
        provider.first_name = change.first_name.clone().unwrap_or(provider.first_name);
        provider.last_name = change.last_name.clone().unwrap_or(provider.last_name);
        provider.time_zone = change.time_zone.unwrap_or(provider.time_zone);
        provider.email = email.map(str::to_owned);
        match store.update_provider(&provider).await? {
            Ok(()) => return Ok(provider),
            Err(Refusal::Condition(_)) => return Err(UpdateProfileError::ProviderNotFound),
            Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(Refusal::Conflict) => return Err(UpdateProfileError::Store(StoreError::Unavailable("busy".into()))),
        }
    }
}

/// Changes the caller's client profile.
pub async fn update_client(
    store: &Store,
    client_id: &str,
    email: Option<&str>,
    change: ProfileChange,
) -> Result<Client, UpdateProfileError> {
    let mut backoff = Backoff::new(MAX_ATTEMPTS);
    loop {
        let mut client = store.client(client_id).await?.ok_or(UpdateProfileError::ClientProfileRequired)?;
        client.first_name = change.first_name.clone().unwrap_or(client.first_name);
        client.last_name = change.last_name.clone().unwrap_or(client.last_name);
        client.time_zone = change.time_zone.unwrap_or(client.time_zone);
        client.email = email.map(str::to_owned);
        match store.update_client(&client).await? {
            Ok(()) => return Ok(client),
            Err(Refusal::Condition(_)) => return Err(UpdateProfileError::ClientProfileRequired),
            Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(Refusal::Conflict) => return Err(UpdateProfileError::Store(StoreError::Unavailable("busy".into()))),
        }
    }
}
