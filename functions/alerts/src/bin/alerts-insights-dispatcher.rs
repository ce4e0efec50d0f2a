//! Every minute (EventBridge schedule): the first firing of each insights period queues one
//! insight email per user.

use alerts::{App, Needs};

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    let app = App::deferred_requiring(&[Needs::InsightsQueue])?;
    shared::lambda::serve_deferred(app, alerts::entrypoints::schedule::insights_dispatcher).await
}
