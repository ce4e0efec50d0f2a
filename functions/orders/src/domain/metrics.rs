//! The metrics aggregate: every processed order adds itself to it once.

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

impl Totals {
    /// `None` before the first processed order.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_average_exactly() {
        assert_eq!(Totals::default().average(), None);
        let totals = Totals { count: 4, sum: 10_000_000 };
        assert_eq!(totals.average(), Some(2.5));
        // Far past i64: ten million orders at the highest price.
        let huge = Totals { count: 10_000_000, sum: 10_000_000 * 10_000_000_000_000 };
        assert_eq!(huge.average(), Some(10_000_000.0));
    }
}
