//! Where a called customer goes: a desk, named by staff ("3", "B", "Passports 2").

use std::fmt;

use serde::{Deserialize, Serialize};

/// A desk name: 1 to 20 characters once trimmed, no control characters. Desks are not declared
/// anywhere: whatever name a desk calls with is the desk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Desk(String);

/// The desk of a call that names none (old clients).
pub const DEFAULT_DESK: &str = "1";

impl Default for Desk {
    fn default() -> Self {
        Self(DEFAULT_DESK.to_owned())
    }
}

impl TryFrom<String> for Desk {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        let chars = trimmed.chars().count();
        if !(1..=20).contains(&chars) {
            return Err(format!("must be 1 to 20 characters, got {chars}"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters".to_owned());
        }
        Ok(Self(trimmed.to_owned()))
    }
}

impl From<Desk> for String {
    fn from(desk: Desk) -> String {
        desk.0
    }
}

impl Desk {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Desk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desks_are_short_trimmed_names() {
        assert_eq!(Desk::try_from(" 3 ".to_owned()).unwrap().as_str(), "3");
        assert_eq!(Desk::try_from("Passports 2".to_owned()).unwrap().as_str(), "Passports 2");
        assert_eq!(Desk::default().as_str(), "1");
        for bad in ["", "   ", "x".repeat(21).as_str(), "a\nb"] {
            assert!(Desk::try_from(bad.to_owned()).is_err(), "{bad:?}");
        }
    }
}
