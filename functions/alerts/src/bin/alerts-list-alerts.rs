use alerts::App;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["CURSOR_SIGNING_KEY"])?;
    let app = App::deferred()?;
    shared::http::serve_deferred(app, alerts::entrypoints::http::list).await
}
