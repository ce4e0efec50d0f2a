//! Every minute (EventBridge schedule): queues the runs of the alerts due.

use alerts::App;

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["ALERTS_RUNS_QUEUE_URL"])?;
    let app = App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::dispatcher).await
}
