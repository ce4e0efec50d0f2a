//! The generation schedule (EventBridge, every minute).

use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use serde::Serialize;

use crate::{App, ops};

/// What an invocation did, as Lambda records it: its own minute's outcome, and the earlier
/// minutes it finished.
#[derive(Debug, Serialize)]
pub struct GeneratorOutput {
    /// The [`ops::Generated`] outcome, as its `Debug` form shows it.
    pub outcome: String,
    pub resumed: Vec<String>,
}

/// This minute's orders, once, and any recent minute an interrupted invocation left unfinished.
/// A failure is the invocation's error, so that Lambda reports and retries it.
pub async fn generator(app: &App, event: CloudWatchEvent) -> Result<GeneratorOutput, shared::lambda::Error> {
    // Boxed: the generation future is deep enough to exceed the compiler's layout depth inline.
    let generation = Box::pin(ops::generate(&app.store, app.queue()?, app.pace, event.time)).await?;
    tracing::info!(outcome = ?generation.outcome, resumed = ?generation.resumed, "generation");
    Ok(GeneratorOutput {
        outcome: format!("{:?}", generation.outcome),
        resumed: generation.resumed.iter().map(|m| shared::time::format(*m)).collect(),
    })
}
