//! The HTTP endpoints (API Gateway): check the caller, parse the request, call the op, answer
//! with the contract's JSON. Each op's error enum is mapped to the contract's status, code and
//! message once, below.
//!
//! The serve wrapper enforces each route's rule from [`routes::ROUTES`] (401 without a valid
//! token, 403 outside the route's groups) and hands the handler its `Caller`; what is left to
//! the handlers is whose order is whose.

use serde::{Deserialize, Serialize, Serializer};
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
    money::{self, MICRO_DECIMALS, Micros},
    time::Timestamp,
};

use crate::{
    App,
    domain::{AVERAGE_DECIMALS, Order, OrderStatus, Quantity, Symbol, Totals},
    ops::{self, CreateOrderError, GetOrderError, MetricsError, SwitchError},
    routes,
};

/// An exact amount as the orders API answers it: [`money::number`]'s decimal, except that a whole
/// amount keeps its `.0` (`5.0`), as orders have always written their prices.
#[derive(Debug, Clone, Copy)]
struct Amount {
    value: i128,
    decimals: u32,
}

impl Amount {
    fn price(micros: Micros) -> Self {
        Self { value: i128::from(micros.0), decimals: MICRO_DECIMALS }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let number = money::number(self.value, self.decimals);
        match number.as_f64() {
            // A whole number (prices stay far below 2^53, where this is exact) written as a
            // float: that is what keeps the `.0`.
            Some(whole) if !number.is_f64() => serializer.serialize_f64(whole),
            _ => number.serialize(serializer),
        }
    }
}

#[derive(Serialize)]
struct OrderView<'a> {
    order_id: &'a str,
    symbol: &'a str,
    quantity: u32,
    status: OrderStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_price: Option<Amount>,
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
            execution_price: o.execution_price.map(Amount::price),
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
/// The function does not start without the queue ([`App::deferred_with_queue`]).
pub async fn create_order(app: &App, caller: Caller, req: Request) -> Outcome {
    let scope = format!("orders.create.{}", caller.sub);
    app.idempotency.run(&scope, req, shared::time::now(), |req| create_order_once(app, &caller, req)).await
}

async fn create_order_once(app: &App, caller: &Caller, req: Request) -> Outcome {
    let body: CreateBody = http::parse_json(&req)?;
    let queue = app.queue().map_err(internal)?;
    // A valid order spends the caller's quota (a replay of an answered key does not).
    app.quota.spend(&caller.sub, shared::time::now()).await?;
    let order = ops::create(&app.store, queue, &caller.sub, body.quantity, body.symbol).await?;
    http::accepted(&OrderView::from(&order))
}

/// GET /orders/v1/orders/{order_id}: the caller's own order, or any for staff and admins; any
/// other is `order_not_found`, as if it did not exist.
pub async fn get_order(app: &App, caller: Caller, req: Request) -> Outcome {
    let order = ops::get(&app.store, &caller, &http::path_param(&req, "order_id")?).await?;
    http::ok(&OrderView::from(&order))
}

#[derive(Serialize)]
struct OrdersView<'a> {
    orders: Vec<OrderView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The listing a caller's cursor belongs to: theirs alone, so another user's cursor is a 400.
fn my_orders_listing(caller: &Caller) -> String {
    format!("orders/mine/{}", caller.sub)
}

/// GET /orders/v1/orders: the caller's own posted orders, newest first, `limit` (default 50, at
/// most 200) a page.
pub async fn list_orders(app: &App, caller: Caller, req: Request) -> Outcome {
    let query: PageQuery = http::parse_query(&req)?;
    let limit = query.limit(50, 200)?;
    let cursors = Cursors::configured(app.cursors.as_ref())?;
    let listing = my_orders_listing(&caller);
    let after: Option<String> = cursors.start(&listing, query.cursor.as_deref())?;
    let page = ops::list_mine(&app.store, &caller.sub, after.as_deref(), limit).await?;
    http::ok(&OrdersView {
        orders: page.items.iter().map(OrderView::from).collect(),
        next_cursor: cursors.next(&listing, page.next.as_ref()),
    })
}

