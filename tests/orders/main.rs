//! The orders pipeline against the local AWS endpoint: exactly-once processing through the
//! queue, metrics that equal the processed orders, idempotent generation, generation control,
//! poison messages and failures half-way.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_lambda_events::{cloudwatch_events::CloudWatchEvent, sqs::SqsEvent};
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use futures::future::join_all;
use local_stack::{
    Stack,
    triggers::{BatchOutcome, ScheduleSource, SqsSource},
};
use orders::{
    App, Config,
    domain::{Micros, PriceRange, Quantity, Totals, generated_order_id},
    handlers,
    ops::{self, Generated, Generation},
    store::{Minute, Order, OrderStatus, Processed},
};
use serde_json::{Value, json};
use system_tests::{InProcess, Reply, call, fresh_stack, inject_conflicts, request, sdk, template, with_path_params};

struct Orders {
    app: &'static App,
    stack: Stack,
    sdk: SdkConfig,
}

fn config(stack: &Stack, per_minute: u32) -> Config {
    Config {
        table: stack.table("OrdersTable").to_owned(),
        queue_url: Some(stack.queue("OrdersQueue").url.clone()),
        orders_per_minute: per_minute,
        generation_window_seconds: 2,
        prices: PriceRange::new(1.1, 2.0).unwrap(),
    }
}

