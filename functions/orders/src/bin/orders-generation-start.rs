#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = orders::App::deferred()?;
    shared::http::serve_deferred(app, orders::entrypoints::http::generation_start).await
}
