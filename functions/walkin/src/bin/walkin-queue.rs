//! The queue board (GET /walkin/v1/queue), paged with signed cursors: it does not start without
//! CURSOR_SIGNING_KEY.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["CURSOR_SIGNING_KEY"])?;
    let app = walkin::App::deferred()?;
    shared::http::serve_deferred(app, walkin::entrypoints::http::queue).await
}
