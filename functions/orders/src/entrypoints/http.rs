//! The HTTP endpoints (API Gateway): check the caller, parse the request, call the op, answer
//! with the contract's JSON. Each op's error enum is mapped to the contract's status, code and
//! message once, below.
//!
//! The serve wrapper enforces each route's rule from [`routes::ROUTES`] (401 without a valid
//! token, 403 outside the route's groups) and hands the handler its `Caller`; what is left to
//! the handlers is whose order is whose.

use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    auth::Caller,
    http::{self, ApiError, Outcome, Request},
    time::Timestamp,
};

use crate::{
    App,
    domain::{Order, OrderStatus, Quantity, Symbol},
    ops::{self, CreateOrderError, GetOrderError, MetricsError, SwitchError},
    routes,
};

#[derive(Serialize)]
struct OrderView<'a> {
    order_id: &'a str,
    symbol: &'a str,
    quantity: u32,
    status: OrderStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_price: Option<f64>,
    created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    processed_at: Option<Timestamp>,
}

impl<'a> From<&'a Order> for OrderView<'a> {
    fn from(o: &'a Order) -> Self {
        Self {
            order_id: &o.order_id,
            symbol: o.symbol.as_str(),
            quantity: o.quantity.get(),
            status: o.status,
            execution_price: o.execution_price.map(|p| p.as_decimal()),
            created_at: o.created_at,
            processed_at: o.processed_at,
        }
    }
}

#[derive(Deserialize)]
struct CreateBody {
    quantity: Quantity,
    #[serde(default)]
    symbol: Option<Symbol>,
}

/// POST /orders/v1/orders (any signed-in user): 202, the order is queued, and it is the caller's.
/// With an `Idempotency-Key`, a repeat by the same caller gets the first order back instead of
/// placing a second one; the same key from another caller is another key.
pub async fn create_order(app: &App, caller: Caller, req: Request) -> Outcome {
    let scope = format!("orders.create.{}", caller.sub);
    app.idempotency.run(&scope, req, shared::time::now(), |req| create_order_once(app, &caller, req)).await
}

async fn create_order_once(app: &App, caller: &Caller, req: Request) -> Outcome {
    let body: CreateBody = http::parse_json(&req)?;
    let order = ops::create(app, &caller.sub, body.quantity, body.symbol).await?;
    http::accepted(&OrderView::from(&order))
}

/// GET /orders/v1/orders/{order_id}: the caller's own order, or any for staff and admins; any
/// other is `order_not_found`, as if it did not exist.
pub async fn get_order(app: &App, caller: Caller, req: Request) -> Outcome {
    let order = ops::get(app, &caller, &http::path_param(&req, "order_id")?).await?;
    http::ok(&OrderView::from(&order))
}

/// GET /orders/v1/metrics (staff, admin): one read of the aggregate, whatever the number of orders.
pub async fn metrics(app: &App, _caller: Caller, _: Request) -> Outcome {
    let totals = ops::metrics(app).await?;
    http::ok(&json!({"total_orders_processed": totals.count, "average_execution_price": totals.average()}))
}

async fn generation_view(app: &App, running: Option<bool>) -> Outcome {
    let running = match running {
        Some(running) => running,
        None => ops::generation_running(app).await?,
    };
    http::ok(&json!({"running": running, "orders_per_minute": app.orders_per_minute}))
}

/// GET /orders/v1/generation (staff, admin)
pub async fn generation_status(app: &App, _caller: Caller, _: Request) -> Outcome {
    generation_view(app, None).await
}

/// POST /orders/v1/generation/start (admin): takes effect at the next scheduled minute.
pub async fn generation_start(app: &App, _caller: Caller, _: Request) -> Outcome {
    ops::set_generation(app, true).await?;
    generation_view(app, Some(true)).await
}

/// POST /orders/v1/generation/stop (admin): takes effect at the next scheduled minute.
pub async fn generation_stop(app: &App, _caller: Caller, _: Request) -> Outcome {
    ops::set_generation(app, false).await?;
    generation_view(app, Some(false)).await
}

/// ANY /orders/{proxy+}: whatever no other route matched; 405 for a known path, else 404. To
/// anyone, signed in or not: it touches nothing.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

/// A bug (here: a deployment without the queue's URL): logged, 500.
fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "internal error");
    ApiError::internal()
}

impl From<CreateOrderError> for ApiError {
    fn from(err: CreateOrderError) -> Self {
        match err {
            CreateOrderError::NoQueue => internal(err),
            // 503: nothing was accepted, so the client may simply post again.
            CreateOrderError::NotQueued(_) => {
                ApiError::unavailable("the order queue is unavailable; the order was not accepted, try again")
            }
            CreateOrderError::Store(err) => err.into(),
        }
    }
}

impl From<GetOrderError> for ApiError {
    fn from(err: GetOrderError) -> Self {
        match err {
            GetOrderError::NotFound(_) => ApiError::not_found("order_not_found", err.to_string()),
            GetOrderError::Store(err) => err.into(),
        }
    }
}

impl From<MetricsError> for ApiError {
    fn from(err: MetricsError) -> Self {
        match err {
            MetricsError::Store(err) => err.into(),
        }
    }
}

impl From<SwitchError> for ApiError {
    fn from(err: SwitchError) -> Self {
        match err {
            SwitchError::Store(err) => err.into(),
        }
    }
}
