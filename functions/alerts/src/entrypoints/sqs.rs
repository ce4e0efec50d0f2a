//! The SQS consumers, each reporting partial batch failures: the runs queue's worker, the
//! observation channel's recorder and the insights queue's mailer. Each record runs in its own
//! span carrying its message id ([`shared::lambda::each_record`]).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use serde_json::Value;

use crate::{
    App,
    domain::history::Observation,
    ops::{digest, history, runs},
    queue::{DigestMessage, RunMessage},
};

/// Messages of a batch run at once (each sends several emails at once).
const MESSAGES_IN_FLIGHT: usize = 2;

/// Runs each message; a failed one (search failed, some emails not sent) is reported alone and
/// comes back, and its redelivery sends only what is still due.
pub async fn worker(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    let worker = &app.worker()?;
    Ok(shared::lambda::each_record(event, MESSAGES_IN_FLIGHT, |record| async move {
        let message: RunMessage = shared::lambda::body(&record)?;
        let report = runs::run(worker, &message).await.map_err(|err| err.to_string())?;
        tracing::info!(alerts = message.alerts.len(), ?report, "run");
        Ok(())
    })
    .await)
}

/// Observations recorded at once (each reads and writes one history day).
const OBSERVATIONS_IN_FLIGHT: usize = 4;

/// The observation channel's consumer: records each observation into the price history and,
/// for those our worker signed (the `signature` message attribute), sends the target notices it
/// calls for. A message that can never be recorded (not an
/// observation, from the future, older than the history kept) goes to the DLQ at once and is
/// acknowledged, so the rest of its batch goes on; only failures that may pass come back.
pub async fn recorder(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    Ok(shared::lambda::each_record(event, OBSERVATIONS_IN_FLIGHT, |record| record_one(app, record)).await)
}

async fn record_one(app: &App, record: SqsMessage) -> Result<(), String> {
    let body = record.body.as_deref().unwrap_or_default();
    let now = shared::time::now();
    let observation = match serde_json::from_str::<Value>(body) {
        Ok(value) => Observation::from_json(&value, now, app.history_days, &app.marketplace_hosts)
            .map_err(|refused| refused.to_string()),
        Err(err) => Err(format!("the body is not JSON: {err}")),
    };
    let mut observation = match observation {
        Ok(observation) => observation,
        Err(reason) => {
            let dlq = app.observations_dlq().map_err(|err| format!("{err}; retrying"))?;
            return dlq.dead_letter(body, &reason).await;
        }
    };
    // Ours only if signed by our worker's key: anything else is history, never a notice.
    let signature = record.message_attributes.get("signature").and_then(|a| a.string_value.as_deref());
    observation.signed = match (&app.signer, signature) {
        (Some(signer), Some(signature)) => signer.verify(body, signature),
        _ => false,
    };
    let mail = app.mail().map_err(|err| err.to_string())?;
    let recorded =
        history::record(&app.store, mail, &observation, now, app.history_days).await.map_err(|err| err.to_string())?;
    tracing::info!(
        listings = observation.listings.len(),
        signed = observation.signed,
        changed = recorded.changed,
        notices = recorded.notices,
        "observation recorded"
    );
    Ok(())
}

/// The insights queue's consumer: one user's insight email per message, at most once per period.
pub async fn insights_mailer(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    let mail = app.mail()?;
    Ok(shared::lambda::each_record(event, 2, |record| async move {
        let message: DigestMessage = shared::lambda::body(&record)?;
        let digest =
            digest::send(&app.store, mail, app.insights_every, &message).await.map_err(|err| err.to_string())?;
        tracing::info!(period = %message.period, ?digest, "insight email");
        Ok(())
    })
    .await)
}
