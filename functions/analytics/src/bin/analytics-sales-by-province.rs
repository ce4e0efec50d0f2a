#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = analytics::App::deferred()?;
    shared::http::serve_deferred(app, analytics::entrypoints::http::sales_by_province).await
}
