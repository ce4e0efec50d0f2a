#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["CURSOR_SIGNING_KEY"])?;
    let app = orders::App::deferred()?;
    shared::http::serve_deferred(app, orders::entrypoints::http::list_orders).await
}