impl Orders {
    async fn new(per_minute: u32) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let app: &'static App = Box::leak(Box::new(App::new(&sdk, &config(&stack, per_minute))));
        Self { app, stack, sdk }
    }

    async fn post(&self, body: Value) -> Reply {
        call(self.app, handlers::create_order, request("POST", "/orders/v1/orders", Some(body))).await
    }

    async fn order(&self, id: &str) -> Reply {
        let req = with_path_params(request("GET", &format!("/orders/v1/orders/{id}"), None), &[("order_id", id)]);
        call(self.app, handlers::get_order, req).await
    }

    async fn metrics(&self) -> Value {
        let reply = call(self.app, handlers::metrics, request("GET", "/orders/v1/metrics", None)).await;
        assert_eq!(reply.status, 200);
        reply.body
    }

    fn processed_count(metrics: &Value) -> u64 {
        metrics["total_orders_processed"].as_u64().unwrap()
    }

    fn source(&self) -> SqsSource {
        SqsSource::from_template(template(), &self.stack, &self.sdk)
            .unwrap()
            .into_iter()
            .find(|s| s.function == "orders-processor")
            .expect("the template maps the orders queue to orders-processor")
    }

    fn processor(app: &'static App) -> InProcess {
        InProcess::default().on("orders-processor", move |event| handlers::processor(app, event))
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }

    /// Polls the queue with the real processor until `done(totals of outcomes)` holds.
    async fn drain_until(&self, what: &str, mut done: impl FnMut(&BatchOutcome) -> bool) -> BatchOutcome {
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

    async fn set_visibility_timeout(&self, seconds: u32) {
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
    async fn drain(&self, expected: usize) {
        let total = self.drain_until(&format!("{expected} messages"), |t| t.received >= expected).await;
        assert_eq!(total, BatchOutcome { received: expected, deleted: expected, failed: 0 });
        assert_eq!(self.queued_messages().await, 0, "no other message (all delays are over)");
    }

    /// The generated orders `0..count` of `minute` exist, and no order `count`.
    async fn assert_minute_has(&self, minute: DateTime<Utc>, count: u32) {
        for i in 0..count {
            let id = generated_order_id(minute, i);
            assert_eq!(self.order(&id).await.status, 200, "{id} exists");
        }
        assert_eq!(self.order(&generated_order_id(minute, count)).await.code(), Some("order_not_found"));
    }

    /// Every generated order of these minutes is processed, and the aggregate counts exactly
    /// them, once each, with the sum of their prices (nothing else was processed).
    async fn assert_processed_once(&self, minutes: &[(DateTime<Utc>, u32)]) {
        let (mut count, mut sum) = (0u64, 0i64);
        for &(minute, orders) in minutes {
            for i in 0..orders {
                let order = self.app.store.order(&generated_order_id(minute, i)).await.unwrap().unwrap();
                assert_eq!(order.status, OrderStatus::Processed, "{}", order.order_id);
                count += 1;
                sum = sum.checked_add(order.execution_price.unwrap().0).unwrap();
            }
        }
        assert_eq!(self.app.store.totals().await.unwrap(), Totals { count, sum: Micros(sum) });
    }

    /// Messages in the orders queue, visible, in flight or delayed.
    async fn queued_messages(&self) -> u64 {
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

fn scheduled_event(time: DateTime<Utc>) -> CloudWatchEvent {
    let source =
        ScheduleSource { function: "orders-generator".into(), rule: "Minute".into(), every: Duration::from_secs(60) };
    serde_json::from_value(source.event(time)).unwrap()
}

/// The price in millionths, as the test recomputes it from the order's JSON.
fn micros(price: &Value) -> i64 {
    Micros::from_decimal(price.as_f64().expect("a processed order has a price")).0
}

#[tokio::test]
async fn posted_orders_are_processed_once_and_the_metrics_equal_their_sum() {
    let o = Orders::new(30).await;
    assert_eq!(o.metrics().await, json!({"total_orders_processed": 0, "average_execution_price": null}));
    let mut ids = Vec::new();
    for i in 0..24 {
        let body =
            if i % 3 == 0 { json!({"quantity": i % 10 + 1, "symbol": "ab1"}) } else { json!({"quantity": i % 10 + 1}) };
        let reply = o.post(body).await;
        assert_eq!(reply.status, 202, "{reply:?}");
        assert_eq!(reply.body["status"], "queued");
        assert!(reply.body.get("execution_price").is_none());
        let symbol = reply.body["symbol"].as_str().unwrap();
        assert!(symbol.len() == 3 && symbol.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{symbol}");
        if i % 3 == 0 {
            assert_eq!(symbol, "AB1");
        }
        ids.push(reply.body["order_id"].as_str().unwrap().to_owned());
    }
    let outcome = o.drain_until("24 orders processed", |t| t.deleted >= 24).await;
    assert_eq!((outcome.deleted, outcome.failed), (24, 0));

    let mut sum = 0i64;
    for id in &ids {
        let order = o.order(id).await;
        assert_eq!(order.body["status"], "processed", "{order:?}");
        assert!(order.body["processed_at"].as_str().is_some_and(|t| t.ends_with('Z')));
        let quantity = order.body["quantity"].as_i64().unwrap();
        let price = micros(&order.body["execution_price"]);
        assert!(price >= quantity * 1_100_000 && price < quantity * 2_000_000, "price {price} for quantity {quantity}");
        sum += price;
    }
    let metrics = o.metrics().await;
    assert_eq!(Orders::processed_count(&metrics), 24);
    let average = metrics["average_execution_price"].as_f64().unwrap();
    assert!((average - sum as f64 / 24.0 / 1e6).abs() < 1e-9, "average {average} vs recomputed {}", sum as f64 / 24e6);
}

#[tokio::test]
async fn the_same_message_three_times_counts_once() {
    let o = Orders::new(30).await;
    let reply = o.post(json!({"quantity": 4})).await;
    let id = reply.body["order_id"].as_str().unwrap().to_owned();
    let body = json!({"order_id": id}).to_string();
    for _ in 0..2 {
        o.sqs().send_message().queue_url(&o.stack.queue("OrdersQueue").url).message_body(&body).send().await.unwrap();
    }
    let outcome = o.drain_until("three deliveries", |t| t.deleted >= 3).await;
    assert_eq!((outcome.deleted, outcome.failed), (3, 0), "duplicates are successes, not failures");
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);
    let first_price = o.order(&id).await.body["execution_price"].clone();
    // A late duplicate does not re-price the order either.
    assert_eq!(ops::process(o.app, &id).await, Ok(Processed::Before));
    assert_eq!(o.order(&id).await.body["execution_price"], first_price);
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_transaction_condition_counts_an_order_once() {
    let o = Orders::new(30).await;
    let store = &o.app.store;
    // Two deliveries that both read the order while it was still queued: the read lets both
    // through, and the second is refused by the transaction's condition alone.
    let id = o.post(json!({"quantity": 4})).await.body["order_id"].as_str().unwrap().to_owned();
    assert_eq!(store.order(&id).await.unwrap().unwrap().status, OrderStatus::Queued);
    let now = shared::time::now();
    assert_eq!(store.process(&id, Micros(5_000_000), now).await.unwrap(), Processed::Now);
    assert_eq!(store.process(&id, Micros(7_000_000), now).await.unwrap(), Processed::Before);
    assert_eq!(store.totals().await.unwrap(), Totals { count: 1, sum: Micros(5_000_000) });
    assert_eq!(o.order(&id).await.body["execution_price"], json!(5.0), "the refused delivery did not re-price it");
    assert_eq!(o.metrics().await, json!({"total_orders_processed": 1, "average_execution_price": 5.0}));

    // Ten deliveries of one order processed at once: one prices and counts it.
    let id = o.post(json!({"quantity": 3})).await.body["order_id"].as_str().unwrap().to_owned();
    let app = o.app;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let id = id.clone();
            tokio::spawn(async move { ops::process(app, &id).await })
        })
        .collect();
    let outcomes: Vec<Processed> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|p| **p == Processed::Now).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|p| matches!(p, Processed::Now | Processed::Before)), "{outcomes:?}");
    let price = store.order(&id).await.unwrap().unwrap().execution_price.unwrap();
    assert!(price >= Micros(3_300_000) && price < Micros(6_000_000), "3 × [1.1, 2.0): {price}");
    assert_eq!(store.totals().await.unwrap(), Totals { count: 2, sum: Micros(5_000_000 + price.0) });
}

