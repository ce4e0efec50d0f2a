//! The generation schedule (EventBridge, every minute).

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde_json::json;

use crate::{App, ops};

/// This minute's orders, once, and any recent minute an interrupted invocation left unfinished.
/// A failure is the invocation's error, so that Lambda reports and retries it.
pub async fn generator(app: &App, event: CloudWatchEvent) -> Result<serde_json::Value, shared::lambda::Error> {
    // Boxed: the generation future is deep enough to exceed the compiler's layout depth inline.
    let generation = Box::pin(ops::generate(app, event.time)).await?;
    tracing::info!(outcome = ?generation.outcome, resumed = ?generation.resumed, "generation");
    Ok(json!({
        "outcome": format!("{:?}", generation.outcome),
        "resumed": generation.resumed.iter().map(|m| shared::time::format(*m)).collect::<Vec<_>>(),
    }))
}
