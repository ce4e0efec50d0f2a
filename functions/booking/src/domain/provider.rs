use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::{PersonName, TimeZone};

/// Someone who publishes availability: a signed-in user of the `provider` group, whose
/// `provider_id` is their `sub`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provider {
    pub provider_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
    /// The verified email of the token that made or last changed the profile, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub time_zone: TimeZone,
    /// Moved on by every creation of slots (see the store), whose update alone writes it: the
    /// profile's put leaves it out, and no view shows it.
    #[serde(default, skip_serializing)]
    pub availability_version: u64,
}

impl Provider {
    /// "First Last", as a slot names its provider.
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name.as_str(), self.last_name.as_str())
    }
}

/// A provider as the public directory lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub provider_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
}

impl From<&Provider> for DirectoryEntry {
    fn from(provider: &Provider) -> Self {
        Self {
            provider_id: provider.provider_id.clone(),
            first_name: provider.first_name.clone(),
            last_name: provider.last_name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::ts;

    #[test]
    fn a_provider_is_named_first_then_last_and_never_shows_its_version() {
        let provider = Provider {
            provider_id: "p".into(),
            first_name: PersonName::try_from(" Ada ".to_owned()).unwrap(),
            last_name: PersonName::try_from("Lovelace".to_owned()).unwrap(),
            created_at: ts("2026-11-22T10:00:00Z"),
            email: None,
            time_zone: Default::default(),
            availability_version: 7,
        };
        assert_eq!(provider.name(), "Ada Lovelace");
        let shown = serde_json::to_value(&provider).unwrap();
        assert!(shown.get("availability_version").is_none(), "{shown}");
        assert_eq!(
            serde_json::to_value(DirectoryEntry::from(&provider)).unwrap(),
            serde_json::json!({"provider_id": "p", "first_name": "Ada", "last_name": "Lovelace"})
        );
    }
}
