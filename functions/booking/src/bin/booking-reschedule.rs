#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["BOOKING_NOTICE_QUEUE_URL"])?;
    let app = booking::App::deferred()?;
    shared::http::serve_deferred(app, booking::entrypoints::http::reschedule).await
}
