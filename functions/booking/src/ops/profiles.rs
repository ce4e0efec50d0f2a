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
    domain::{Client, PersonName, Provider},
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
    first_name: PersonName,
    last_name: PersonName,
) -> Result<SignUp<Provider>, SignUpError> {
    let provider = Provider {
        provider_id: provider_id.to_owned(),
        first_name,
        last_name,
        created_at: time::now(),
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
    first_name: PersonName,
    last_name: PersonName,
) -> Result<SignUp<Client>, SignUpError> {
    let client = Client { client_id: client_id.to_owned(), first_name, last_name, created_at: time::now() };
    if store.create_client(&client).await?.is_ok() {
        return Ok(SignUp::Created(client));
    }
    match store.client(client_id).await? {
        Some(existing) => Ok(SignUp::Existing(existing)),
        None => Err(SignUpError::Busy),
    }
}
