//! Bounded, jittered retries for optimistic writes that lost a race. Losing a race is normal under
//! concurrency and must not fail the caller; losing it forever means the store is overloaded,
//! which the caller reports as a 503.

use std::time::{Duration, Instant};

/// The longest a caller keeps retrying: the answer (a 503 at worst) must leave well inside the
/// functions' 15 s timeout, or the client gets the platform's own error instead of ours. Inside
/// an invocation the budget also ends with the time the invocation has left.
pub const TIME_BUDGET: Duration = Duration::from_secs(8);

pub struct Backoff {
    attempt: u32,
    max_attempts: u32,
    base: Duration,
    cap: Duration,
    deadline: Instant,
}

impl Backoff {
    pub fn new(max_attempts: u32) -> Self {
        Self {
            attempt: 0,
            max_attempts,
            base: Duration::from_millis(4),
            cap: Duration::from_millis(250),
            deadline: Instant::now() + crate::deadline::remaining().map_or(TIME_BUDGET, |left| left.min(TIME_BUDGET)),
        }
    }

    /// Sleeps before the next attempt ("full jitter"); `false` once the attempts or the time
    /// budget are used up.
    pub async fn wait(&mut self) -> bool {
        self.attempt += 1;
        if self.attempt >= self.max_attempts {
            return false;
        }
        let ceiling = self.base.saturating_mul(1 << self.attempt.min(16)).min(self.cap);
        let pause = Duration::from_millis(rand::random_range(0..=ceiling.as_millis() as u64));
        if Instant::now() + pause >= self.deadline {
            return false;
        }
        tokio::time::sleep(pause).await;
        true
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}
