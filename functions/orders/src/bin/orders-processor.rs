//! Consumes the orders queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = orders::App::deferred()?;
    shared::lambda::serve_deferred(app, orders::entrypoints::sqs::processor).await
}
