//! Money as integer micros (millionths of the currency unit): summed exactly, never as floats.

use serde::{Deserialize, Serialize};

/// Decimals the contract allows in a money figure.
pub const DECIMALS: usize = 6;

/// An amount in micros. One event's amount fits an `i64`; sums are read back as `i128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Micros(pub i64);

impl Micros {
    /// Parses a non-negative decimal (`"5"`, `"0.1"`, `"12.345678"`; from a JSON number also
    /// `"1e-3"`): at most six decimals that are not trailing zeros.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("must be a non-negative decimal number with at most {DECIMALS} decimals, got {text:?}");
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().map_err(|_| bad())?),
            None => (text, 0),
        };
        if mantissa.starts_with('-') {
            return Err(format!("must not be negative, got {text:?}"));
        }
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        // The value is digits × 10^(exponent − fraction.len()); in micros, × 10^6 more.
        let mut scale = exponent as i64 - fraction.len() as i64 + DECIMALS as i64;
        let mut digits = digits.to_owned();
        while scale < 0 {
            match digits.pop() {
                Some('0') => scale += 1,
                None => return Ok(Self(0)),
                Some(_) => return Err(format!("has more than {DECIMALS} decimals, got {text:?}")),
            }
        }
        if digits.is_empty() {
            return Ok(Self(0));
        }
        let too_large = || format!("is too large, got {text:?}");
        if digits.len() as i64 + scale > 18 {
            return Err(too_large());
        }
        let value: i64 = digits.parse().map_err(|_| too_large())?;
        value.checked_mul(10i64.pow(scale as u32)).map(Self).ok_or_else(too_large)
    }
}

/// A sum of micros as the contract's decimal: a JSON number with up to six decimals, exact in
/// its text (`1`, `0.1`, `12.345678`).
pub fn decimal(micros: i128) -> serde_json::Number {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let (whole, fraction) = (abs / 1_000_000, abs % 1_000_000);
    let text = if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{}", format!("{fraction:06}").trim_end_matches('0'))
    };
    // The text is a valid JSON number; parsing it as one keeps it exact when it fits an f64's
    // shortest form, which every figure up to 2^53 micros does.
    serde_json::from_str(&text).unwrap_or_else(|_| serde_json::Number::from(0))
}

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
    }

    #[test]
    fn sums_are_written_as_exact_decimals() {
        assert_eq!(decimal(1_000_000).to_string(), "1");
        assert_eq!(decimal(100_000 * 10).to_string(), "1");
        assert_eq!(decimal(12_345_678).to_string(), "12.345678");
        assert_eq!(decimal(0).to_string(), "0");
    }
}
