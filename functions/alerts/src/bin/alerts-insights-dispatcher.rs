//! Every minute (EventBridge schedule): the first firing of each insights period queues one
//! insight email per user.

use alerts::App;

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["ALERTS_INSIGHTS_QUEUE_URL"])?;
    let app = App::deferred()?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::insights_dispatcher).await
}
