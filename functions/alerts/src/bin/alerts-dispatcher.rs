//! Every minute (EventBridge schedule): queues the runs of the alerts due.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::dispatcher).await
}
