//! The events queue's consumer: one event per message, through the same validation and the same
//! transaction as `POST /events`.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use serde_json::Value;

use crate::{
    App,
    domain::Event,
    ops::{self, IngestError},
};

/// Records of a batch handled at once: events of one day contend for its rollups.
const RECORDS_IN_FLIGHT: usize = 4;

/// Handles a batch. A message that is not a valid event, or conflicts with a stored event, can
/// never succeed: it goes to the DLQ at once and is acknowledged, so the rest of the batch is
/// not held up and it is not retried ten times. Only a failure that may pass (the database or
/// the DLQ unreachable, contention) is reported, and that message alone comes back.
pub async fn worker(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    Ok(shared::lambda::each_record(event, RECORDS_IN_FLIGHT, |record| handle(app, record)).await)
}

async fn handle(app: &App, record: SqsMessage) -> Result<(), String> {
    let event = shared::lambda::body::<Value>(&record)
        .and_then(|value| Event::from_json(&value).map_err(|invalid| invalid.to_string()));
    let reason = match event {
        Err(reason) => reason,
        Ok(event) => match ops::ingest_now(&app.store, &event).await {
            Ok(_) => return Ok(()),
            Err(err @ IngestError::Conflict(_)) => err.to_string(),
            Err(err) => return Err(err.to_string()),
        },
    };
    // The worker's main refuses to start without the DLQ; an app built without one (a test's)
    // leaves the message to be retried.
    let dlq = app.dlq.as_ref().ok_or("ANALYTICS_DLQ_URL is not set for this function; retrying")?;
    dlq.dead_letter(record.body.as_deref().unwrap_or_default(), &reason).await
}
