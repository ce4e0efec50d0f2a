//! Consumes the runs queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::from_env().await?;
    shared::lambda::serve(app, alerts::entrypoints::sqs::worker).await
}
