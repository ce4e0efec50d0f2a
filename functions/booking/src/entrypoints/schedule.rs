//! The sweep's schedule.

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde::Serialize;
use shared::time;

use crate::{App, ops};

/// What a scheduled sweep reports (the invocation's result, in the function's log).
#[derive(Debug, Serialize)]
pub struct SweepReport {
    /// How many holds it expired.
    pub expired: usize,
    /// Holds it could not expire, or pages of the index it could not read.
    pub failed: usize,
    /// False when it stopped at its time budget with overdue holds left.
    pub finished: bool,
}

/// Holds whose message was lost or delayed are expired within minutes. A sweep that expired
/// nothing and failed somewhere fails the invocation, so that the schedule retries it.
pub async fn sweep(app: &App, _event: CloudWatchEvent) -> Result<SweepReport, shared::lambda::Error> {
    // Boxed: the sweep's future (the paginator's inside it) nested in the Lambda runtime's would
    // overflow the compiler's type-layout depth limit.
    let sweep = Box::pin(ops::sweep(&app.store, time::now(), ops::SWEEP_BUDGET)).await.map_err(|e| e.to_string())?;
    if !sweep.expired.is_empty() {
        tracing::info!(count = sweep.expired.len(), "sweep expired holds the queue had not");
    }
    Ok(SweepReport { expired: sweep.expired.len(), failed: sweep.failed, finished: sweep.finished })
}
