//! The analytics service's fixtures: an app over a fresh copy of the template's table and
//! queues, signed-in users, calls of its handlers, the rollups read back, and the events queue
//! polled with the real worker.

use std::time::{Duration, Instant};

use analytics::{
    App, Config,
    entrypoints::{http, sqs},
    store::{self, day_key, number},
};
use aws_config::SdkConfig;
use local_stack::{
    Stack,
    triggers::{BatchOutcome, SqsSource},
};
use serde_json::{Value, json};
use shared::{
    auth::{ANALYST, INGEST},
    dynamo::Item,
};
use system_tests::{InProcess, Reply, User, as_user, auth_config, call, fresh_stack, request, sdk, template, user};

pub struct Analytics {
    pub app: &'static App,
    pub stack: Stack,
    pub sdk: SdkConfig,
    /// In `ingest`: posts events.
    pub ingest: User,
    /// In `analyst`: reads events and asks the queries.
    pub analyst: User,
    /// In no group.
    pub nobody: User,
}

pub fn config(stack: &Stack) -> Config {
    Config {
        table: stack.table("AnalyticsTable").to_owned(),
        dlq_url: Some(stack.queue("AnalyticsEventsDeadLetterQueue").url.clone()),
        auth: auth_config(stack),
        cursors: Some(shared::cursor::Cursors::new(CURSOR_KEY)),
        quota: analytics::ingest_quota().unwrap(),
        retention_days: 730,
    }
}

/// The test key of the listing's cursors.
pub const CURSOR_KEY: &str = "analytics-test-cursor-key-000000";

/// A valid event: `id` of customer `customer` in `province`, worth `value`, at `at`.
pub fn event(id: &str, customer: &str, province: &str, value: &str, at: &str) -> Value {
    json!({"event_type": "order.created", "event_id": id, "event_version": "1.0.0",
        "lovevery_user_id": customer, "email": format!("{customer}@example.com"),
        "first_name": customer, "last_name": "tester",
        "shipping_address": {"province": province, "country": "United States"},
        "currency": "USD", "order_value": value, "buyer_accepts_marketing": true,
        "line_items": [{"quantity": "2", "id": "item-a"}, {"quantity": 1, "id": "item-b"}],
        "occurred_at": at})
}

/// The seed events of the system this replaces.
pub fn samples() -> Vec<Value> {
    let text = std::fs::read_to_string(system_tests::workspace().join("events/analytics-ingest.json")).unwrap();
    let request: Value = serde_json::from_str(&text).unwrap();
    let body: Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
    body["events"].as_array().unwrap().clone()
}

