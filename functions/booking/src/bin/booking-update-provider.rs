#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = booking::App::deferred()?;
    shared::http::serve_deferred(app, booking::entrypoints::http::update_provider).await
}