#[tokio::test]
async fn a_doubled_schedule_invocation_creates_one_minute_of_orders() {
    let o = Orders::new(5).await;
    let minute = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
    let first = handlers::generator(o.app, scheduled_event(minute + chrono::Duration::seconds(1))).await.unwrap();
    assert_eq!(first, json!({"outcome": format!("{:?}", Generated::Created { minute, orders: 5 }), "resumed": []}));
    let second = handlers::generator(o.app, scheduled_event(minute)).await.unwrap();
    assert_eq!(second["outcome"], format!("{:?}", Generated::AlreadyDone { minute }), "{second}");
    o.assert_minute_has(minute, 5).await;

    // Two invocations racing for the next minute: both succeed, one creates, none doubles the
    // orders. The other normally finds the minute claimed under it (in progress); if it looked
    // only after the claim, it finishes the minute alongside (duplicate messages, no new orders).
    let next = minute + chrono::Duration::minutes(1);
    let outcomes: Vec<Generated> =
        join_all((0..2).map(|_| ops::generate(o.app, next))).await.into_iter().map(|r| r.unwrap().outcome).collect();
    let created = Generated::Created { minute: next, orders: 5 };
    assert_eq!(outcomes.iter().filter(|g| **g == created).count(), 1, "{outcomes:?}");
    let other = outcomes.iter().find(|g| **g != created).unwrap();
    assert!(
        matches!(
            other,
            Generated::InProgress { .. } | Generated::AlreadyDone { .. } | Generated::Resumed { orders: 5, .. }
        ),
        "{other:?}"
    );
    o.assert_minute_has(next, 5).await;
    // One message per order, not per invocation (a finishing loser sends the minute's again).
    let duplicates = if matches!(other, Generated::Resumed { .. }) { 5 } else { 0 };
    o.drain(10 + duplicates).await;
    o.assert_processed_once(&[(minute, 5), (next, 5)]).await;
}

