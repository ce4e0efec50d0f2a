//! The metrics aggregate: every processed order adds itself to it once.

use shared::money::MICRO_DECIMALS;

/// The running totals behind `GET /metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: u64,
    /// The sum of execution prices in micros. Wider than a price: at the highest configurable
    /// price (1,000,000 a unit, 10 units: 10^13 micros an order) an `i64` would overflow after
    /// about 920,000 orders,
    /// and `GET /metrics` would fail from then on; an `i128` holds as many digits as a DynamoDB
    /// number (38).
    pub sum: i128,
}

/// Decimals of [`Totals::average`]. An average of micros is seldom a whole number of micros, so
/// it keeps 18 decimals more than a price: finer, for any average of at least a micro, than the
/// double a JSON reader parses the answer into.
pub const AVERAGE_DECIMALS: u32 = MICRO_DECIMALS + 18;

impl Totals {
    /// The average execution price, exactly, as an integer of [`AVERAGE_DECIMALS`] decimals
    /// (the last one rounded half up); `None` before the first processed order.
    pub fn average(&self) -> Option<i128> {
        let count = i128::from(self.count);
        let scale = 10i128.pow(AVERAGE_DECIMALS - MICRO_DECIMALS);
        // Whole micros and the remainder apart, so that no product leaves an `i128`: the
        // remainder is below `count` (a `u64`), and times 10^18 still fits.
        (count > 0).then(|| {
            let (whole, rest) = (self.sum.div_euclid(count), self.sum.rem_euclid(count));
            whole.saturating_mul(scale).saturating_add((rest * scale + count / 2) / count)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` in units, at [`AVERAGE_DECIMALS`].
    fn units(value: i128) -> i128 {
        value * 10i128.pow(AVERAGE_DECIMALS)
    }

    #[test]
    fn totals_average_exactly() {
        assert_eq!(Totals::default().average(), None);
        let totals = Totals { count: 4, sum: 10_000_000 };
        assert_eq!(totals.average(), Some(units(25) / 10));
        // Far past i64: ten million orders at the highest price.
        let huge = Totals { count: 10_000_000, sum: 10_000_000 * 10_000_000_000_000 };
        assert_eq!(huge.average(), Some(units(10_000_000)));
    }

    #[test]
    fn an_average_between_micros_keeps_its_fraction() {
        // 10 micros over 3 orders: 3.333... micros, the last of 24 decimals rounded.
        assert_eq!(Totals { count: 3, sum: 10 }.average(), Some(3_333_333_333_333_333_333));
        assert_eq!(Totals { count: 3, sum: 20 }.average(), Some(6_666_666_666_666_666_667));
        // The largest remainder a count allows still fits.
        let most = Totals { count: u64::MAX, sum: i128::from(u64::MAX) - 1 };
        assert_eq!(most.average(), Some(units(1) / 1_000_000));
    }
}