impl Analytics {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// An app whose configuration `change` alters.
    pub async fn with(change: impl FnOnce(&mut Config)) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let mut config = config(&stack);
        change(&mut config);
        let app: &'static App = shared::app::for_process(App::new(&sdk, &config));
        let (ingest, analyst, nobody) = tokio::join!(
            user(&stack, "ingest@example.com", &[INGEST]),
            user(&stack, "analyst@example.com", &[ANALYST]),
            user(&stack, "nobody@example.com", &[]),
        );
        Self { app, stack, sdk, ingest, analyst, nobody }
    }

    /// Posts `body` (an event or a batch) as [`Analytics::ingest`].
    pub async fn post(&self, body: Value) -> Reply {
        self.post_as(&self.ingest, body).await
    }

    pub async fn post_as(&self, who: &User, body: Value) -> Reply {
        call(self.app, http::ingest, as_user(request("POST", "/analytics/v1/events", Some(body)), who)).await
    }

    pub async fn event_as(&self, who: &User, id: &str) -> Reply {
        let req = request("GET", &format!("/analytics/v1/events/{id}"), None);
        call(self.app, http::get_event, as_user(req, who)).await
    }

    /// A query (`GET path?query`) as `who` asks it.
    pub async fn query_as(&self, who: Option<&User>, path: &str, query: &[(&str, &str)]) -> Reply {
        let params: std::collections::HashMap<String, String> =
            query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut req = lambda_http::RequestExt::with_query_string_parameters(request("GET", path, None), params);
        if let Some(who) = who {
            req = as_user(req, who);
        }
        let app = self.app;
        match path {
            "/analytics/v1/events" => Box::pin(call(app, http::list_events, req)).await,
            "/analytics/v1/customers/top" => Box::pin(call(app, http::top_customers, req)).await,
            "/analytics/v1/orders/value" => Box::pin(call(app, http::order_value, req)).await,
            "/analytics/v1/sales/province" => Box::pin(call(app, http::sales_by_province, req)).await,
            other => panic!("no query {other}"),
        }
    }

    /// A query as [`Analytics::analyst`], which must succeed.
    pub async fn query(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let reply = self.query_as(Some(&self.analyst), path, query).await;
        assert_eq!(reply.status, 200, "{path} {query:?}: {reply:?}");
        reply.body
    }

    pub async fn event(&self, id: &str) -> Reply {
        self.event_as(&self.analyst, id).await
    }

    pub async fn item(&self, key: Item) -> Option<Item> {
        aws_sdk_dynamodb::Client::new(&self.sdk)
            .get_item()
            .table_name(self.stack.table("AnalyticsTable"))
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    /// The day rollup of `date` in USD: (order count, order value in micros).
    pub async fn day(&self, date: &str) -> (i128, i128) {
        match self.item(day_key("USD", date)).await {
            Some(item) => (number(&item, "order_count").unwrap(), number(&item, "order_value").unwrap()),
            None => (0, 0),
        }
    }

    /// A customer's rollup of `date` in USD: (count, value in micros).
    pub async fn customer(&self, date: &str, customer: &str) -> (i128, i128) {
        match self.item(store::customer_key("USD", date, customer)).await {
            Some(item) => (number(&item, "order_count").unwrap(), number(&item, "order_value").unwrap()),
            None => (0, 0),
        }
    }

    /// A province's rollup of `date` in USD: (count, value in micros, quantity of `item`).
    pub async fn province(&self, date: &str, province: &str, item: &str) -> (i128, i128, i128) {
        let key = analytics::domain::event::province_key(province);
        let quantity = match self.item(store::item_day_key("USD", date, &key, item)).await {
            Some(i) => number(&i, "quantity").unwrap(),
            None => 0,
        };
        match self.item(store::province_key("USD", date, &key)).await {
            Some(i) => (number(&i, "order_count").unwrap(), number(&i, "order_value").unwrap(), quantity),
            None => (0, 0, quantity),
        }
    }

    /// The month rollups of `month` (`YYYY-MM`) in USD, read back: (value, the customer's, the
    /// province's with the quantity of `item`).
    pub async fn month(
        &self,
        month: &str,
        customer: &str,
        province: &str,
        item: &str,
    ) -> ((i128, i128), (i128, i128), (i128, i128, i128)) {
        let totals = |i: Option<Item>| {
            i.map_or((0, 0), |i| (number(&i, "order_count").unwrap(), number(&i, "order_value").unwrap()))
        };
        let key = analytics::domain::event::province_key(province);
        let value = totals(self.item(store::month_key("USD", month)).await);
        let customer = totals(self.item(store::Family::Customers.month_key("USD", month, customer)).await);
        let (count, value_p) = totals(self.item(store::Family::Provinces.month_key("USD", month, &key)).await);
        let quantity = match self.item(store::item_month_key("USD", month, &key, item)).await {
            Some(i) => number(&i, "quantity").unwrap(),
            None => 0,
        };
        (value, customer, (count, value_p, quantity))
    }

    pub fn source(&self) -> SqsSource {
        SqsSource::from_template(template(), &self.stack, &self.sdk)
            .unwrap()
            .into_iter()
            .find(|s| s.function == "analytics-worker")
            .expect("the template maps the events queue to analytics-worker")
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }

    /// Sends each body as one message of the events queue.
    pub async fn send(&self, bodies: &[String]) {
        for body in bodies {
            self.sqs()
                .send_message()
                .queue_url(&self.stack.queue("AnalyticsEventsQueue").url)
                .message_body(body)
                .send()
                .await
                .unwrap();
        }
    }

    /// Polls the events queue with the real worker until `expected` messages were received.
    pub async fn drain(&self, expected: usize) -> BatchOutcome {
        let source = self.source();
        let app = self.app;
        let worker = InProcess::default().on("analytics-worker", move |event| sqs::worker(app, event));
        let mut total = BatchOutcome::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        while total.received < expected {
            assert!(Instant::now() < deadline, "timed out draining {expected} messages (so far {total:?})");
            let outcome = source.poll_once(&worker, 1).await.unwrap();
            total.received += outcome.received;
            total.deleted += outcome.deleted;
            total.failed += outcome.failed;
        }
        total
    }

    /// Every message of the DLQ, received and deleted.
    pub async fn dead_letters(&self) -> Vec<String> {
        let url = &self.stack.queue("AnalyticsEventsDeadLetterQueue").url;
        let mut bodies = Vec::new();
        loop {
            let messages = self
                .sqs()
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if messages.is_empty() {
                return bodies;
            }
            for m in messages {
                bodies.push(m.body.clone().unwrap_or_default());
                self.sqs()
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}
