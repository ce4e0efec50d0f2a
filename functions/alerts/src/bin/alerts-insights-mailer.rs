//! Consumes AlertInsightsQueue (SQS, ReportBatchItemFailures): one user's insight email each.

use alerts::App;

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["ALERTS_FROM_EMAIL", "ALERTS_PUBLIC_BASE_URL", "ALERTS_UNSUBSCRIBE_KEY"])?;
    let app = App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::insights_mailer).await
}
