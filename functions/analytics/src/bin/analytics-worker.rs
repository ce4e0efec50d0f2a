//! Consumes the events queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = analytics::App::from_env().await?;
    shared::lambda::serve(app, analytics::entrypoints::sqs::worker).await
}
