//! Entry points of functions that are not behind the HTTP API: SQS consumers and schedules.

use std::future::Future;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::{StreamExt, stream};
use serde::{Serialize, de::DeserializeOwned};
use tracing::Instrument;

use crate::deadline;

pub use lambda_runtime::Error;

/// Runs `handler` for every event of type `E` (an `SqsEvent`, an EventBridge `CloudWatchEvent`).
/// `state` is built once before the loop.
pub async fn serve<S, E, R, F, Fut>(state: S, handler: F) -> Result<(), Error>
where
    S: Copy + Send + Sync + 'static,
    E: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    F: Fn(S, E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<E>| async move {
        let deadline = deadline::from_epoch_millis(event.context.deadline);
        deadline::scope(deadline, handler(state, event.payload)).await?
    }))
    .await
}

/// As [`serve`], with the state built at the first invocation ([`crate::app::Deferred`]).
pub async fn serve_deferred<S, E, R, F, Fut>(state: &'static crate::app::Deferred<S>, handler: F) -> Result<(), Error>
where
    S: Send + Sync + 'static,
    E: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    F: Fn(&'static S, E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<E>| async move {
        let state = state.get().await?;
        let deadline = deadline::from_epoch_millis(event.context.deadline);
        deadline::scope(deadline, handler(state, event.payload)).await?
    }))
    .await
}

/// Handles each record of an SQS batch (up to `concurrency` at a time) and reports the ones that
/// failed, so that only those are retried (the event source must declare
/// `ReportBatchItemFailures`). Each record runs in its own span carrying its message id, so
/// whatever it logs names the message. Inside [`serve`], a record
/// still running at the invocation's cut-off is abandoned and one not yet started is not taken:
/// both are reported as failures, so the batch is answered in time and only they come back.
pub async fn each_record<F, Fut>(event: SqsEvent, concurrency: usize, handle: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let outcomes: Vec<(Option<String>, Result<(), String>)> = stream::iter(event.records)
        .map(|record| {
            let id = record.message_id.clone();
            let span = tracing::info_span!("record", message_id = id.as_deref().unwrap_or_default());
            let outcome = handle(record);
            let work = async move {
                if !deadline::part_may_start() {
                    return (id, Err("not started: the invocation is out of time".to_owned()));
                }
                let outcome = deadline::part(outcome).await;
                let outcome = outcome.unwrap_or_else(|out_of_time| Err(out_of_time.to_string()));
                if let Err(error) = &outcome {
                    tracing::warn!(%error, "message failed; it will be retried");
                }
                (id, outcome)
            };
            work.instrument(span)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    for (id, outcome) in outcomes {
        if outcome.is_err() {
            // A record without an id cannot be reported; an empty id fails the whole batch,
            // which is the safe choice.
            response.add_failure(id.unwrap_or_default());
        }
    }
    response
}

/// The body of an SQS record as JSON of type `T`; a malformed body is a failure to report.
pub fn body<T: DeserializeOwned>(record: &SqsMessage) -> Result<T, String> {
    let body = record.body.as_deref().ok_or("message has no body")?;
    serde_json::from_str(body).map_err(|e| format!("malformed message body: {e}"))
}
