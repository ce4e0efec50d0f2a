//! Money, exact: amounts are integers of a fixed number of decimals (micros for order prices and
//! analytics, cents for marketplace prices), read from decimal text without floats and written
//! back as JSON numbers whose text is exact (`0.1`, never `0.09999999`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a decimal was refused; each caller words it for its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    Negative,
    NotDecimal,
    TooManyDecimals,
    TooLarge,
}

/// Parses a non-negative decimal (`"5"`, `"0.1"`, `"12.345678"`; with `exponent` also `"1e-3"`,
/// the text serde gives some JSON numbers) into an integer of `decimals` decimals. Trailing
/// zeros beyond `decimals` are fine; other digits there are refused, never rounded.
pub fn parse_scaled(text: &str, decimals: u32, exponent: bool) -> Result<i64, DecimalError> {
    let text = text.trim();
    let (mantissa, power) = match text.find(['e', 'E']) {
        Some(at) if exponent => (&text[..at], text[at + 1..].parse::<i32>().map_err(|_| DecimalError::NotDecimal)?),
        _ => (text, 0),
    };
    if mantissa.starts_with('-') {
        return Err(DecimalError::Negative);
    }
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::NotDecimal);
    }
    let digits = format!("{whole}{fraction}");
    let mut digits = digits.trim_start_matches('0').to_owned();
    // The value is digits × 10^(power − fraction.len()); scaled, × 10^decimals more.
    let mut scale = i64::from(power) - fraction.len() as i64 + i64::from(decimals);
    while scale < 0 {
        match digits.pop() {
            Some('0') => scale += 1,
            None => return Ok(0),
            Some(_) => return Err(DecimalError::TooManyDecimals),
        }
    }
    if digits.is_empty() {
        return Ok(0);
    }
    if digits.len() as i64 + scale > 18 {
        return Err(DecimalError::TooLarge);
    }
    let value: i64 = digits.parse().map_err(|_| DecimalError::TooLarge)?;
    value.checked_mul(10i64.pow(scale as u32)).ok_or(DecimalError::TooLarge)
}

/// An integer of `decimals` decimals as a JSON number, exact in its text (`1`, `0.1`, `12.3`).
pub fn number(value: i128, decimals: u32) -> serde_json::Number {
    let sign = if value < 0 { "-" } else { "" };
    let unit = 10u128.pow(decimals);
    let abs = value.unsigned_abs();
    let (whole, fraction) = (abs / unit, abs % unit);
    let text = if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let fraction = format!("{fraction:0width$}", width = decimals as usize);
        format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
    };
    // The text is a valid JSON number; parsed as one it stays exact when it fits an f64's
    // shortest form, which every figure up to 2^53 units does.
    serde_json::from_str(&text).unwrap_or_else(|_| serde_json::Number::from(0))
}

/// Decimals of [`Micros`].
pub const MICRO_DECIMALS: u32 = 6;

/// An amount in micros (millionths of the currency unit), stored as the integer it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Micros(pub i64);

impl Micros {
    /// A non-negative decimal with at most six decimals (`"5"`, `"0.1"`, `"1e-3"`).
    pub fn parse(text: &str) -> Result<Self, String> {
        parse_scaled(text, MICRO_DECIMALS, true).map(Self).map_err(|err| match err {
            DecimalError::Negative => format!("must not be negative, got {text:?}"),
            DecimalError::TooManyDecimals => format!("has more than {MICRO_DECIMALS} decimals, got {text:?}"),
            DecimalError::TooLarge => format!("is too large, got {text:?}"),
            DecimalError::NotDecimal => {
                format!("must be a non-negative decimal number with at most {MICRO_DECIMALS} decimals, got {text:?}")
            }
        })
    }

    /// The nearest micro to a float (configuration given as a number); NaN is 0 and infinities
    /// saturate, for the caller's bounds to refuse.
    pub fn from_decimal(value: f64) -> Self {
        Self((value * 1_000_000.0).round() as i64)
    }

    /// The amount as the contract's JSON number.
    pub fn number(self) -> serde_json::Number {
        number(i128::from(self.0), MICRO_DECIMALS)
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// A sum of micros (a total may pass `i64`) as it is answered: an exact JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MicrosSum(pub i128);

impl Serialize for MicrosSum {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        number(self.0, MICRO_DECIMALS).serialize(serializer)
    }
}

impl Serialize for MicrosView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.number().serialize(serializer)
    }
}

/// An amount of micros as it is answered (where the stored [`Micros`] is the integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MicrosView(pub Micros);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly() {
        for (text, micros) in [
            ("5", 5_000_000),
            ("5.0", 5_000_000),
            ("0.1", 100_000),
            ("12.345678", 12_345_678),
            ("1.10000000", 1_100_000),
            ("1e-3", 1_000),
            ("1.5e2", 150_000_000),
            ("0", 0),
            ("0.000000", 0),
        ] {
            assert_eq!(Micros::parse(text), Ok(Micros(micros)), "{text}");
        }
        for text in ["-1", "1.0000001", "abc", "", ".5", "1e-7", "1e30", "1,5", "NaN"] {
            assert!(Micros::parse(text).is_err(), "{text}");
        }
        assert_eq!(parse_scaled("1e3", 2, false), Err(DecimalError::NotDecimal), "no exponent where not asked");
        assert_eq!(parse_scaled("1.234", 2, false), Err(DecimalError::TooManyDecimals));
        assert_eq!(parse_scaled("12.30", 2, false), Ok(1230));
    }

    #[test]
    fn amounts_are_written_as_exact_decimals() {
        assert_eq!(number(1_000_000, 6).to_string(), "1");
        assert_eq!(number(12_345_678, 6).to_string(), "12.345678");
        assert_eq!(number(0, 6).to_string(), "0");
        assert_eq!(number(1230, 2).to_string(), "12.3");
        assert_eq!(number(-150, 2).to_string(), "-1.5");
        assert_eq!(serde_json::to_string(&MicrosSum(100_000 * 10)).unwrap(), "1");
        assert_eq!(serde_json::to_string(&MicrosView(Micros(4_500_000))).unwrap(), "4.5");
        assert_eq!(Micros(1_100_000).to_string(), "1.1");
        assert_eq!(Micros::from_decimal(1.1), Micros(1_100_000));
    }
}
