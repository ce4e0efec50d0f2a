//! Expires overdue holds on a schedule (EventBridge, every 5 minutes).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = booking::App::deferred()?;
    shared::lambda::serve_deferred(app, booking::entrypoints::schedule::sweep).await
}
