//! The order rules, free of I/O: what an order is, how it is priced, and how a minute's
//! generated orders are named and spread. Money is integer millionths ([`Micros`]), so that sums
//! and averages are exact and the metrics always equal the processed orders.

use std::fmt;

use chrono::{DateTime, Timelike, Utc};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

/// 1 to 10 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

impl TryFrom<i64> for Quantity {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        match n {
            1..=10 => Ok(Self(n as u32)),
            _ => Err(format!("must be between 1 and 10, got {n}")),
        }
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

impl Quantity {
    pub fn get(self) -> u32 {
        self.0
    }

    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self(rng.random_range(1..=10))
    }
}

/// Three characters, `A`-`Z` or `0`-`9`; lower-case letters are accepted and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(String);

const SYMBOL_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl TryFrom<String> for Symbol {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let upper = value.trim().to_ascii_uppercase();
        if upper.len() == 3 && upper.bytes().all(|b| SYMBOL_CHARS.contains(&b)) {
            Ok(Self(upper))
        } else {
            Err(format!("must be 3 characters A-Z or 0-9, got {value:?}"))
        }
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.0
    }
}

impl Symbol {
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self((0..3).map(|_| SYMBOL_CHARS[rng.random_range(0..SYMBOL_CHARS.len())] as char).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount in millionths of the currency unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Micros(pub i64);

impl Micros {
    pub fn from_decimal(value: f64) -> Self {
        Self((value * 1_000_000.0).round() as i64)
    }

    pub fn as_decimal(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_decimal())
    }
}

/// The unit price range `[min, max)`, from `ORDER_UNIT_PRICE_MIN` and `ORDER_UNIT_PRICE_MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceRange {
    pub min: Micros,
    pub max: Micros,
}

/// The highest unit price [`PriceRange::new`] accepts. It keeps one order's price (at most
/// 10 × 10^12 micros) far from `i64`'s limit, and the aggregate's sum of micros in `i64` for at
/// least 900,000 orders at the highest price (billions at the default prices).
pub const MAX_UNIT_PRICE: Micros = Micros(1_000_000 * 1_000_000);

impl PriceRange {
    pub fn new(min: f64, max: f64) -> Result<Self, String> {
        // NaN maps to 0 and infinities saturate, so both are refused below.
        let (min, max) = (Micros::from_decimal(min), Micros::from_decimal(max));
        if min.0 <= 0 || max <= min {
            return Err(format!("need 0 < min < max, got [{min}, {max})"));
        }
        if max > MAX_UNIT_PRICE {
            return Err(format!("max must be at most {MAX_UNIT_PRICE}, got {max}"));
        }
        Ok(Self { min, max })
    }

    /// A unit price drawn uniformly from `[min, max)`.
    pub fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Micros {
        Micros(rng.random_range(self.min.0..self.max.0))
    }
}

/// `quantity × unit price`. Saturating: a range built by [`PriceRange::new`] cannot reach the
/// limit, but its fields are public and a wrapped price would corrupt the aggregate for good.
pub fn execution_price(quantity: Quantity, unit: Micros) -> Micros {
    Micros(unit.0.saturating_mul(quantity.0 as i64))
}

/// The running totals behind `GET /metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub count: u64,
    pub sum: Micros,
}

impl Totals {
    /// `None` before the first processed order.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.0 as f64 / self.count as f64 / 1_000_000.0)
    }
}

/// The minute an EventBridge invocation stands for (its scheduled `time`, truncated): two
/// deliveries of the same scheduled event are the same minute.
pub fn minute_of(ts: Timestamp) -> Timestamp {
    let truncated = ts.with_second(0).and_then(|t| t.with_nanosecond(0));
    truncated.unwrap_or(ts)
}

/// Deterministic ids for a minute's generated orders, so that generating a minute twice
/// writes the same orders and the second attempt is refused by their keys.
pub fn generated_order_id(minute: DateTime<Utc>, index: u32) -> String {
    format!("gen-{}-{index:04}", minute.format("%Y%m%dT%H%MZ"))
}

/// `DelaySeconds` for each of `count` messages spread evenly over `window_seconds` (SQS allows
/// at most 900).
pub fn spread(count: u32, window_seconds: u32) -> Vec<i32> {
    (0..count).map(|i| ((i as u64 * window_seconds.min(900) as u64) / count.max(1) as u64) as i32).collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn quantities_and_symbols() {
        assert!(Quantity::try_from(0).is_err());
        assert!(Quantity::try_from(11).is_err());
        assert_eq!(Quantity::try_from(10).unwrap().get(), 10);
        assert_eq!(Symbol::try_from("ab1".to_owned()).unwrap().as_str(), "AB1");
        for bad in ["AB", "ABCD", "A-B", "ÅBC", ""] {
            assert!(Symbol::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let symbol = Symbol::random(&mut rng);
            assert!(Symbol::try_from(symbol.as_str().to_owned()).is_ok());
            assert!((1..=10).contains(&Quantity::random(&mut rng).get()));
        }
    }

    #[test]
    fn prices_are_drawn_from_the_half_open_range() {
        let range = PriceRange::new(1.1, 2.0).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for _ in 0..10_000 {
            let unit = range.draw(&mut rng);
            assert!(unit >= Micros(1_100_000) && unit < Micros(2_000_000));
        }
        assert_eq!(execution_price(Quantity::try_from(3).unwrap(), Micros(1_500_000)), Micros(4_500_000));
        assert!(PriceRange::new(2.0, 1.1).is_err());
        assert!(PriceRange::new(0.0, 1.0).is_err());
    }

    #[test]
    fn prices_stay_far_from_overflow() {
        assert!(PriceRange::new(1.0, 1_000_000.0).is_ok());
        assert!(PriceRange::new(1.0, 1_000_000.01).is_err());
        assert!(PriceRange::new(1.0, f64::INFINITY).is_err());
        assert!(PriceRange::new(f64::NAN, 2.0).is_err());
        assert!(PriceRange::new(1.0, f64::NAN).is_err());
        let ten = Quantity::try_from(10).unwrap();
        assert_eq!(execution_price(ten, MAX_UNIT_PRICE), Micros(10_000_000_000_000));
        assert_eq!(execution_price(ten, Micros(i64::MAX / 2)), Micros(i64::MAX), "saturates, never wraps");
    }

    #[test]
    fn totals_average_exactly() {
        assert_eq!(Totals::default().average(), None);
        let totals = Totals { count: 4, sum: Micros(10_000_000) };
        assert_eq!(totals.average(), Some(2.5));
    }

    #[test]
    fn a_minute_is_spread_evenly() {
        assert_eq!(spread(30, 60)[..4], [0, 2, 4, 6]);
        assert_eq!(*spread(30, 60).last().unwrap(), 58);
        assert_eq!(spread(4, 2), [0, 0, 1, 1]);
        assert!(spread(0, 60).is_empty());
    }

    #[test]
    fn generated_ids_name_their_minute() {
        let minute = minute_of(shared::time::parse("2026-11-22T10:30:41.5Z").unwrap());
        assert_eq!(shared::time::format(minute), "2026-11-22T10:30:00Z");
        assert_eq!(generated_order_id(minute, 7), "gen-20261122T1030Z-0007");
    }
}