#[tokio::test]
async fn a_minute_of_more_than_one_transaction_is_created_once() {
    let o = Orders::new(150).await;
    let minute = shared::time::parse("2026-11-22T12:00:00Z").unwrap();
    let generation = ops::generate(o.app, minute).await.unwrap();
    assert_eq!(generation.outcome, Generated::Created { minute, orders: 150 });
    assert_eq!(ops::generate(o.app, minute).await.unwrap().outcome, Generated::AlreadyDone { minute });
    o.assert_minute_has(minute, 150).await;
    o.drain(150).await;
    o.assert_processed_once(&[(minute, 150)]).await;
}

#[tokio::test]
async fn a_half_done_minute_is_finished_by_later_invocations_even_when_generation_is_stopped() {
    let o = Orders::new(5).await;
    let store = &o.app.store;
    let queue = orders::queue::OrdersQueue::new(o.sqs(), o.stack.queue("OrdersQueue").url.clone());
    // An invocation that died after claiming a minute of 120 orders, having written 40 of them
    // and sent 10 messages; one of those orders was already processed.
    let minute = shared::time::parse("2026-11-22T13:00:00Z").unwrap();
    let orders: Vec<Order> = (0..40)
        .map(|i| Order {
            order_id: generated_order_id(minute, i),
            symbol: "ABC".to_owned().try_into().unwrap(),
            quantity: Quantity::try_from(2).unwrap(),
            status: OrderStatus::Queued,
            created_at: shared::time::now(),
            execution_price: None,
            processed_at: None,
        })
        .collect();
    assert!(store.claim_minute(&Minute { minute, orders: 120, queued: false }, &orders).await.unwrap());
    let sent: Vec<(String, i32)> = orders[..10].iter().map(|order| (order.order_id.clone(), 0)).collect();
    queue.send_all(&sent).await.unwrap();
    let early = Micros(2_500_000);
    assert_eq!(store.process(&orders[3].order_id, early, shared::time::now()).await.unwrap(), Processed::Now);

    // Generation is stopped before the next invocation: the half-done minute is finished anyway.
    ops::set_generation(o.app, false).await.unwrap();
    let later = minute + chrono::Duration::minutes(3);
    let generation = ops::generate(o.app, later).await.unwrap();
    assert_eq!(generation, Generation { outcome: Generated::Stopped, resumed: vec![minute] });
    assert!(store.minutes(&[minute]).await.unwrap()[0].queued, "the minute ends queued");
    o.assert_minute_has(minute, 120).await;
    assert_eq!(o.order(&orders[3].order_id).await.body["execution_price"], json!(2.5), "a processed order is kept");
    assert_eq!(o.order(&orders[4].order_id).await.body["symbol"], "ABC", "written orders are kept");
    let again = ops::generate(o.app, later).await.unwrap();
    assert_eq!(again, Generation { outcome: Generated::Stopped, resumed: vec![] }, "finished once");

    // A retry of an interrupted invocation (here: the first 2 of 5 orders written) finishes its own
    // minute. The minutes between were never claimed: missed minutes stay missed.
    ops::set_generation(o.app, true).await.unwrap();
    let retried = minute + chrono::Duration::minutes(5);
    assert!(store.claim_minute(&Minute { minute: retried, orders: 5, queued: false }, &[]).await.unwrap());
    let generation = ops::generate(o.app, retried).await.unwrap();
    assert_eq!(generation, Generation { outcome: Generated::Resumed { minute: retried, orders: 5 }, resumed: vec![] });
    assert_eq!(o.order(&generated_order_id(later, 0)).await.status, 404);

    // The 10 sent before the crash, the 120 of the finished minute, the 5 of the retried one.
    o.drain(10 + 120 + 5).await;
    o.assert_processed_once(&[(minute, 120), (retried, 5)]).await;
}

