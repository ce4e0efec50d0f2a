//! Consumes the observation channel, PriceObservationsQueue (SQS, ReportBatchItemFailures).

use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = App::deferred_requiring(&[Needs::ObservationsDlq, Needs::Sender, Needs::UnsubscribeKey])?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::sqs::recorder).await
}
