//! The notices queue's consumer: SMS through SNS, email through SES. It does not start without
//! its table and sender address.
#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::logging::init();
    shared::config::require_all(&["WALKIN_FROM_EMAIL"])?;
    let app = walkin::App::deferred()?;
    shared::lambda::serve_deferred(app, walkin::entrypoints::sqs::notifier).await
}
