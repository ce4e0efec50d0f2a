//! Consumes AlertInsightsQueue (SQS, ReportBatchItemFailures): one user's insight email each.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::insights_mailer).await
}
