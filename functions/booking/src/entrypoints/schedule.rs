//! The sweep's schedule.

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde_json::json;
use shared::time;

use crate::{App, ops};

/// Holds whose message was lost or delayed are expired within minutes. A sweep that expired
/// nothing and failed somewhere fails the invocation, so that the schedule retries it.
pub async fn sweep(app: &App, _event: CloudWatchEvent) -> Result<serde_json::Value, shared::lambda::Error> {
    // Boxed: the sweep's future (the paginator's inside it) nested in the Lambda runtime's would
    // overflow the compiler's type-layout depth limit.
    let sweep = Box::pin(ops::sweep(app, time::now(), ops::SWEEP_BUDGET)).await.map_err(|e| e.to_string())?;
    if !sweep.expired.is_empty() {
        tracing::info!(count = sweep.expired.len(), "sweep expired holds the queue had not");
    }
    Ok(json!({"expired": sweep.expired.len(), "failed": sweep.failed, "finished": sweep.finished}))
}
