//! Prices in cents (exact; never summed or compared as floats) and the currencies searches take.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use shared::money::{DecimalError, number, parse_scaled};

/// An amount in hundredths of the currency unit. Stored and shown as a number of currency units
/// with up to two decimals (`12.5`, `19.99`), the same both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

/// The largest price an alert takes: a million, far beyond any listing a user means.
pub const MAX_PRICE: Cents = Cents(100_000_000);

/// Decimals of [`Cents`].
const DECIMALS: u32 = 2;

/// The largest amount [`Cents::parse`] reads: a billion currency units and 99 cents.
const MAX_WHOLE: i64 = 1_000_000_000;

impl Cents {
    /// Parses a non-negative decimal with at most two decimals (`"5"`, `"12.3"`, `"0.99"`), as a
    /// JSON number's text or a marketplace's price string; no exponent.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let too_large = || format!("is too large, got {text}");
        match parse_scaled(text, DECIMALS, false) {
            Ok(cents) if cents / 100 > MAX_WHOLE => Err(too_large()),
            Ok(cents) => Ok(Self(cents)),
            Err(DecimalError::Negative) => Err(format!("must not be negative, got {text}")),
            Err(DecimalError::NotDecimal) => Err(format!("must be a decimal number such as 19.99, got {text}")),
            Err(DecimalError::TooManyDecimals) => Err(format!("has more than two decimals, got {text}")),
            Err(DecimalError::TooLarge) => Err(too_large()),
        }
    }

    /// The amount as eBay writes it: `"12.30"`.
    pub fn decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Exact in the JSON text: whole amounts as integers (`80`, not `80.0`), others as the
        // shortest number that prints as the decimal (`12.3`).
        number(i128::from(self.0), DECIMALS).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Cents;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an amount such as 19.99")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cents, E> {
                Cents::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cents, E> {
                Cents::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cents, E> {
                // The shortest text of the float is the amount as it was written (`12.3`).
                Cents::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cents, E> {
                Cents::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.decimal())
    }
}

/// The currencies eBay's marketplaces price in (`priceCurrency`).
pub const CURRENCIES: &[&str] = &["USD", "CAD", "GBP", "EUR", "AUD", "CHF", "HKD", "PLN", "SGD"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        CURRENCIES
            .iter()
            .find(|c| **c == code)
            .map(|c| Self((*c).to_owned()))
            .ok_or_else(|| format!("must be one of {}, got {code:?}", CURRENCIES.join(", ")))
    }

    pub fn usd() -> Self {
        Self("USD".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
    fn prices_parse_exactly() {
        assert_eq!(Cents::parse("5").unwrap(), Cents(500));
        assert_eq!(Cents::parse("12.3").unwrap(), Cents(1230));
        assert_eq!(Cents::parse("0.99").unwrap(), Cents(99));
        assert_eq!(Cents::parse("1.500").unwrap(), Cents(150));
        for bad in ["-1", "abc", "", ".5", "1.234", "1e3", "99999999999"] {
            assert!(Cents::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Cents(1230).decimal(), "12.30");
        assert_eq!(serde_json::to_string(&Cents(1999)).unwrap(), "19.99");
        assert_eq!(serde_json::to_string(&Cents(1230)).unwrap(), "12.3");
        assert_eq!(serde_json::to_string(&Cents(8000)).unwrap(), "80");
        for cents in [0, 1, 99, 1230, 1999, 10_000, 123_456_789] {
            let json = serde_json::to_string(&Cents(cents)).unwrap();
            assert_eq!(serde_json::from_str::<Cents>(&json).unwrap(), Cents(cents), "{json}");
            let item =
                serde_dynamo::to_attribute_value::<_, aws_sdk_dynamodb::types::AttributeValue>(Cents(cents)).unwrap();
            assert_eq!(serde_dynamo::from_attribute_value::<_, Cents>(item).unwrap(), Cents(cents));
        }
    }

    #[test]
    fn currencies_are_known_codes() {
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("XXX").is_err());
    }
}
