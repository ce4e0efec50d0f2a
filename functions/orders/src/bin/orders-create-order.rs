//! Places orders (POST /orders/v1/orders) and queues them: it does not start without ORDERS_QUEUE_URL.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    shared::config::require_all(&["ORDERS_QUEUE_URL"])?;
    let app = orders::App::deferred()?;
    shared::http::serve_deferred(app, orders::entrypoints::http::create_order).await
}
