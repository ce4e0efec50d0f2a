//! Consumes the events queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["ANALYTICS_DLQ_URL"])?;
    let app = analytics::App::deferred()?;
    shared::lambda::serve_deferred(app, analytics::entrypoints::sqs::worker).await
}
