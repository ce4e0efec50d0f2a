//! People's names, as every service takes them.

use serde::{Deserialize, Serialize};

/// A first or last name: trimmed, 1 to 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl TryFrom<String> for PersonName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        match trimmed.chars().count() {
            0 => Err("must not be empty".into()),
            1..=50 => Ok(Self(trimmed.to_owned())),
            n => Err(format!("must be at most 50 characters, got {n}")),
        }
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

impl PersonName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Names typed at a kiosk differ in case and spacing; the registry compares them loosely.
    pub fn matches(&self, other: &PersonName) -> bool {
        self.0.to_lowercase() == other.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::try_from("  Ada ".to_owned()).unwrap().as_str(), "Ada");
        assert!(PersonName::try_from("   ".to_owned()).is_err());
        assert!(PersonName::try_from("x".repeat(51)).is_err());
        assert!(PersonName::try_from("é".repeat(50)).is_ok());
        assert!(
            PersonName::try_from("ADA".to_owned()).unwrap().matches(&PersonName::try_from("ada".to_owned()).unwrap())
        );
    }
}
