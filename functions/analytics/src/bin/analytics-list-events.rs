//! GET /analytics/v1/events: stops at start-up without `CURSOR_SIGNING_KEY`, which its cursors need.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["CURSOR_SIGNING_KEY"])?;
    let app = analytics::App::deferred()?;
    shared::http::serve_deferred(app, analytics::entrypoints::http::list_events).await
}
