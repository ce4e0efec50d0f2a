//! Every minute (EventBridge schedule): queues the runs of the alerts due.

use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = App::deferred_requiring(&[Needs::RunsQueue])?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::dispatcher).await
}
