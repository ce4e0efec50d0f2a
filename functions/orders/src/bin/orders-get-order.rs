#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = orders::App::from_env().await?;
    shared::http::serve(app, orders::entrypoints::http::get_order).await
}
