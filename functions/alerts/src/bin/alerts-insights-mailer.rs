//! Consumes AlertInsightsQueue (SQS, ReportBatchItemFailures): one user's insight email each.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::from_env().await?;
    shared::lambda::serve(app, alerts::entrypoints::sqs::insights_mailer).await
}
