//! Consumes the expiry queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["BOOKING_EXPIRY_QUEUE_URL"])?;
    let app = booking::App::deferred()?;
    shared::lambda::serve_deferred(app, booking::entrypoints::sqs::expiry_worker).await
}
