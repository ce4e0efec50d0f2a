//! Generates a minute's orders on the EventBridge schedule (rate(1 minute)).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = orders::App::deferred()?;
    shared::lambda::serve_deferred(app, orders::entrypoints::schedule::generator).await
}
