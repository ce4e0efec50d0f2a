//! Unsubscribe tokens: what an email's `List-Unsubscribe` link carries. Signed (HMAC-SHA256,
//! through [`shared::cursor::Cursors`] with a purpose of their own), so a token names exactly one
//! alert of one user and cannot be forged, altered or moved to another alert.

use serde::{Deserialize, Serialize};
use shared::cursor::Cursors;

/// What a token unsubscribes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "u")]
pub enum Subject {
    /// One alert's emails.
    #[serde(rename = "a")]
    Alert {
        #[serde(rename = "o")]
        owner: String,
        #[serde(rename = "i")]
        alert_id: String,
    },
    /// A user's insight emails.
    #[serde(rename = "i")]
    Insights {
        #[serde(rename = "o")]
        owner: String,
    },
}

const PURPOSE: &str = "alerts/unsubscribe/v1";

#[derive(Debug, Clone)]
pub struct Tokens(Cursors);

impl Tokens {
    pub fn new(key: Cursors) -> Self {
        Self(key)
    }

    pub fn issue(&self, subject: &Subject) -> String {
        self.0.issue(PURPOSE, subject)
    }

    /// The subject of a token this key issued, or `None` (forged, altered, truncated).
    pub fn read(&self, token: &str) -> Option<Subject> {
        self.0.verify(PURPOSE, token.trim())
    }
}

const OBSERVATION_PURPOSE: &str = "alerts/observations/v1";

/// Signs the observations of our own searches (`ALERTS_OBSERVATIONS_KEY`, HMAC-SHA256 over the
/// body's SHA-256): the recorder sends price drop notices only for a body whose `signature`
/// message attribute checks. Anything else in the account may publish to the queue; without the
/// key it cannot sign.
#[derive(Debug, Clone)]
pub struct ObservationSigner(Cursors);

impl ObservationSigner {
    pub fn new(key: Cursors) -> Self {
        Self(key)
    }

    fn digest(body: &str) -> String {
        use sha2::{Digest, Sha256};
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, Sha256::digest(body.as_bytes()))
    }

    /// The signature of a message body.
    pub fn sign(&self, body: &str) -> String {
        self.0.issue(OBSERVATION_PURPOSE, &Self::digest(body))
    }

    /// Whether `signature` is this key's for exactly `body`.
    pub fn verify(&self, body: &str, signature: &str) -> bool {
        self.0.verify::<String>(OBSERVATION_PURPOSE, signature).is_some_and(|digest| digest == Self::digest(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(key: &str) -> Tokens {
        Tokens::new(Cursors::new(key.repeat(32)))
    }

    #[test]
    fn a_token_names_its_alert_and_nothing_else() {
        let subject = Subject::Alert { owner: "u1".into(), alert_id: "a1".into() };
        let token = tokens("k").issue(&subject);
        assert_eq!(tokens("k").read(&token), Some(subject.clone()));
        assert_eq!(tokens("x").read(&token), None, "another key");
        assert_eq!(tokens("k").read(&token[..token.len() - 2]), None, "truncated");
        let other = tokens("k").issue(&Subject::Alert { owner: "u1".into(), alert_id: "a2".into() });
        let (payload, _) = token.split_once('.').unwrap();
        let (_, tag) = other.split_once('.').unwrap();
        assert_eq!(tokens("k").read(&format!("{payload}.{tag}")), None, "another alert's signature");
        // A pagination cursor signed with the same key is not a token.
        let cursor = Cursors::new("k".repeat(32)).issue("alerts", &subject);
        assert_eq!(tokens("k").read(&cursor), None);
    }

    #[test]
    fn an_observation_signature_holds_for_its_body_and_key_only() {
        let signer = ObservationSigner::new(Cursors::new("o".repeat(32)));
        let body = r#"{"search_phrase":"lego"}"#;
        let signature = signer.sign(body);
        assert!(signer.verify(body, &signature));
        assert!(!signer.verify(r#"{"search_phrase":"lega"}"#, &signature), "another body");
        assert!(!ObservationSigner::new(Cursors::new("p".repeat(32))).verify(body, &signature), "another key");
        let token = tokens("o").issue(&Subject::Insights { owner: "u".into() });
        assert!(!signer.verify(body, &token), "an unsubscribe token of the same key is no signature");
    }
}
