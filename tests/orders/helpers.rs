//! The orders service's fixtures: an app over a fresh copy of the template's table, queue and
//! user pool, signed-in users, calls of its handlers, and the queue polled with the real
//! processor.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use local_stack::{
    Stack,
    triggers::{BatchOutcome, ScheduleSource, SqsSource},
};
use orders::{
    App, Config,
    domain::{OrderStatus, PriceRange, Totals, generated_order_id},
    entrypoints::{http, sqs},
    ops::{self, GenerateError, Generation},
};
use serde_json::Value;
use shared::{
    auth::{ADMIN, STAFF},
    http::Request,
    money::Micros,
};
use system_tests::{InProcess, Reply, User, as_user, auth_config, call, fresh_stack, request, sdk, template, user};

pub struct Orders {
    pub app: &'static App,
    pub stack: Stack,
    pub sdk: SdkConfig,
    /// A signed-in user in no group: `post` places orders as them.
    pub user: User,
    /// Another user in no group.
    pub other: User,
    /// In `staff`: `order` and `metrics` read as them (staff see every order).
    pub staff: User,
    pub admin: User,
}

pub fn config(stack: &Stack, per_minute: u32) -> Config {
    Config {
        table: stack.table("OrdersTable").to_owned(),
        queue_url: Some(stack.queue("OrdersQueue").url.clone()),
        orders_per_minute: per_minute,
        generation_window_seconds: 2,
        prices: PriceRange::new(1.1, 2.0).unwrap(),
        cursors: Some(shared::cursor::Cursors::new("orders-tests-cursor-signing-key-0001")),
        quota: shared::quota::Limit { name: orders::ORDERS_QUOTA, limit: 60, window: shared::quota::Window::Minute },
        auth: auth_config(stack),
    }
}

/// The request as `who` sends it: with their token, or anonymous.
pub fn as_caller(req: Request, who: Option<&User>) -> Request {
    match who {
        Some(user) => as_user(req, user),
        None => req,
    }
}

/// `GET /orders/v1/orders/{id}` as the handler receives it.
pub fn get_request(id: &str, who: Option<&User>) -> Request {
    as_caller(request("GET", &format!("/orders/v1/orders/{id}"), None), who)
}

impl Orders {
    pub async fn new(per_minute: u32) -> Self {
        Self::configured(per_minute, |_| ()).await
    }

    /// Orders whose configuration `change` adjusts (a quota, ...); no generation.
    pub async fn with(change: impl FnOnce(&mut Config)) -> Self {
        Self::configured(0, change).await
    }

