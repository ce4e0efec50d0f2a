#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = booking::App::from_env().await?;
    shared::http::serve(app, booking::entrypoints::http::list_provider_reservations).await
}
