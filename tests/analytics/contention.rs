//! Concurrency and failures: events of one day ingested at once add up exactly, transactions
//! cancelled by concurrent ones are retried, and a database that keeps failing is a 503 over HTTP
//! and a retried message from the queue, with nothing half-stored either way.

use local_stack::triggers::BatchOutcome;
use serde_json::{Value, json};
use system_tests::{inject_conflicts, inject_throttling};

use crate::helpers::{Analytics, event};

#[tokio::test]
async fn concurrent_events_of_one_day_add_up_exactly() {
    let a = Analytics::new().await;
    let table = a.stack.table("AnalyticsTable").to_owned();
    // Some transactions meet a concurrent one, as they would in DynamoDB; they are retried.
    inject_conflicts(&table, "TransactWriteItems", 6).await;
    let posts = (0..8).map(|batch| {
        let events: Vec<Value> = (0..5)
            .map(|i| {
                event(&format!("c-{batch}-{i}"), &format!("cust-{}", i % 3), "Ohio", "1.25", "2020-09-01T12:00:00Z")
            })
            .collect();
        let a = &a;
        async move { a.post(json!({"events": events})).await }
    });
    let singles = (0..10).map(|i| {
        let a = &a;
        async move { a.post(event(&format!("s-{i}"), "cust-0", "Ohio", "0.75", "2020-09-01T13:00:00Z")).await }
    });
    let (batches, singles) = tokio::join!(futures::future::join_all(posts), futures::future::join_all(singles));
    for reply in batches {
        assert_eq!(reply.status, 200, "{reply:?}");
        assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"), "{reply:?}");
    }
    for reply in singles {
        assert_eq!(reply.status, 201, "{reply:?}");
    }
    assert_eq!(a.day("2020-09-01").await, (50, 40 * 1_250_000 + 10 * 750_000));
    let customers = [
        a.customer("2020-09-01", "cust-0").await,
        a.customer("2020-09-01", "cust-1").await,
        a.customer("2020-09-01", "cust-2").await,
    ];
    assert_eq!(customers.iter().map(|c| c.0).sum::<i128>(), 50);
    assert_eq!(customers[0], (16 + 10, 16 * 1_250_000 + 10 * 750_000));
    assert_eq!(a.province("2020-09-01", "ohio", "item-a").await, (50, 57_500_000, 100));
}

#[tokio::test]
async fn a_database_that_keeps_failing_stores_nothing() {
    let a = Analytics::new().await;
    let table = a.stack.table("AnalyticsTable").to_owned();
    inject_throttling(&table, "TransactWriteItems", 1000).await;
    let reply = a.post(event("f-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z")).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    // From the queue: the message fails and comes back; it is not dead-lettered.
    a.send(&[event("f-2", "c", "Ohio", "1", "2020-09-01T10:00:00Z").to_string()]).await;
    let outcome = a.drain(1).await;
    assert_eq!(outcome, BatchOutcome { received: 1, deleted: 0, failed: 1 });
    inject_throttling(&table, "TransactWriteItems", 0).await;
    assert_eq!(a.event("f-1").await.code(), Some("event_not_found"));
    assert_eq!(a.day("2020-09-01").await, (0, 0));
    assert!(a.dead_letters().await.is_empty());
    // Once it recovers, the same event goes in.
    assert_eq!(a.post(event("f-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z")).await.status, 201);
    assert_eq!(a.day("2020-09-01").await, (1, 1_000_000));
}
