//! Prices: the configured unit price range and an order's price, in [`Micros`] (millionths of
//! the currency unit, `shared`'s one money type).

use rand::RngExt;
use shared::money::Micros;

use super::Quantity;

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
    Micros(unit.0.saturating_mul(quantity.get() as i64))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

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

    /// What the configured range relies on: decimals round to the nearest micro, and an amount
    /// is shown as its decimal. (How a price is answered is tested with the HTTP views.)
    #[test]
    fn decimals_round_to_the_nearest_micro() {
        assert_eq!(Micros::from_decimal(1.1), Micros(1_100_000));
        assert_eq!(Micros::from_decimal(0.000_000_6), Micros(1));
        assert_eq!(Micros(1_100_000).to_string(), "1.1");
        let refused = PriceRange::new(1.0, 1_000_000.01).unwrap_err();
        assert_eq!(refused, "max must be at most 1000000, got 1000000.01");
    }
}