#[derive(Serialize)]
struct MetricsView {
    total_orders_processed: u64,
    /// `null` before the first processed order.
    average_execution_price: Option<Amount>,
}

impl From<Totals> for MetricsView {
    fn from(totals: Totals) -> Self {
        Self {
            total_orders_processed: totals.count,
            average_execution_price: totals.average().map(|value| Amount { value, decimals: AVERAGE_DECIMALS }),
        }
    }
}

/// GET /orders/v1/metrics (staff, admin): one read of the aggregate, whatever the number of orders.
pub async fn metrics(app: &App, _caller: Caller, _: Request) -> Outcome {
    let totals = ops::metrics(&app.store).await?;
    http::ok(&MetricsView::from(totals))
}

#[derive(Serialize)]
struct GenerationView {
    running: bool,
    orders_per_minute: u32,
}

async fn generation_view(app: &App, running: Option<bool>) -> Outcome {
    let running = match running {
        Some(running) => running,
        None => ops::generation_running(&app.store).await?,
    };
    http::ok(&GenerationView { running, orders_per_minute: app.pace.orders_per_minute })
}

/// GET /orders/v1/generation (staff, admin)
pub async fn generation_status(app: &App, _caller: Caller, _: Request) -> Outcome {
    generation_view(app, None).await
}

/// POST /orders/v1/generation/start (admin): takes effect at the next scheduled minute.
pub async fn generation_start(app: &App, _caller: Caller, _: Request) -> Outcome {
    ops::set_generation(&app.store, true).await?;
    generation_view(app, Some(true)).await
}

/// POST /orders/v1/generation/stop (admin): takes effect at the next scheduled minute.
pub async fn generation_stop(app: &App, _caller: Caller, _: Request) -> Outcome {
    ops::set_generation(&app.store, false).await?;
    generation_view(app, Some(false)).await
}

/// ANY /orders/{proxy+}: whatever no other route matched; 405 for a known path, else 404. To
/// anyone, signed in or not: it touches nothing.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

/// A bug (here: a function deployed without the queue's URL that started anyway): logged, 500.
fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "internal error");
    ApiError::internal()
}

impl From<CreateOrderError> for ApiError {
    fn from(err: CreateOrderError) -> Self {
        match err {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: impl Serialize) -> String {
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn prices_are_answered_exactly_and_whole_ones_keep_their_point() {
        assert_eq!(json(Amount::price(Micros(2_500_000))), "2.5");
        assert_eq!(json(Amount::price(Micros(5_000_000))), "5.0");
        assert_eq!(json(Amount::price(Micros(1_234_567))), "1.234567");
        assert_eq!(json(Amount::price(Micros(100_000))), "0.1");
        assert_eq!(json(Amount::price(Micros(10_000_000_000_000))), "10000000.0");
        // The same text as the price as a float had, for every price up to the highest.
        for micros in [1, 7, 1_100_000, 1_999_999, 3_300_000, 12_345_678_901, 9_999_999_999_999] {
            assert_eq!(json(Amount::price(Micros(micros))), json(micros as f64 / 1e6), "{micros}");
        }
    }

    #[test]
    fn the_metrics_average_exactly_and_are_null_before_the_first_order() {
        let view = |count, sum| serde_json::to_value(MetricsView::from(Totals { count, sum })).unwrap();
        assert_eq!(view(0, 0), serde_json::json!({"total_orders_processed": 0, "average_execution_price": null}));
        assert_eq!(
            view(4, 10_000_000),
            serde_json::json!({"total_orders_processed": 4, "average_execution_price": 2.5})
        );
        assert_eq!(view(1, 5_000_000)["average_execution_price"], serde_json::json!(5.0));
        let huge = view(10_000_000, 10_000_000 * 10_000_000_000_000);
        assert_eq!(huge["average_execution_price"], serde_json::json!(10_000_000.0));
        let third = view(3, 10_000_000)["average_execution_price"].as_f64().unwrap();
        assert!((third - 10.0 / 3.0).abs() < 1e-15, "ten units over three orders: {third}");
    }
}