#[tokio::test]
async fn generation_can_be_stopped_and_started_again() {
    let o = Orders::new(3).await;
    let app = o.app;
    let status = |path: &'static str, method: &'static str| async move {
        let req = request(method, path, None);
        let reply = match (method, path) {
            ("GET", _) => call(app, handlers::generation_status, req).await,
            (_, "/orders/v1/generation/start") => call(app, handlers::generation_start, req).await,
            _ => call(app, handlers::generation_stop, req).await,
        };
        reply.body
    };
    assert_eq!(status("/orders/v1/generation", "GET").await, json!({"running": true, "orders_per_minute": 3}));
    assert_eq!(status("/orders/v1/generation/stop", "POST").await, json!({"running": false, "orders_per_minute": 3}));
    assert_eq!(status("/orders/v1/generation", "GET").await["running"], false);
    let minute = shared::time::parse("2026-11-22T11:00:00Z").unwrap();
    assert_eq!(ops::generate(o.app, minute).await.unwrap().outcome, Generated::Stopped);
    assert_eq!(o.queued_messages().await, 0);
    assert_eq!(o.order("gen-20261122T1100Z-0000").await.status, 404);

    assert_eq!(status("/orders/v1/generation/start", "POST").await["running"], true);
    assert_eq!(ops::generate(o.app, minute).await.unwrap().outcome, Generated::Created { minute, orders: 3 });
    // Stop and start again: unlike the old system, start works after stop.
    status("/orders/v1/generation/stop", "POST").await;
    assert_eq!(status("/orders/v1/generation/start", "POST").await["running"], true);
    let later = minute + chrono::Duration::minutes(1);
    assert_eq!(ops::generate(o.app, later).await.unwrap().outcome, Generated::Created { minute: later, orders: 3 });
}

#[tokio::test]
async fn a_batch_reports_exactly_its_poison_records_as_failures() {
    let o = Orders::new(30).await;
    let mut good = Vec::new();
    for quantity in 1..=3 {
        good.push(o.post(json!({"quantity": quantity})).await.body["order_id"].as_str().unwrap().to_owned());
    }
    let bodies = [
        json!({"order_id": good[0]}).to_string(),
        json!({"order_id": "no-such-order"}).to_string(),
        json!({"order_id": good[1]}).to_string(),
        "not json at all".to_owned(),
        json!({"order_id": good[2]}).to_string(),
        json!({"order_id": "x".repeat(3000)}).to_string(),
        json!({"order_id": good[0]}).to_string(),
    ];
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| json!({"messageId": format!("m{i}"), "body": body, "eventSource": "aws:sqs"}))
        .collect();
    let event: SqsEvent = serde_json::from_value(json!({"Records": records})).unwrap();
    let response = handlers::processor(o.app, event).await.unwrap();
    let mut failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    failed.sort();
    assert_eq!(failed, ["m1", "m3", "m5"], "exactly the poison records, and a duplicate is no failure");
    for id in &good {
        assert_eq!(o.order(id).await.body["status"], "processed", "{id}");
    }
    assert_eq!(Orders::processed_count(&o.metrics().await), 3);
}

#[tokio::test]
async fn poison_messages_go_to_the_dead_letter_queue_and_the_rest_of_the_batch_succeeds() {
    let o = Orders::new(30).await;
    o.set_visibility_timeout(1).await;
    let queue = o.stack.queue("OrdersQueue").url.clone();
    let dlq = o.stack.queue("OrdersDeadLetterQueue").url.clone();
    let poison = [json!({"order_id": "no-such-order"}).to_string(), "not json at all".to_owned()];
    for body in &poison {
        o.sqs().send_message().queue_url(&queue).message_body(body).send().await.unwrap();
    }
    for quantity in 1..=3 {
        assert_eq!(o.post(json!({"quantity": quantity})).await.status, 202);
    }
    let mut dead: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    let source = o.source();
    let processor = Orders::processor(o.app);
    let mut batches = Vec::new();
    while dead.len() < 2 {
        assert!(Instant::now() < deadline, "poison messages dead-lettered in time: {dead:?}");
        let outcome = source.poll_once(&processor, 1).await.unwrap();
        if outcome.received > 0 {
            batches.push(outcome);
        }
        let received = o.sqs().receive_message().queue_url(&dlq).max_number_of_messages(10).send().await.unwrap();
        dead.extend(received.messages.unwrap_or_default().into_iter().filter_map(|m| m.body));
    }
    dead.sort();
    let mut expected = poison.to_vec();
    expected.sort();
    assert_eq!(dead, expected);
    // All five were queued before the first poll: the first batch mixes the good and the poison.
    assert_eq!(batches[0], BatchOutcome { received: 5, deleted: 3, failed: 2 }, "{batches:?}");
    assert!(batches[1..].iter().all(|b| b.deleted == 0), "only the poison came back: {batches:?}");
    let queues = template().queues().unwrap();
    let (_, max_receives) = queues.iter().find(|q| q.logical_id == "OrdersQueue").unwrap().redrive.clone().unwrap();
    let failures: usize = batches.iter().map(|b| b.failed).sum();
    assert_eq!(failures, 2 * max_receives as usize, "each poison message received maxReceiveCount times");
    assert_eq!(Orders::processed_count(&o.metrics().await), 3);
}

