//! The marketplace budget: calls a day for the whole stack (below eBay's quota, so that one
//! account or a few popular phrases cannot spend it and stop everyone's alerts until midnight),
//! a share of it a day per user, and how long a search is reused as the day's budget runs low.
//!
//! How a search is charged: one unit of the stack's budget per marketplace search (the client's
//! retries inside one run are not charged again), and one unit of the daily share of **each
//! owner whose due alerts the search serves** (one per owner and search, however many of their
//! alerts it serves) who has share left. An owner past their share is not charged, and is still
//! served by a search someone else's alerts pay for (it costs the marketplace nothing more); a
//! search none of whose owners has share left is not made. An answer from the search cache
//! charges nobody. Alerts whose search is not made skip their period quietly with
//! `last_run.outcome: "budget_exhausted"` and run at their next period as usual.

use std::time::Duration;

/// The longest a search is reused, as the budget nears exhaustion.
pub const STRETCHED_CACHE: Duration = Duration::from_secs(300);
/// The share of the day's budget spent before lifetimes start to stretch.
const STRETCH_FROM: f64 = 0.5;

/// The budget's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// `ALERTS_MARKETPLACE_DAILY_BUDGET` (4,000): marketplace searches a UTC day, for the stack.
    pub daily: u32,
    /// `ALERTS_MARKETPLACE_USER_DAILY_SHARE` (200): searches a UTC day charged to one user.
    pub user_share: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Self { daily: 4_000, user_share: 200 }
    }
}

/// How long a cached search is reused when `used` of the day's `daily` budget is spent: `base`
/// (`ALERTS_SEARCH_CACHE_SECONDS`) until half of it is, then longer in proportion, up to
/// [`STRETCHED_CACHE`] when it is all spent (never shorter than `base`).
pub fn cache_lifetime(base: Duration, used: u32, daily: u32) -> Duration {
    let longest = STRETCHED_CACHE.max(base);
    let spent = if daily == 0 { 1.0 } else { (f64::from(used) / f64::from(daily)).min(1.0) };
    if spent <= STRETCH_FROM {
        return base;
    }
    let stretch = (spent - STRETCH_FROM) / (1.0 - STRETCH_FROM);
    base + (longest - base).mul_f64(stretch)
}

/// The share of the day's budget `used` is, in percent (what the 80 % alarm watches).
pub fn percent(used: u32, daily: u32) -> f64 {
    if daily == 0 { 100.0 } else { (100.0 * f64::from(used) / f64::from(daily) * 10.0).round() / 10.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_reused_longer_as_the_budget_runs_low() {
        let base = Duration::from_secs(60);
        assert_eq!(cache_lifetime(base, 0, 4_000), base);
        assert_eq!(cache_lifetime(base, 2_000, 4_000), base);
        assert_eq!(cache_lifetime(base, 3_000, 4_000), Duration::from_secs(180));
        assert_eq!(cache_lifetime(base, 4_000, 4_000), STRETCHED_CACHE);
        assert_eq!(cache_lifetime(base, 9_000, 4_000), STRETCHED_CACHE);
        let long = Duration::from_secs(600);
        assert_eq!(cache_lifetime(long, 4_000, 4_000), long, "never shorter than configured");
        assert_eq!(percent(3_200, 4_000), 80.0);
    }
}
