//! Consumes the observation channel, PriceObservationsQueue (SQS, ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::recorder).await
}
