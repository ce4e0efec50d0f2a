#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = alerts::App::deferred()?;
    shared::http::serve_deferred(app, alerts::entrypoints::http::delete_me).await
}
