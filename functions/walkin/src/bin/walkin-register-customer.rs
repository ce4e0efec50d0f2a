#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = walkin::App::from_env().await?;
    shared::http::serve(app, walkin::entrypoints::http::register_customer).await
}
