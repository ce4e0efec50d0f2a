//! Every minute (EventBridge schedule): the first firing of each insights period queues one
//! insight email per user.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::insights_dispatcher).await
}
