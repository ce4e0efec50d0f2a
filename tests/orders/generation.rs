//! Scheduled generation: each minute's orders created and queued once, whatever the doubled,
//! racing or interrupted invocations; the switch that stops and starts it.

use futures::future::join_all;
use orders::{
    domain::{Minute, Order, OrderStatus, Quantity, generated_order_id},
    entrypoints::{http, schedule},
    ops::{self, Generated, Generation},
    queue::OrderMessage,
};
use serde_json::json;
use shared::{money::Micros, queue::Queue};
use system_tests::{as_user, call, request};

use crate::helpers::{Orders, scheduled_event};

#[tokio::test]
async fn a_doubled_schedule_invocation_creates_one_minute_of_orders() {
    let o = Orders::new(5).await;
    let minute = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
    let generator = |event| async { serde_json::to_value(schedule::generator(o.app, event).await.unwrap()).unwrap() };
    let first = generator(scheduled_event(minute + chrono::Duration::seconds(1))).await;
    assert_eq!(first, json!({"outcome": format!("{:?}", Generated::Created { minute, orders: 5 }), "resumed": []}));
    let second = generator(scheduled_event(minute)).await;
    assert_eq!(second["outcome"], format!("{:?}", Generated::AlreadyDone { minute }), "{second}");
    o.assert_minute_has(minute, 5).await;

    // Two invocations racing for the next minute: both succeed, one creates, none doubles the
    // orders. The other normally finds the minute claimed under it (in progress); if it looked
    // only after the claim, it finishes the minute alongside (duplicate messages, no new orders).
    let next = minute + chrono::Duration::minutes(1);
    let outcomes: Vec<Generated> =
        join_all((0..2).map(|_| o.generate(next))).await.into_iter().map(|r| r.unwrap().outcome).collect();
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
    let generation = o.generate(minute).await.unwrap();
    assert_eq!(generation.outcome, Generated::Created { minute, orders: 150 });
    assert_eq!(o.generate(minute).await.unwrap().outcome, Generated::AlreadyDone { minute });
    o.assert_minute_has(minute, 150).await;
    o.drain(150).await;
    o.assert_processed_once(&[(minute, 150)]).await;
}

#[tokio::test]
async fn a_half_done_minute_is_finished_by_later_invocations_even_when_generation_is_stopped() {
    let o = Orders::new(5).await;
    let store = &o.app.store;
    let queue = Queue::new(o.sqs(), o.stack.queue("OrdersQueue").url.clone());
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
            owner: None,
        })
        .collect();
    assert!(store.claim_minute(&Minute { minute, orders: 120, queued: false }, &orders).await.unwrap().is_ok());
    let sent: Vec<(OrderMessage, i32)> =
        orders[..10].iter().map(|order| (OrderMessage::new(&order.order_id), 0)).collect();
    queue.send_all(&sent).await.unwrap();
    let early = Micros(2_500_000);
    assert_eq!(store.process(&orders[3].order_id, early, shared::time::now()).await.unwrap(), Ok(()));

    // Generation is stopped before the next invocation: the half-done minute is finished anyway.
    ops::set_generation(&o.app.store, false).await.unwrap();
    let later = minute + chrono::Duration::minutes(3);
    let generation = o.generate(later).await.unwrap();
    assert_eq!(generation, Generation { outcome: Generated::Stopped, resumed: vec![minute] });
    assert!(store.minutes(&[minute]).await.unwrap()[0].queued, "the minute ends queued");
    o.assert_minute_has(minute, 120).await;
    assert_eq!(o.order(&orders[3].order_id).await.body["execution_price"], json!(2.5), "a processed order is kept");
    assert_eq!(o.order(&orders[4].order_id).await.body["symbol"], "ABC", "written orders are kept");
    let again = o.generate(later).await.unwrap();
    assert_eq!(again, Generation { outcome: Generated::Stopped, resumed: vec![] }, "finished once");

    // A retry of an interrupted invocation (here: the first 2 of 5 orders written) finishes its own
    // minute. The minutes between were never claimed: missed minutes stay missed.
    ops::set_generation(&o.app.store, true).await.unwrap();
    let retried = minute + chrono::Duration::minutes(5);
    assert!(store.claim_minute(&Minute { minute: retried, orders: 5, queued: false }, &[]).await.unwrap().is_ok());
    let generation = o.generate(retried).await.unwrap();
    assert_eq!(generation, Generation { outcome: Generated::Resumed { minute: retried, orders: 5 }, resumed: vec![] });
    assert_eq!(o.order(&generated_order_id(later, 0)).await.status, 404);

    // The 10 sent before the crash, the 120 of the finished minute, the 5 of the retried one.
    o.drain(10 + 120 + 5).await;
    o.assert_processed_once(&[(minute, 120), (retried, 5)]).await;
}

#[tokio::test]
async fn generation_can_be_stopped_and_started_again() {
    let o = Orders::new(3).await;
    let (app, staff, admin) = (o.app, &o.staff, &o.admin);
    // Staff read the switch, admins turn it.
    let status = |path: &'static str, method: &'static str| async move {
        let req = as_user(request(method, path, None), if method == "GET" { staff } else { admin });
        let reply = match (method, path) {
            ("GET", _) => call(app, http::generation_status, req).await,
            (_, "/orders/v1/generation/start") => call(app, http::generation_start, req).await,
            _ => call(app, http::generation_stop, req).await,
        };
        reply.body
    };
    assert_eq!(status("/orders/v1/generation", "GET").await, json!({"running": true, "orders_per_minute": 3}));
    assert_eq!(status("/orders/v1/generation/stop", "POST").await, json!({"running": false, "orders_per_minute": 3}));
    assert_eq!(status("/orders/v1/generation", "GET").await["running"], false);
    let minute = shared::time::parse("2026-11-22T11:00:00Z").unwrap();
    assert_eq!(o.generate(minute).await.unwrap().outcome, Generated::Stopped);
    assert_eq!(o.queued_messages().await, 0);
    assert_eq!(o.order("gen-20261122T1100Z-0000").await.status, 404);

    assert_eq!(status("/orders/v1/generation/start", "POST").await["running"], true);
    assert_eq!(o.generate(minute).await.unwrap().outcome, Generated::Created { minute, orders: 3 });
    // Stop and start again: unlike the old system, start works after stop.
    status("/orders/v1/generation/stop", "POST").await;
    assert_eq!(status("/orders/v1/generation/start", "POST").await["running"], true);
    let later = minute + chrono::Duration::minutes(1);
    assert_eq!(o.generate(later).await.unwrap().outcome, Generated::Created { minute: later, orders: 3 });
}
