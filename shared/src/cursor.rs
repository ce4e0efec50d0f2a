//! Opaque, tamper-evident pagination cursors.
//!
//! A cursor carries where the next page starts (a position the listing chooses: the last sort key
//! it returned, say) and is signed with HMAC-SHA256 over that position and the listing it belongs
//! to (the route and its parameters). A cursor that this service did not issue for this listing,
//! forged, altered, truncated or taken from another listing, fails the check and is a 400; it
//! never reaches DynamoDB as a start key.
//!
//! The signing key is `CURSOR_SIGNING_KEY` (at least 32 characters), the same for every function
//! of the stack, so a cursor from one invocation is good in the next. Deployed, it is read from
//! the secret `CURSOR_SIGNING_KEY_SECRET_ARN` names ([`crate::secrets`]).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Serialize, de::DeserializeOwned};
use sha2::Sha256;

use crate::{
    config::{self, ConfigError},
    http::ApiError,
    secrets::Secret,
};

/// The signature is cut to 128 bits: plenty against forgery, and the cursor stays short.
const TAG_BYTES: usize = 16;

const KEY_VARIABLE: &str = "CURSOR_SIGNING_KEY";

#[derive(Clone)]
pub struct Cursors {
    key: Key,
}

#[derive(Clone)]
enum Key {
    Given(Vec<u8>),
    /// Fetched before the first invocation ([`crate::app::Deferred`]).
    Stored(&'static Secret),
}

impl std::fmt::Debug for Cursors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cursors { key: <redacted> }")
    }
}

impl Cursors {
    pub fn new(key: impl AsRef<[u8]>) -> Self {
        Self { key: Key::Given(key.as_ref().to_vec()) }
    }

    /// The key from `CURSOR_SIGNING_KEY` (or its secret).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_var(KEY_VARIABLE)
    }

    /// The key from the variable `name` (at least 32 characters), or from the secret that
    /// `<name>_SECRET_ARN` names.
    pub fn from_var(name: &str) -> Result<Self, ConfigError> {
        Self::optional_from_var(name)?.ok_or_else(|| ConfigError::missing(name))
    }

    /// The key from `CURSOR_SIGNING_KEY` (or its secret), for the functions of a service that
    /// have it (those that list); a key that is set but too short still stops the function at
    /// start-up.
    pub fn optional_from_env() -> Result<Option<Self>, ConfigError> {
        Self::optional_from_var(KEY_VARIABLE)
    }

    /// As [`Cursors::from_var`], `None` when neither variable is set.
    pub fn optional_from_var(name: &str) -> Result<Option<Self>, ConfigError> {
        match config::optional(name) {
            Some(key) => Self::checked(name, key).map(Some),
            None => Ok(Secret::from_env(name).map(|secret| Self { key: Key::Stored(secret) })),
        }
    }

    fn checked(name: &str, key: String) -> Result<Self, ConfigError> {
        if key.len() < 32 {
            return Err(ConfigError::Invalid {
                name: name.into(),
                value: "<redacted>".into(),
                reason: "must be at least 32 characters".into(),
            });
        }
        Ok(Self::new(key))
    }

    fn tag(&self, listing: &str, payload: &[u8]) -> Hmac<Sha256> {
        let key = match &self.key {
            Key::Given(key) => key.as_slice(),
            Key::Stored(secret) => secret.value().expect("secrets are fetched before the first invocation").as_bytes(),
        };
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(listing.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac
    }

    /// The function's cursors, which only listing functions are configured with: without them a
    /// listing that needs a cursor is a bug in the deployment (a 500, logged).
    pub fn configured(cursors: Option<&Cursors>) -> Result<&Cursors, ApiError> {
        cursors.ok_or_else(|| {
            tracing::error!("{KEY_VARIABLE} is not set for this function");
            ApiError::internal()
        })
    }

    /// A cursor for `position` in `listing`.
    pub fn issue<T: Serialize>(&self, listing: &str, position: &T) -> String {
        let payload = serde_json::to_vec(position).unwrap_or_default();
        let tag = self.tag(listing, &payload).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES]))
    }

    /// The position a cursor of `listing` carries; a 400 naming `cursor` for anything else.
    pub fn read<T: DeserializeOwned>(&self, listing: &str, cursor: &str) -> Result<T, ApiError> {
        self.verify(listing, cursor).ok_or_else(|| {
            ApiError::invalid_field("cursor", "is not a cursor of this listing; start again without one")
        })
    }

    /// Where a page of `listing` starts: nowhere (the first page) without a cursor, else the
    /// position the cursor carries (a 400 naming `cursor` for one this key did not sign for it).
    pub fn start<T: DeserializeOwned>(&self, listing: &str, cursor: Option<&str>) -> Result<Option<T>, ApiError> {
        cursor.map(|cursor| self.read(listing, cursor)).transpose()
    }

    /// The `next_cursor` of a page of `listing` whose next page starts at `next` (none on the last).
    pub fn next<T: Serialize>(&self, listing: &str, next: Option<&T>) -> Option<String> {
        next.map(|position| self.issue(listing, position))
    }

    /// What a token issued by [`Cursors::issue`] for `listing` carries, or `None` for anything
    /// this key did not sign for that listing. Other signed tokens (unsubscribe links) use this
    /// with a listing name of their own, so one is never good as another.
    pub fn verify<T: DeserializeOwned>(&self, listing: &str, token: &str) -> Option<T> {
        let (payload, tag) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != TAG_BYTES {
            return None;
        }
        self.tag(listing, &payload).verify_truncated_left(&tag).ok()?;
        serde_json::from_slice(&payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursors() -> Cursors {
        Cursors::new("k".repeat(32))
    }

    #[test]
    fn a_cursor_reads_back_in_its_own_listing_only() {
        let cursor = cursors().issue("queue", &(7u64, 9u64));
        assert_eq!(cursors().read::<(u64, u64)>("queue", &cursor).unwrap(), (7, 9));
        let err = cursors().read::<(u64, u64)>("availability/p1", &cursor).unwrap_err();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`cursor`"), "{}", err.message);
        assert!(Cursors::new("x".repeat(32)).read::<(u64, u64)>("queue", &cursor).is_err(), "another key");
    }

    #[test]
    fn altered_truncated_and_forged_cursors_are_refused() {
        let cursor = cursors().issue("queue", &(7u64, 9u64));
        let (payload, tag) = cursor.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(b"[8,9]");
        for bad in [
            &cursor[..cursor.len() - 1],
            payload,
            &format!("{forged_payload}.{tag}"),
            "",
            ".",
            "not a cursor",
            &format!("{cursor}x"),
        ] {
            assert!(cursors().read::<(u64, u64)>("queue", bad).is_err(), "{bad:?}");
        }
    }
}
