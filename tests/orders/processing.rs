//! Processing through the queue: each order priced and counted once, however often and however
//! concurrently its message is delivered, and the metrics equal to the processed orders.

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use orders::{
    domain::{OrderStatus, Totals},
    ops::{self, Processed},
    store::Part,
};
use serde_json::json;
use shared::{dynamo::Refusal, money::Micros};
use system_tests::{inject_conflicts, inject_throttling};

use crate::helpers::{Orders, micros};

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
    assert_eq!(ops::process(&o.app.store, o.app.prices, &id).await, Ok(Processed::Before));
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
    assert_eq!(store.process(&id, Micros(5_000_000), now).await.unwrap(), Ok(()));
    assert_eq!(store.process(&id, Micros(7_000_000), now).await.unwrap(), Err(Refusal::Condition(Part::Order)));
    assert_eq!(store.totals().await.unwrap(), Totals { count: 1, sum: 5_000_000 });
    assert_eq!(o.order(&id).await.body["execution_price"], json!(5.0), "the refused delivery did not re-price it");
    assert_eq!(o.metrics().await, json!({"total_orders_processed": 1, "average_execution_price": 5.0}));

    // Ten deliveries of one order processed at once: one prices and counts it.
    let id = o.post(json!({"quantity": 3})).await.body["order_id"].as_str().unwrap().to_owned();
    let app = o.app;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let id = id.clone();
            tokio::spawn(async move { ops::process(&app.store, app.prices, &id).await })
        })
        .collect();
    let outcomes: Vec<Processed> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|p| **p == Processed::Now).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|p| matches!(p, Processed::Now | Processed::Before)), "{outcomes:?}");
    let price = store.order(&id).await.unwrap().unwrap().execution_price.unwrap();
    assert!(price >= Micros(3_300_000) && price < Micros(6_000_000), "3 × [1.1, 2.0): {price}");
    assert_eq!(store.totals().await.unwrap(), Totals { count: 2, sum: 5_000_000 + i128::from(price.0) });
}

#[tokio::test]
async fn transaction_conflicts_on_the_aggregate_are_retried_and_a_lasting_one_counts_nothing() {
    let o = Orders::new(0).await;
    let table = o.stack.table("OrdersTable").to_owned();
    let first = o.post(json!({"quantity": 2})).await.body["order_id"].as_str().unwrap().to_owned();
    let second = o.post(json!({"quantity": 3})).await.body["order_id"].as_str().unwrap().to_owned();

    // A few conflicts (other batches updating the aggregate): retried, counted once.
    inject_conflicts(&table, "TransactWriteItems", 3).await;
    assert_eq!(ops::process(&o.app.store, o.app.prices, &first).await, Ok(Processed::Now));

    // Conflicts that do not end: the message fails (SQS will redeliver it), nothing is counted.
    inject_conflicts(&table, "TransactWriteItems", 10_000).await;
    assert!(ops::process(&o.app.store, o.app.prices, &second).await.is_err());
    inject_conflicts(&table, "TransactWriteItems", 0).await;
    assert_eq!(o.order(&second).await.body["status"], "queued");
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);

    // The redelivery, once the conflicts are over, counts it once.
    assert_eq!(ops::process(&o.app.store, o.app.prices, &second).await, Ok(Processed::Now));
    let metrics = o.metrics().await;
    assert_eq!(Orders::processed_count(&metrics), 2);
    let mut sum = 0.0;
    for id in [&first, &second] {
        sum += o.order(id).await.body["execution_price"].as_f64().unwrap();
    }
    let average = metrics["average_execution_price"].as_f64().unwrap();
    assert!((average - sum / 2.0).abs() < 1e-9, "{metrics} vs {sum}");
}

#[tokio::test]
async fn throttling_is_retried_and_a_lasting_one_is_a_503_or_a_redelivery_that_counts_nothing() {
    let o = Orders::new(0).await;
    let table = o.stack.table("OrdersTable").to_owned();
    let first = o.post(json!({"quantity": 2})).await.body["order_id"].as_str().unwrap().to_owned();
    let second = o.post(json!({"quantity": 3})).await.body["order_id"].as_str().unwrap().to_owned();

    // The aggregate's partition over its capacity for a moment: retried, counted once.
    inject_throttling(&table, "TransactWriteItems", 2).await;
    assert_eq!(ops::process(&o.app.store, o.app.prices, &first).await, Ok(Processed::Now));

    // Throttling that does not end: the message fails (SQS will redeliver it), nothing counted.
    inject_throttling(&table, "TransactWriteItems", 10_000).await;
    assert!(ops::process(&o.app.store, o.app.prices, &second).await.is_err());
    inject_throttling(&table, "TransactWriteItems", 0).await;
    assert_eq!(o.order(&second).await.body["status"], "queued");
    assert_eq!(Orders::processed_count(&o.metrics().await), 1);
    assert_eq!(ops::process(&o.app.store, o.app.prices, &second).await, Ok(Processed::Now));
    assert_eq!(Orders::processed_count(&o.metrics().await), 2);

    // Over HTTP: a throttled write is a 503 with Retry-After, and no order is left behind.
    let queued = o.queued_messages().await;
    inject_throttling(&table, "PutItem", 10_000).await;
    let reply = o.post(json!({"quantity": 1})).await;
    inject_throttling(&table, "PutItem", 0).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
    assert_eq!(o.queued_messages().await, queued, "nothing was queued for the refused order");
}

#[tokio::test]
async fn metrics_past_the_64_bit_range_are_still_answered() {
    let o = Orders::new(0).await;
    // Ten million orders at the highest configurable price: far past i64 micros.
    let sum = "100000000000000000000";
    aws_sdk_dynamodb::Client::new(&o.sdk)
        .put_item()
        .table_name(o.stack.table("OrdersTable"))
        .item("pk", AttributeValue::S("METRICS".into()))
        .item("sk", AttributeValue::S("TOTALS".into()))
        .item("count", AttributeValue::N("10000000".into()))
        .item("sum", AttributeValue::N(sum.into()))
        .send()
        .await
        .unwrap();
    let metrics = o.metrics().await;
    assert_eq!(metrics["total_orders_processed"], 10_000_000, "{metrics}");
    assert_eq!(metrics["average_execution_price"], 10_000_000.0, "{metrics}");
}
