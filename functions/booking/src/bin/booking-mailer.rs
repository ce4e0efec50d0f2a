//! Consumes the notice queue (SQS event source with ReportBatchItemFailures): the emails of
//! confirmations, cancellations and moves, and the reminders.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["BOOKING_NOTICE_QUEUE_URL", "BOOKING_FROM_EMAIL"])?;
    let app = booking::App::deferred()?;
    shared::lambda::serve_deferred(app, booking::entrypoints::sqs::mailer).await
}
