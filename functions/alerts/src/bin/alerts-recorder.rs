//! Consumes the observation channel, PriceObservationsQueue (SQS, ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::from_env().await?;
    shared::lambda::serve(app, alerts::entrypoints::sqs::recorder).await
}
