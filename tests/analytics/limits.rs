//! What no caller can push past: the ingestion quota, the listing's byte budget, keys longer
//! than DynamoDB takes; and how long an event is kept.

use futures::future::join_all;
use serde_json::{Value, json};
use shared::{
    dynamo::{Item, n},
    quota::{Limit, Window},
};

use crate::helpers::{Analytics, event};

#[tokio::test]
async fn past_the_ingest_quota_a_caller_is_told_when_to_retry_and_others_go_on() {
    let limit = Limit { name: analytics::INGEST_QUOTA, limit: 3, window: Window::Minute };
    let a = Analytics::with(|c| c.quota = limit).await;
    let posts = (0..5).map(|i| a.post(event(&format!("q-{i}"), "c", "Ohio", "1", "2020-09-01T10:00:00Z")));
    let replies = join_all(posts).await;
    let accepted = replies.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!((accepted, refused.len()), (3, 2), "exactly the quota, under concurrency");
    for reply in refused {
        assert_eq!(reply.code(), Some("quota_exceeded"));
        let retry: u32 = reply.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "the rest of the minute: {retry}");
        assert!(reply.message().contains("3 ingestion requests a minute"), "{}", reply.message());
    }
    assert_eq!(a.day("2020-09-01").await.0, 3, "the refused events were not stored");
    // A batch is one request; an invalid lone event spends nothing.
    let admin = system_tests::user(&a.stack, "admin@example.com", &[shared::auth::ADMIN]).await;
    let batch = json!({"events": [event("b-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z")]});
    assert_eq!(a.post_as(&admin, batch).await.status, 200, "another caller is not affected");
    let mut bad = event("bad", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    bad["currency"] = json!("usd");
    assert_eq!(a.post(bad).await.status, 400, "refused before the quota");
}

#[tokio::test]
async fn a_listing_of_large_events_stops_at_its_byte_budget_and_pages_on() {
    let a = Analytics::new().await;
    // 130 events of about 31 KB: over 4 MB, more than one page carries.
    let large = |i: usize| {
        let mut e =
            event(&format!("big-{i:03}"), "c", "Ohio", "1", &format!("2020-09-01T10:{:02}:{:02}Z", i / 60, i % 60));
        let notes: serde_json::Map<String, Value> =
            (0..120).map(|k| (format!("note_{k:03}"), json!("x".repeat(250)))).collect();
        e["notes"] = Value::Object(notes);
        e
    };
    let events: Vec<Value> = (0..130).map(large).collect();
    for chunk in events.chunks(30) {
        let reply = a.post(json!({"events": chunk})).await;
        assert_eq!(reply.status, 200, "{}", reply.status);
    }
    let range = [("start_date", "2020-09-01"), ("end_date", "2020-09-01"), ("limit", "500")];
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let mut query = range.to_vec();
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let reply = a.query_as(Some(&a.analyst), "/analytics/v1/events", &query).await;
        assert_eq!(reply.status, 200);
        let bytes = serde_json::to_vec(&reply.body).unwrap().len();
        assert!(bytes < 3_500_000, "a page of {bytes} bytes");
        pages += 1;
        seen.extend(
            reply.body["events"].as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 2, "{pages} page(s)");
    let expected: Vec<String> = (0..130).map(|i| format!("big-{i:03}")).collect();
    assert_eq!(seen, expected, "every event once, in order, across the pages");
}

#[tokio::test]
async fn ids_too_long_for_a_key_are_refused_with_the_event_naming_the_field() {
    let a = Analytics::new().await;
    // 256 characters (the string limit) of 4 bytes each: 1,024 bytes, past what a key takes.
    let wide = "\u{1F600}".repeat(256);
    let mut long_item = event("long-item", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    long_item["line_items"] = json!([{"id": "ok", "quantity": 1}, {"id": wide, "quantity": 1}]);
    let reply = a.post(long_item.clone()).await;
    assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{reply:?}");
    assert!(reply.message().contains("line_items[1].id"), "{}", reply.message());
    let mut long_province = event("long-province", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    long_province["shipping_address"]["province"] = json!(wide);
    let reply = a.post(long_province).await;
    assert!(reply.message().contains("shipping_address.province"), "{}", reply.message());
    // At the limit, in every field that keys a rollup, it is stored and counted.
    let near = "\u{1F600}".repeat(250);
    let mut at_limit = event("at-limit", &near, &near, "1", "2020-09-01T10:00:00Z");
    at_limit["line_items"] = json!([{"id": near, "quantity": 3}]);
    at_limit["email"] = json!("near@example.com");
    assert_eq!(a.post(at_limit).await.status, 201);
    assert_eq!(a.province("2020-09-01", &near, &near).await, (1, 1_000_000, 3));
    // Through the queue it is a poison message: to the DLQ at once, nothing stored.
    a.send(&[long_item.to_string()]).await;
    assert_eq!(a.drain(1).await.failed, 0);
    assert_eq!(a.dead_letters().await.len(), 1);
    assert_eq!(a.day("2020-09-01").await.0, 1);
}

#[tokio::test]
async fn an_event_expires_730_days_after_receipt_and_its_rollups_stay() {
    let a = Analytics::new().await;
    let before = shared::time::now().timestamp();
    // It happened long ago: the retention counts from receipt, not from `occurred_at`.
    assert_eq!(a.post(event("old", "c", "Ohio", "1", "2015-01-01T00:00:00Z")).await.status, 201);
    let after = shared::time::now().timestamp();
    let item: Item = a.item(analytics::store::event_key("old")).await.unwrap();
    let ttl: i64 = match &item["ttl"] {
        aws_sdk_dynamodb::types::AttributeValue::N(v) => v.parse().unwrap(),
        other => panic!("ttl {other:?}"),
    };
    let days = 730 * 86_400;
    assert!((before + days..=after + days).contains(&ttl), "{ttl}");
    let day = a.item(analytics::store::day_key("USD", "2015-01-01")).await.unwrap();
    assert!(!day.contains_key("ttl"), "rollups never expire");
    assert_ne!(day["order_count"], n(0));
}
