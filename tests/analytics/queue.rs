//! Ingestion through the events queue: the same rule as over HTTP, redeliveries counted once,
//! and what can never be ingested sent to the DLQ at once without holding up its batch.

use local_stack::triggers::BatchOutcome;
use serde_json::{Value, json};

use crate::helpers::{Analytics, event};

#[tokio::test]
async fn an_event_sent_three_times_and_posted_twice_counts_once() {
    let a = Analytics::new().await;
    let sent = event("q-1", "c-1", "Ohio", "12.5", "2020-09-01T10:00:00Z");
    let body = sent.to_string();
    a.send(&[body.clone(), body.clone(), body]).await;
    let outcome = a.drain(3).await;
    assert_eq!(outcome, BatchOutcome { received: 3, deleted: 3, failed: 0 });
    assert_eq!(a.post(sent.clone()).await.status, 200);
    assert_eq!(a.post(sent).await.status, 200);
    assert_eq!(a.day("2020-09-01").await, (1, 12_500_000));
    assert_eq!(a.customer("2020-09-01", "c-1").await, (1, 12_500_000));
    assert!(a.dead_letters().await.is_empty());
    assert_eq!(a.event("q-1").await.status, 200);
}

#[tokio::test]
async fn poison_and_conflicting_messages_go_to_the_dlq_and_the_rest_succeeds() {
    let a = Analytics::new().await;
    assert_eq!(a.post(event("q-0", "c", "Ohio", "1", "2020-09-01T10:00:00Z")).await.status, 201);
    let mut bad = event("q-bad", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    bad["line_items"] = json!([{"id": "a", "quantity": "two"}]);
    let bodies = [
        event("q-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z").to_string(),
        "not json at all".to_owned(),
        bad.to_string(),
        event("q-0", "c", "Ohio", "5", "2020-09-01T10:00:00Z").to_string(),
        event("q-2", "c", "Ohio", "1", "2020-09-01T10:00:00Z").to_string(),
    ];
    a.send(&bodies).await;
    let outcome = a.drain(5).await;
    assert_eq!(outcome, BatchOutcome { received: 5, deleted: 5, failed: 0 });
    assert_eq!(a.day("2020-09-01").await, (3, 3_000_000));
    let mut dead: Vec<Value> = a.dead_letters().await.iter().map(|body| serde_json::from_str(body).unwrap()).collect();
    dead.sort_by_key(|v| v.to_string());
    let mut expected = vec![json!("not json at all"), bad, event("q-0", "c", "Ohio", "5", "2020-09-01T10:00:00Z")];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(dead, expected);
}
