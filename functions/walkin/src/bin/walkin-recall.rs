//! Queues notices: it does not start without WALKIN_NOTICES_QUEUE_URL.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["WALKIN_NOTICES_QUEUE_URL"])?;
    let app = walkin::App::deferred()?;
    shared::http::serve_deferred(app, walkin::entrypoints::http::recall).await
}
