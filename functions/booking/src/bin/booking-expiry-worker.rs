//! Consumes the expiry queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = booking::App::deferred_requiring(&[booking::Need::ExpiryQueue])?;
    shared::lambda::serve_deferred(app, booking::entrypoints::sqs::expiry_worker).await
}
