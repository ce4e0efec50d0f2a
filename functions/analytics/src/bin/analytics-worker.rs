//! Consumes the events queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = analytics::App::deferred_requiring(&[analytics::Need::DeadLetterQueue])?;
    shared::lambda::serve_deferred(app, analytics::entrypoints::sqs::worker).await
}
