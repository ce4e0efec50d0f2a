//! Consumes AlertInsightsQueue (SQS, ReportBatchItemFailures): one user's insight email each.

use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = App::deferred_requiring(&[Needs::Sender, Needs::UnsubscribeKey])?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::insights_mailer).await
}
