//! Places orders (POST /orders/v1/orders) and queues them: it does not start without ORDERS_QUEUE_URL.
#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = orders::App::deferred_with_queue()?;
    shared::http::serve_deferred(app, orders::entrypoints::http::create_order).await
}
