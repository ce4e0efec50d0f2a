//! Generates a minute's orders on the EventBridge schedule (rate(1 minute)) and queues them: it does
//! not start without ORDERS_QUEUE_URL.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["ORDERS_QUEUE_URL"])?;
    let app = orders::App::deferred()?;
    shared::lambda::serve_deferred(app, orders::entrypoints::schedule::generator).await
}
