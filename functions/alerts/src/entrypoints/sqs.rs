//! The runs queue's consumer: one message per search group.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};

use crate::{
    App,
    ops::runs::{self, RunMessage},
};

/// Messages of a batch run at once (each sends several emails at once).
const MESSAGES_IN_FLIGHT: usize = 2;

/// Runs each message; a failed one (search failed, some emails not sent) is reported alone and
/// comes back, and its redelivery sends only what is still due.
pub async fn worker(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    Ok(shared::lambda::each_record(event, MESSAGES_IN_FLIGHT, |record| async move {
        let message: RunMessage = shared::lambda::body(&record)?;
        let report = runs::run(app, &message).await.map_err(|err| err.to_string())?;
        tracing::info!(alerts = message.alerts.len(), ?report, "run");
        Ok(())
    })
    .await)
}
