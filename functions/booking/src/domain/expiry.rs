//! How a hold's expiry message waits: SQS delays a message by at most 15 minutes, so a longer
//! wait is re-enqueued until the stored due time.

use shared::{queue::MAX_DELAY_SECONDS, time::Timestamp};

/// What the expiry worker does with a message for a hold ending at `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStep {
    /// Not yet: send it again, delayed this many seconds (at most SQS's 900).
    Requeue(i32),
    /// Due: expire the hold now.
    Expire,
}

pub fn expiry_step(expires_at: Timestamp, now: Timestamp) -> ExpiryStep {
    let remaining_ms = (expires_at - now).num_milliseconds();
    if remaining_ms <= 0 {
        return ExpiryStep::Expire;
    }
    let seconds = (remaining_ms + 999) / 1000;
    ExpiryStep::Requeue(seconds.min(MAX_DELAY_SECONDS as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_support::ts;

    #[test]
    fn expiry_waits_in_steps_of_at_most_fifteen_minutes() {
        let now = ts("2026-11-22T10:00:00Z");
        assert_eq!(expiry_step(ts("2026-11-22T10:30:00Z"), now), ExpiryStep::Requeue(900));
        assert_eq!(expiry_step(ts("2026-11-22T10:10:00Z"), now), ExpiryStep::Requeue(600));
        assert_eq!(expiry_step(ts("2026-11-22T10:00:00.200Z"), now), ExpiryStep::Requeue(1));
        assert_eq!(expiry_step(now, now), ExpiryStep::Expire);
        assert_eq!(expiry_step(ts("2026-11-22T09:00:00Z"), now), ExpiryStep::Expire);
    }
}
