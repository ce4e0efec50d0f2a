#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["CURSOR_SIGNING_KEY"])?;
    let app = booking::App::deferred()?;
    shared::http::serve_deferred(app, booking::entrypoints::http::list_availability).await
}
