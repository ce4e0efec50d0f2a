#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = booking::App::deferred_requiring(&[booking::Need::Cursors])?;
    shared::http::serve_deferred(app, booking::entrypoints::http::list_provider_reservations).await
}
