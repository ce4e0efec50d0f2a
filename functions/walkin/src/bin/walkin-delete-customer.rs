#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = walkin::App::deferred()?;
    shared::http::serve_deferred(app, walkin::entrypoints::http::delete_customer).await
}
