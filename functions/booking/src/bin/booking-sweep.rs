//! Expires overdue holds on a schedule (EventBridge, every 5 minutes).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = booking::App::from_env().await?;
    shared::lambda::serve(app, booking::entrypoints::schedule::sweep).await
}
