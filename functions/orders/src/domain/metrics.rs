//! The metrics aggregate: every processed order adds itself to it once.

use serde::{Deserialize, Serialize};

use super::Micros;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_average_exactly() {
        assert_eq!(Totals::default().average(), None);
        let totals = Totals { count: 4, sum: Micros(10_000_000) };
        assert_eq!(totals.average(), Some(2.5));
    }
}
