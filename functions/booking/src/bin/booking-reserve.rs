#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = booking::App::deferred_requiring(&[booking::Need::ExpiryQueue])?;
    shared::http::serve_deferred(app, booking::entrypoints::http::reserve).await
}
