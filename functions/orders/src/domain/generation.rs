//! Scheduled generation: the on/off switch, the minutes it generates, how a minute's orders are
//! named and spread over it.

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

/// The switch `POST /generation/start` and `/stop` set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerationState {
    pub running: bool,
    pub updated_at: Timestamp,
}

impl GenerationState {
    /// Generation runs until it is stopped: a fresh deployment (no switch stored yet) generates.
    pub fn is_running(state: Option<&GenerationState>) -> bool {
        state.is_none_or(|state| state.running)
    }
}

/// How much the schedule generates: `orders_per_minute` orders each minute, their messages spread
/// over `window_seconds` (`ORDERS_PER_MINUTE`, `ORDERS_GENERATION_WINDOW_SECONDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub orders_per_minute: u32,
    pub window_seconds: u32,
}

/// A generated minute: claimed once, then finished once all its orders are written and queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Minute {
    pub minute: Timestamp,
    /// How many orders the minute has (ids `0..orders`).
    pub orders: u32,
    /// Whether all its orders are written and all their messages sent. Until then the minute is
    /// unfinished, whatever the generation switch says, and the next invocations finish it.
    #[serde(default)]
    pub queued: bool,
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
    use super::*;

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

    #[test]
    fn generation_runs_until_stopped() {
        let at = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
        assert!(GenerationState::is_running(None));
        assert!(GenerationState::is_running(Some(&GenerationState { running: true, updated_at: at })));
        assert!(!GenerationState::is_running(Some(&GenerationState { running: false, updated_at: at })));
    }

    #[test]
    fn a_marker_without_the_queued_flag_is_unfinished() {
        let marker: Minute =
            serde_json::from_value(serde_json::json!({"minute": "2026-11-22T10:30:00Z", "orders": 5})).unwrap();
        assert!(!marker.queued);
    }

    #[test]
    fn a_window_longer_than_sqs_allows_is_cut_to_its_limit() {
        assert_eq!(spread(2, 4000), [0, 450]);
    }
}
