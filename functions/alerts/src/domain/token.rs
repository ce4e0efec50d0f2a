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
}
