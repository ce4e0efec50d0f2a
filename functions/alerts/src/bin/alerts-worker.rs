//! Consumes the runs queue (SQS event source with ReportBatchItemFailures).

use alerts::App;

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&[
        "ALERTS_FROM_EMAIL",
        "ALERTS_PUBLIC_BASE_URL",
        "ALERTS_UNSUBSCRIBE_KEY",
        "EBAY_API_BASE_URL",
        "EBAY_CREDENTIALS_SECRET",
        "ALERTS_OBSERVATIONS_QUEUE_URL",
        "ALERTS_OBSERVATIONS_KEY",
    ])?;
    let app = App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::worker).await
}
