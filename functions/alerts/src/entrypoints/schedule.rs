//! The dispatch schedule (EventBridge, every minute).

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;

use crate::{App, ops::runs};

/// Queues the runs of the alerts due at the event's time. A failure is the invocation's error,
/// so that EventBridge retries it (a repeat queues nothing new that the claims would not stop).
pub async fn dispatcher(app: &App, event: CloudWatchEvent) -> Result<runs::Dispatched, shared::lambda::Error> {
    let dispatched = runs::dispatch(app, event.time).await?;
    tracing::info!(
        alerts = dispatched.alerts,
        searches = dispatched.searches,
        messages = dispatched.messages,
        "dispatched"
    );
    Ok(dispatched)
}
