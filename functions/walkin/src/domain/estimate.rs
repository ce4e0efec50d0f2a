//! The estimated wait: a waiting ticket's position times the mean interval between the recent
//! calls. The calls are kept in a small rolling list (the last [`RECENT_CALLS`] call times),
//! updated by each call in its own transaction, so an estimate never reads the call history.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

/// How many call times are kept.
pub const RECENT_CALLS: usize = 20;

/// Calls older than this do not count.
pub const WINDOW_SECONDS: i64 = 3600;

/// Fewer calls than this in the window: no estimate (`null`).
pub const MIN_CALLS: usize = 3;

/// The times of the last calls, oldest first, as milliseconds since the epoch (compact in the
/// item that carries them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecentCalls(Vec<i64>);

impl RecentCalls {
    /// The list after a call at `now`: the last [`RECENT_CALLS`] calls of the last hour.
    pub fn with_call(&self, now: Timestamp) -> Self {
        let since = (now - Duration::seconds(WINDOW_SECONDS)).timestamp_millis();
        let mut calls: Vec<i64> = self.0.iter().copied().filter(|at| *at > since).collect();
        calls.push(now.timestamp_millis());
        calls.sort_unstable();
        let excess = calls.len().saturating_sub(RECENT_CALLS);
        calls.drain(..excess);
        Self(calls)
    }

    /// The mean interval between the calls of the hour before `now`, in seconds; `None` with
    /// fewer than [`MIN_CALLS`] of them.
    pub fn mean_interval(&self, now: Timestamp) -> Option<f64> {
        let since = (now - Duration::seconds(WINDOW_SECONDS)).timestamp_millis();
        let calls: Vec<i64> = self.0.iter().copied().filter(|at| *at > since).collect();
        if calls.len() < MIN_CALLS {
            return None;
        }
        let span = (calls[calls.len() - 1] - calls[0]).max(0) as f64 / 1000.0;
        Some(span / (calls.len() - 1) as f64)
    }

    /// The estimated wait of the ticket at `position` (1-based) at `now`, in whole seconds.
    pub fn estimate(&self, position: usize, now: Timestamp) -> Option<u64> {
        self.mean_interval(now).map(|mean| (mean * position as f64).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Timestamp, seconds: i64) -> Timestamp {
        base + Duration::seconds(seconds)
    }

    #[test]
    fn no_estimate_before_three_calls_in_the_hour() {
        let t0 = shared::time::now();
        let calls = RecentCalls::default().with_call(t0).with_call(at(t0, 60));
        assert_eq!(calls.estimate(1, at(t0, 60)), None);
        let calls = calls.with_call(at(t0, 180));
        // Intervals of 60 s and 120 s: a mean of 90 s a call.
        assert_eq!(calls.mean_interval(at(t0, 180)), Some(90.0));
        assert_eq!(calls.estimate(1, at(t0, 180)), Some(90));
        assert_eq!(calls.estimate(4, at(t0, 200)), Some(360));
    }

    #[test]
    fn calls_older_than_an_hour_drop_out() {
        let t0 = shared::time::now();
        let calls = RecentCalls::default().with_call(t0).with_call(at(t0, 10)).with_call(at(t0, 20));
        assert_eq!(calls.estimate(2, at(t0, 30)), Some(20));
        // An hour later the three calls no longer count, and the next call forgets them.
        assert_eq!(calls.estimate(2, at(t0, 3620)), None);
        assert_eq!(calls.with_call(at(t0, 3700)), RecentCalls(vec![at(t0, 3700).timestamp_millis()]));
    }

    #[test]
    fn only_the_last_twenty_calls_count() {
        let t0 = shared::time::now();
        // 30 calls: ten a second apart, then twenty 10 s apart.
        let mut calls = RecentCalls::default();
        let mut t = 0;
        for i in 0..30 {
            t += if i < 10 { 1 } else { 10 };
            calls = calls.with_call(at(t0, t));
        }
        assert_eq!(calls.0.len(), RECENT_CALLS);
        assert_eq!(calls.mean_interval(at(t0, t)), Some(10.0));
    }
}
