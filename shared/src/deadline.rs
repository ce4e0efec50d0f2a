//! Every invocation answers before its deadline.
//!
//! Lambda tells each invocation when it will be stopped (the context's deadline). An answer that
//! is not out by then is lost: the client gets the platform's error instead of ours, and a batch
//! consumer has every record of its batch redelivered. So the entry points run each invocation
//! inside [`scope`]: the deadline is known to everything below it ([`remaining`]: retry budgets
//! shrink with it), and the work is cut off [`RESERVE`] before it, leaving the time to answer a
//! `503` (HTTP) or to report the records it did not finish (SQS).

use std::{
    future::Future,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Kept back from the deadline to send the answer.
pub const RESERVE: Duration = Duration::from_millis(500);

/// The budget of an invocation that carries no usable deadline (in-process tests, tools): the
/// functions' own timeout in the template.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(15);

tokio::task_local! {
    static DEADLINE: Instant;
}

/// The invocation's deadline from the Lambda context's `deadline` (milliseconds since the epoch).
/// A missing, past or implausibly far one (more than Lambda's 15 minutes away) gives
/// [`DEFAULT_BUDGET`] from now.
pub fn from_epoch_millis(deadline_ms: u64) -> Instant {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    match Duration::from_millis(deadline_ms).checked_sub(now) {
        Some(left) if left > Duration::ZERO && left <= Duration::from_secs(900) => Instant::now() + left,
        _ => Instant::now() + DEFAULT_BUDGET,
    }
}

/// Time out: the work was cut off to answer before the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("out of time: the invocation's deadline is near")]
pub struct OutOfTime;

/// Runs `work` with `deadline` known to [`remaining`], and cuts it off [`RESERVE`] before it.
pub async fn scope<F: Future>(deadline: Instant, work: F) -> Result<F::Output, OutOfTime> {
    let cut_off = deadline.checked_sub(RESERVE).unwrap_or(deadline);
    DEADLINE.scope(deadline, tokio::time::timeout_at(cut_off.into(), work)).await.map_err(|_| OutOfTime)
}

/// Time left before the cut-off of the current invocation; `None` outside [`scope`].
pub fn remaining() -> Option<Duration> {
    DEADLINE.try_with(|deadline| deadline.saturating_duration_since(Instant::now()).saturating_sub(RESERVE)).ok()
}

/// Kept back from the invocation's cut-off by a part of the work (one record of a batch), so
/// that the part is reported as unfinished before the whole invocation is cut off.
pub const PART_RESERVE: Duration = Duration::from_millis(250);

/// Whether a part of the work may still start (always, outside [`scope`]).
pub fn part_may_start() -> bool {
    remaining().is_none_or(|left| left > PART_RESERVE)
}

/// Runs a part of the work (one record of a batch), whose failure is reported on its own, cut off
/// [`PART_RESERVE`] before the invocation's cut-off (no limit outside [`scope`]).
pub async fn part<F: Future>(work: F) -> Result<F::Output, OutOfTime> {
    match remaining() {
        Some(left) => tokio::time::timeout(left.saturating_sub(PART_RESERVE), work).await.map_err(|_| OutOfTime),
        None => Ok(work.await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_is_cut_off_before_the_deadline() {
        let deadline = Instant::now() + RESERVE + Duration::from_millis(100);
        let outcome = scope(deadline, tokio::time::sleep(Duration::from_secs(5))).await;
        assert_eq!(outcome, Err(OutOfTime));
        assert!(Instant::now() < deadline, "cut off before the deadline, leaving the reserve");
    }

    #[tokio::test]
    async fn remaining_is_known_inside_the_scope_only() {
        assert_eq!(remaining(), None);
        let left = scope(Instant::now() + Duration::from_secs(3), async { remaining() }).await.unwrap().unwrap();
        assert!(left <= Duration::from_secs(3) - RESERVE && left > Duration::from_secs(2), "{left:?}");
    }

    #[tokio::test]
    async fn a_part_ends_before_its_invocation() {
        let deadline = Instant::now() + RESERVE + PART_RESERVE + Duration::from_millis(100);
        let outcome = scope(deadline, async {
            assert!(part_may_start());
            let part = part(tokio::time::sleep(Duration::from_secs(5))).await;
            (part, part_may_start())
        })
        .await;
        assert_eq!(outcome, Ok((Err(OutOfTime), false)), "the part is cut off, and nothing more starts");
    }

    #[test]
    fn implausible_deadlines_get_the_default_budget() {
        for deadline_ms in [0, u64::MAX] {
            let left = from_epoch_millis(deadline_ms) - Instant::now();
            assert!(left <= DEFAULT_BUDGET && left > DEFAULT_BUDGET - Duration::from_secs(1), "{left:?}");
        }
        let in_two_seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(2);
        let left = from_epoch_millis(in_two_seconds.as_millis() as u64) - Instant::now();
        assert!(left <= Duration::from_secs(2) && left > Duration::from_secs(1), "{left:?}");
    }
}