    async fn configured(per_minute: u32, change: impl FnOnce(&mut Config)) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let mut config = config(&stack, per_minute);
        change(&mut config);
        let app: &'static App = shared::app::for_process(App::new(&sdk, &config));
        let (user, other, staff, admin) = tokio::join!(
            user(&stack, "user@example.com", &[]),
            user(&stack, "other@example.com", &[]),
            user(&stack, "staff@example.com", &[STAFF]),
            user(&stack, "admin@example.com", &[ADMIN]),
        );
        Self { app, stack, sdk, user, other, staff, admin }
    }

    /// Places an order as [`Orders::user`].
    pub async fn post(&self, body: Value) -> Reply {
        self.post_as(Some(&self.user), body).await
    }

    pub async fn post_as(&self, who: Option<&User>, body: Value) -> Reply {
        call(self.app, http::create_order, as_caller(request("POST", "/orders/v1/orders", Some(body)), who)).await
    }

    /// Reads an order as [`Orders::staff`], who may read any.
    pub async fn order(&self, id: &str) -> Reply {
        self.order_as(Some(&self.staff), id).await
    }

    pub async fn order_as(&self, who: Option<&User>, id: &str) -> Reply {
        call(self.app, http::get_order, get_request(id, who)).await
    }

    /// `GET /orders/v1/orders` with `query`, as `who`.
    pub async fn my_orders(&self, who: &User, query: &str) -> Reply {
        let req = system_tests::with_query(as_user(request("GET", "/orders/v1/orders", None), who), query);
        call(self.app, http::list_orders, req).await
    }

    /// The metrics, as [`Orders::staff`] reads them.
    pub async fn metrics(&self) -> Value {
        let req = as_user(request("GET", "/orders/v1/metrics", None), &self.staff);
        let reply = call(self.app, http::metrics, req).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }

    /// The generation of the minute `scheduled` falls in, as the generator's invocation runs it.
    pub async fn generate(&self, scheduled: DateTime<Utc>) -> Result<Generation, GenerateError> {
        ops::generate(&self.app.store, self.app.queue().unwrap(), self.app.pace, scheduled).await
    }

    pub fn processed_count(metrics: &Value) -> u64 {
        metrics["total_orders_processed"].as_u64().unwrap()
    }

    pub fn source(&self) -> SqsSource {
        SqsSource::from_template(template(), &self.stack, &self.sdk)
            .unwrap()
            .into_iter()
            .find(|s| s.function == "orders-processor")
            .expect("the template maps the orders queue to orders-processor")
    }

    pub fn processor(app: &'static App) -> InProcess {
        InProcess::default().on("orders-processor", move |event| sqs::processor(app, event))
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }

    /// Polls the queue with the real processor until `done(totals of outcomes)` holds.
    pub async fn drain_until(&self, what: &str, mut done: impl FnMut(&BatchOutcome) -> bool) -> BatchOutcome {
        let source = self.source();
        let processor = Self::processor(self.app);
        let mut total = BatchOutcome::default();
        let deadline = Instant::now() + Duration::from_secs(90);
        while !done(&total) {
            assert!(Instant::now() < deadline, "timed out: {what} (so far {total:?})");
            let outcome = source.poll_once(&processor, 1).await.unwrap();
            total.received += outcome.received;
            total.deleted += outcome.deleted;
            total.failed += outcome.failed;
        }
        total
    }

    pub async fn set_visibility_timeout(&self, seconds: u32) {
        self.sqs()
            .set_queue_attributes()
            .queue_url(&self.stack.queue("OrdersQueue").url)
            .attributes(QueueAttributeName::VisibilityTimeout, seconds.to_string())
            .send()
            .await
            .unwrap();
    }

    /// Polls the queue with the real processor until `expected` messages were received, and
    /// checks that they all succeeded and nothing else is left. A count of deliveries rather than
    /// "until the queue looks empty": the queue's three approximate counts are read one after
    /// another, and a message whose delay ends in between is in none of them.
    pub async fn drain(&self, expected: usize) {
        let total = self.drain_until(&format!("{expected} messages"), |t| t.received >= expected).await;
        assert_eq!(total, BatchOutcome { received: expected, deleted: expected, failed: 0 });
        assert_eq!(self.queued_messages().await, 0, "no other message (all delays are over)");
    }

    /// The generated orders `0..count` of `minute` exist, and no order `count`.
    pub async fn assert_minute_has(&self, minute: DateTime<Utc>, count: u32) {
        for i in 0..count {
            let id = generated_order_id(minute, i);
            assert_eq!(self.order(&id).await.status, 200, "{id} exists");
        }
        assert_eq!(self.order(&generated_order_id(minute, count)).await.code(), Some("order_not_found"));
    }

    /// Every generated order of these minutes is processed, and the aggregate counts exactly
    /// them, once each, with the sum of their prices (nothing else was processed).
    pub async fn assert_processed_once(&self, minutes: &[(DateTime<Utc>, u32)]) {
        let (mut count, mut sum) = (0u64, 0i64);
        for &(minute, orders) in minutes {
            for i in 0..orders {
                let order = self.app.store.order(&generated_order_id(minute, i)).await.unwrap().unwrap();
                assert_eq!(order.status, OrderStatus::Processed, "{}", order.order_id);
                count += 1;
                sum = sum.checked_add(order.execution_price.unwrap().0).unwrap();
            }
        }
        assert_eq!(self.app.store.totals().await.unwrap(), Totals { count, sum: i128::from(sum) });
    }

    /// Messages in the orders queue, visible, in flight or delayed.
    pub async fn queued_messages(&self) -> u64 {
        let names = [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::ApproximateNumberOfMessagesDelayed,
        ];
        let output = self
            .sqs()
            .get_queue_attributes()
            .queue_url(&self.stack.queue("OrdersQueue").url)
            .set_attribute_names(Some(names.to_vec()))
            .send()
            .await
            .unwrap();
        let attributes = output.attributes.unwrap();
        names.iter().map(|n| attributes[n].parse::<u64>().unwrap()).sum()
    }
}

pub fn scheduled_event(time: DateTime<Utc>) -> CloudWatchEvent {
    let source =
        ScheduleSource { function: "orders-generator".into(), rule: "Minute".into(), every: Duration::from_secs(60) };
    serde_json::from_value(source.event(time)).unwrap()
}

/// The price in millionths, as the test recomputes it from the order's JSON.
pub fn micros(price: &Value) -> i64 {
    Micros::from_decimal(price.as_f64().expect("a processed order has a price")).0
}
