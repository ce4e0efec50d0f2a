#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = analytics::App::from_env().await?;
    shared::http::serve(app, analytics::entrypoints::http::order_value).await
}
