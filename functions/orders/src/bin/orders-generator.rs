//! Generates a minute's orders on the EventBridge schedule (rate(1 minute)).
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = orders::App::from_env().await?;
    shared::lambda::serve(app, orders::entrypoints::schedule::generator).await
}
