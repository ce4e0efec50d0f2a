//! The schedules (EventBridge, every minute): the runs' dispatcher and the insight emails'.

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde::Serialize;

use crate::{
    App,
    ops::{digest, runs},
};

/// Queues the runs of the alerts due at the event's time. A failure is the invocation's error,
/// so that EventBridge retries it (a repeat queues nothing new that the claims would not stop).
pub async fn dispatcher(app: &App, event: CloudWatchEvent) -> Result<runs::Dispatched, shared::lambda::Error> {
    let dispatched = runs::dispatch(&app.store, app.runs_queue()?, event.time).await?;
    tracing::info!(
        alerts = dispatched.alerts,
        searches = dispatched.searches,
        messages = dispatched.messages,
        "dispatched"
    );
    Ok(dispatched)
}

/// What the insight emails' schedule answers: the users whose emails it queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InsightsDispatched {
    pub users: usize,
}

/// The insight emails' schedule (every minute): the first firing of a period fans out the
/// period's emails. An event whose `detail` says `"on_demand": true` (`make insights` locally)
/// fans out a period of its own at once.
pub async fn insights_dispatcher(
    app: &App,
    event: CloudWatchEvent,
) -> Result<InsightsDispatched, shared::lambda::Error> {
    let on_demand =
        event.detail.as_ref().and_then(|d| d.get("on_demand")).and_then(serde_json::Value::as_bool).unwrap_or(false);
    // Boxed: the fan-out's future (SDK calls three async layers down) is deeper than the
    // compiler's layout queries of `main` go otherwise.
    let dispatch = digest::dispatch(&app.store, app.insights_queue()?, app.insights_every, event.time, on_demand);
    let users = Box::pin(dispatch).await?;
    if users > 0 {
        tracing::info!(users, on_demand, "insight emails queued");
    }
    Ok(InsightsDispatched { users })
}
