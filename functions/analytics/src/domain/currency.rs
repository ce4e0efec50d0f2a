//! Currencies as the contract names them: ISO 4217 codes. Amounts themselves are
//! [`shared::money::Micros`] (one event's) and [`shared::money::MicrosSum`] (a rollup's).

use serde::{Deserialize, Serialize};

/// Why a text is not a [`Currency`]; callers add what they were given.
pub const NOT_A_CURRENCY: &str = "must be an ISO 4217 code (three capital letters)";

/// An ISO 4217 code: three capital letters (`USD`). Rollups are kept per currency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// The currency of a query that names none.
    pub fn usd() -> Self {
        Self("USD".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = &'static str;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(NOT_A_CURRENCY)
        }
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_three_capital_letters() {
        assert_eq!(Currency::try_from("EUR".to_owned()).unwrap().as_str(), "EUR");
        for bad in ["usd", "US", "EURO", "U$D", ""] {
            assert_eq!(Currency::try_from(bad.to_owned()), Err(NOT_A_CURRENCY), "{bad}");
        }
        assert_eq!(Currency::usd().to_string(), "USD");
    }
}
