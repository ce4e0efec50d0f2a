//! Consumes the runs queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::worker).await
}
