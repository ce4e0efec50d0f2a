//! The secret a kiosk customer gets with their ticket, so they can cancel it without an account,
//! and the only form in which it is kept: a SHA-256 digest.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A ticket's cancel token: 32 random bytes, base64url without padding (43 characters). Shown
/// once, in the check-in answer; never stored, never logged (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct CancelToken(String);

impl CancelToken {
    /// The token for `secret`, which must come from a cryptographically secure generator.
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(secret))
    }

    /// The text the customer holds and sends back in `X-Cancel-Token`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> CancelTokenHash {
        CancelTokenHash::of(&self.0)
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelToken(..)")
    }
}

impl Serialize for CancelToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The SHA-256 digest of a cancel token, base64url: what the ticket stores. Knowing it does not
/// help to cancel (the token is 256 random bits: no preimage to find).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CancelTokenHash(String);

impl CancelTokenHash {
    fn of(token: &str) -> Self {
        Self(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())))
    }

    /// Whether `presented` (whatever a caller sent, malformed included) is the token this is the
    /// digest of. The digests are compared without an early exit; since the caller controls only
    /// the preimage of one side, timing could not tell them anything useful anyway.
    pub fn matches(&self, presented: &str) -> bool {
        let presented = Self::of(presented.trim());
        let (a, b) = (self.0.as_bytes(), presented.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters_and_only_its_own_hash_matches() {
        let token = CancelToken::from_secret([7; 32]);
        assert_eq!(token.as_str().len(), 43);
        assert!(token.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let hash = token.hash();
        assert!(hash.matches(token.as_str()));
        assert!(hash.matches(&format!(" {} ", token.as_str())), "surrounding blanks do not count");
        let other = CancelToken::from_secret([8; 32]);
        for wrong in [other.as_str(), "", "garbage", &token.as_str()[..42], &format!("{}A", token.as_str())] {
            assert!(!hash.matches(wrong), "{wrong:?}");
        }
    }

    #[test]
    fn the_hash_is_not_the_token_and_the_token_never_shows_in_debug() {
        let token = CancelToken::from_secret([1; 32]);
        let stored = serde_json::to_value(token.hash()).unwrap();
        assert_ne!(stored, token.as_str());
        assert_eq!(stored.as_str().unwrap().len(), 43, "a SHA-256 digest, base64url");
        assert!(!format!("{token:?}").contains(token.as_str()));
        assert_eq!(serde_json::to_value(&token).unwrap(), token.as_str());
    }
}