#[tokio::test]
async fn a_processor_failing_half_way_loses_nothing_and_counts_nothing_twice() {
    let o = Orders::new(30).await;
    for quantity in 1..=6 {
        assert_eq!(o.post(json!({"quantity": quantity})).await.status, 202);
    }
    o.set_visibility_timeout(1).await;
    // A processor whose database is unreachable: every record fails, nothing is deleted.
    let port = local_stack::emulator::free_port().unwrap();
    let dead_sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let broken: &'static App = Box::leak(Box::new(App::new(&dead_sdk, &config(&o.stack, 30))));
    let outcome = o.source().poll_once(&Orders::processor(broken), 1).await.unwrap();
    assert!(outcome.received > 0);
    assert_eq!((outcome.deleted, outcome.failed), (0, outcome.received));
    // Once the database is back, the same messages come round again and are processed once.
    o.drain_until("six orders processed", |t| t.deleted >= 6).await;
    assert_eq!(Orders::processed_count(&o.metrics().await), 6);
}

#[tokio::test]
async fn bad_orders_name_the_field() {
    let o = Orders::new(30).await;
    let cases = [
        (json!({"quantity": 0}), "invalid_field", "quantity"),
        (json!({"quantity": 11}), "invalid_field", "quantity"),
        (json!({"quantity": -1}), "invalid_field", "quantity"),
        (json!({"quantity": "3"}), "invalid_field", "quantity"),
        (json!({"quantity": 2.5}), "invalid_field", "quantity"),
        (json!({}), "missing_field", "quantity"),
        (json!({"quantity": 1, "symbol": "AB"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": "ABCD"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": "A-B"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": 123}), "invalid_field", "symbol"),
    ];
    for (body, code, field) in cases {
        let reply = o.post(body.clone()).await;
        assert_eq!((reply.status, reply.code()), (400, Some(code)), "{body}: {reply:?}");
        assert!(reply.message().contains(field), "{body}: {}", reply.message());
    }
    let malformed =
        call(o.app, handlers::create_order, system_tests::raw_request("POST", "/orders/v1/orders", "{".into())).await;
    assert_eq!((malformed.status, malformed.code()), (400, Some("malformed_json")));
    assert_eq!(o.order("no-such-order").await.code(), Some("order_not_found"));
    // Ids DynamoDB would refuse as keys (over 2048 bytes; DynamoDB answers a 500 for them, the
    // local endpoint does not check) or that cannot be ours are not found without asking the
    // database: with it unreachable they are still a 404, where a plausible id is a 503.
    let port = local_stack::emulator::free_port().unwrap();
    let dead_sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let unreachable: &'static App = Box::leak(Box::new(App::new(&dead_sdk, &config(&o.stack, 30))));
    let get = |app: &'static App, id: String| async move {
        let req = with_path_params(request("GET", "/orders/v1/orders/x", None), &[("order_id", &id)]);
        call(app, handlers::get_order, req).await
    };
    for id in ["x".repeat(3000), "a".repeat(129), "ORDER#1 2".to_owned(), "é/../x".to_owned()] {
        for app in [o.app, unreachable] {
            let reply = get(app, id.clone()).await;
            assert_eq!((reply.status, reply.code()), (404, Some("order_not_found")), "{id:.40}: {reply:?}");
            assert!(reply.message().len() < 200, "the message does not echo a huge id");
        }
    }
    assert_eq!(get(unreachable, "gen-20261122T1030Z-0000".into()).await.status, 503);
    assert_eq!(o.queued_messages().await, 0, "nothing was queued for refused orders");
    let wrong = call((), handlers::fallback, request("DELETE", "/orders/v1/metrics", None)).await;
    assert_eq!((wrong.status, wrong.code()), (405, Some("method_not_allowed")));
}

#[tokio::test]
async fn a_failed_send_removes_the_order_unless_it_was_processed_meanwhile() {
    let o = Orders::new(30).await;
    // A queue that does not exist: every send fails, and the posted order is removed again.
    let mut broken = config(&o.stack, 30);
    broken.queue_url = Some(format!("{}-missing", o.stack.queue("OrdersQueue").url));
    let broken: &'static App = Box::leak(Box::new(App::new(&o.sdk, &broken)));
    let reply =
        call(broken, handlers::create_order, request("POST", "/orders/v1/orders", Some(json!({"quantity": 2})))).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    let dynamodb = aws_sdk_dynamodb::Client::new(&o.sdk);
    let items = dynamodb.scan().table_name(o.stack.table("OrdersTable")).send().await.unwrap();
    assert_eq!(items.count, 0, "the refused order was removed: {:?}", items.items);

    // The removal is conditional on the order still being queued: a processed order stays, and
    // `create` then answers 202 (the send went through despite its error).
    let posted = o.post(json!({"quantity": 2})).await;
    let id = posted.body["order_id"].as_str().unwrap().to_owned();
    let price = Micros(3_000_000);
    assert_eq!(o.app.store.process(&id, price, shared::time::now()).await.unwrap(), Processed::Now);
    assert!(!o.app.store.delete_queued_order(&id).await.unwrap());
    assert_eq!(o.order(&id).await.body["status"], "processed");
    let queued = o.post(json!({"quantity": 1})).await;
    let queued_id = queued.body["order_id"].as_str().unwrap();
    assert!(o.app.store.delete_queued_order(queued_id).await.unwrap());
    assert_eq!(o.order(queued_id).await.status, 404);
}

#[tokio::test]
async fn transaction_conflicts_on_the_aggregate_are_retried_and_a_lasting_one_counts_nothing() {
    let o = Orders::new(0).await;
    let table = o.stack.table("OrdersTable").to_owned();
    let first = o.post(json!({"quantity": 2})).await.body["order_id"].as_str().unwrap().to_owned();
    let second = o.post(json!({"quantity": 3})).await.body["order_id"].as_str().unwrap().to_owned();

    // A few conflicts (other batches updating the aggregate): retried, counted once.
    inject_conflicts(&table, "TransactWriteItems", 3).await;
    assert_eq!(ops::process(o.app, &first).await, Ok(Processed::Now));

    // Conflicts that do not end: the message fails (SQS will redeliver it), nothing is counted.
    inject_conflicts(&table, "TransactWriteItems", 10_000).await;
    assert!(ops::process(o.app, &second).await.is_err());
    inject_conflicts(&table, "TransactWriteItems", 0).await;
    assert_eq!(o.order(&second).await.body["status"], "queued");
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);

    // The redelivery, once the conflicts are over, counts it once.
    assert_eq!(ops::process(o.app, &second).await, Ok(Processed::Now));
    let metrics = o.metrics().await;
    assert_eq!(Orders::processed_count(&metrics), 2);
    let mut sum = 0.0;
    for id in [&first, &second] {
        sum += o.order(id).await.body["execution_price"].as_f64().unwrap();
    }
    let average = metrics["average_execution_price"].as_f64().unwrap();
    assert!((average - sum / 2.0).abs() < 1e-9, "{metrics} vs {sum}");
}
