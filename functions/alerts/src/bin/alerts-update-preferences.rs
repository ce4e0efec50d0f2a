#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = alerts::App::from_env().await?;
    shared::http::serve(app, alerts::entrypoints::http::update_preferences).await
}
