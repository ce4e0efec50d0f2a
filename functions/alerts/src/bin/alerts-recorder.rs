//! Consumes the observation channel, PriceObservationsQueue (SQS, ReportBatchItemFailures).

use alerts::App;

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&[
        "ALERTS_OBSERVATIONS_DLQ_URL",
        "ALERTS_FROM_EMAIL",
        "ALERTS_PUBLIC_BASE_URL",
        "ALERTS_UNSUBSCRIBE_KEY",
        "ALERTS_OBSERVATIONS_KEY",
    ])?;
    let app = App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::recorder).await
}
