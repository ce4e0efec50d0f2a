//! Consumes the runs queue (SQS event source with ReportBatchItemFailures).

use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app =
        App::deferred_requiring(&[Needs::Sender, Needs::UnsubscribeKey, Needs::Marketplace, Needs::ObservationsQueue])?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::worker).await
}
