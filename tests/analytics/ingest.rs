//! Ingestion over HTTP: one event and batches, duplicates and conflicts, bad input naming the
//! field, who may post and read, and the seed events of the old system.

use analytics::{App, entrypoints::http};
use serde_json::{Value, json};
use system_tests::{as_user, call, raw_request, request};

use crate::helpers::{Analytics, config, event, samples};

#[tokio::test]
async fn an_event_is_stored_once_with_its_rollups_and_read_back() {
    let a = Analytics::new().await;
    let sent = event("e-1", "c-1", " Idaho ", "0.1", "2020-09-01T10:00:00Z");
    let first = a.post(sent.clone()).await;
    assert_eq!((first.status, &first.body), (201, &json!({"event_id": "e-1", "status": "created"})));
    let again = a.post(sent.clone()).await;
    assert_eq!((again.status, &again.body), (200, &json!({"event_id": "e-1", "status": "duplicate"})));
    let mut changed = sent.clone();
    changed["order_value"] = json!("0.2");
    let conflict = a.post(changed).await;
    assert_eq!((conflict.status, conflict.code()), (409, Some("event_conflict")), "{conflict:?}");

    assert_eq!(a.day("2020-09-01").await, (1, 100_000));
    assert_eq!(a.customer("2020-09-01", "c-1").await, (1, 100_000));
    assert_eq!(a.province("2020-09-01", "IDAHO", "item-a").await, (1, 100_000, 2));

    let stored = a.event("e-1").await;
    assert_eq!(stored.status, 200, "{stored:?}");
    assert_eq!(stored.body["order_value"], json!("0.1"));
    assert_eq!(stored.body["occurred_at"], json!("2020-09-01T10:00:00Z"));
    assert!(stored.body["received_at"].is_string());
    assert_eq!(stored.body["line_items"], sent["line_items"]);
    assert_eq!(a.event("nope").await.code(), Some("event_not_found"));
    assert_eq!(a.event(&"x".repeat(300)).await.code(), Some("event_not_found"));
}

#[tokio::test]
async fn ten_events_of_a_tenth_sum_to_exactly_one() {
    let a = Analytics::new().await;
    let events: Vec<Value> =
        (0..10).map(|i| event(&format!("t-{i}"), "c", "Ohio", "0.1", "2021-01-01T00:00:00Z")).collect();
    let reply = a.post(json!({"events": events})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(a.day("2021-01-01").await, (10, 1_000_000));
}

#[tokio::test]
async fn an_event_without_occurred_at_happened_when_it_was_received() {
    let a = Analytics::new().await;
    let mut sent = event("now-1", "c", "Ohio", "1", "");
    sent.as_object_mut().unwrap().remove("occurred_at");
    assert_eq!(a.post(sent).await.status, 201);
    let stored = a.event("now-1").await;
    assert_eq!(stored.body["occurred_at"], stored.body["received_at"]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(a.day(&today).await.0, 1);
}

#[tokio::test]
async fn day_boundaries_are_utc_days_of_occurred_at() {
    let a = Analytics::new().await;
    for (id, at) in [
        ("late", "2020-09-01T23:59:59.999Z"),
        ("early", "2020-09-02T00:00:00Z"),
        ("offset", "2020-09-02T01:30:00+02:00"),
    ] {
        assert_eq!(a.post(event(id, "c", "Ohio", "1", at)).await.status, 201);
    }
    assert_eq!(a.day("2020-09-01").await, (2, 2_000_000));
    assert_eq!(a.day("2020-09-02").await, (1, 1_000_000));
}

#[tokio::test]
async fn a_batch_answers_each_event_in_input_order() {
    let a = Analytics::new().await;
    assert_eq!(a.post(event("b-0", "c", "Ohio", "1", "2020-09-01T10:00:00Z")).await.status, 201);
    let mut bad = event("b-bad", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    bad["currency"] = json!("usd");
    let batch = json!({"events": [
        event("b-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z"),
        event("b-0", "c", "Ohio", "1", "2020-09-01T10:00:00Z"),
        event("b-0", "c", "Ohio", "2", "2020-09-01T10:00:00Z"),
        bad,
        "not an event",
        {"event_type": "order.shipped", "event_id": "b-x"},
    ]});
    let reply = a.post(batch).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let results = reply.body["results"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> =
        results.iter().map(|r| (r["event_id"].as_str().unwrap_or("-"), r["status"].as_str().unwrap())).collect();
    assert_eq!(
        statuses,
        [
            ("b-1", "created"),
            ("b-0", "duplicate"),
            ("b-0", "conflict"),
            ("b-bad", "rejected"),
            ("-", "rejected"),
            ("b-x", "rejected")
        ]
    );
    assert_eq!(results[2]["error"]["code"], "event_conflict");
    assert!(results[3]["error"]["message"].as_str().unwrap().contains("currency"));
    assert_eq!(results[5]["error"]["code"], "unsupported_event_type");
    assert_eq!(a.day("2020-09-01").await, (2, 2_000_000));
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let a = Analytics::new().await;
    let good = || event("bad-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    let with = |field: &str, value: Value| {
        let mut e = good();
        e[field] = value;
        e
    };
    let without = |field: &str| {
        let mut e = good();
        e.as_object_mut().unwrap().remove(field);
        e
    };
    let cases = [
        (without("event_id"), 400, "invalid_field", "event_id"),
        (without("lovevery_user_id"), 400, "invalid_field", "lovevery_user_id"),
        (without("line_items"), 400, "invalid_field", "line_items"),
        (without("shipping_address"), 400, "invalid_field", "shipping_address"),
        (without("order_value"), 400, "invalid_field", "order_value"),
        (with("event_id", json!(7)), 400, "invalid_field", "event_id"),
        (with("order_value", json!(-1)), 400, "invalid_field", "order_value"),
        (with("order_value", json!("ten")), 400, "invalid_field", "order_value"),
        (with("order_value", json!("1.0000001")), 400, "invalid_field", "order_value"),
        (with("currency", json!("US")), 400, "invalid_field", "currency"),
        (with("event_type", json!("order.updated")), 422, "unsupported_event_type", "event_type"),
        (with("line_items", json!([{"id": "a", "quantity": "two"}])), 400, "invalid_field", "line_items[0].quantity"),
        (with("line_items", json!([{"id": "a", "quantity": 0}])), 400, "invalid_field", "line_items[0].quantity"),
        (with("occurred_at", json!("2020-13-45")), 400, "invalid_field", "occurred_at"),
        (with("notes", json!("x".repeat(33 * 1024))), 413, "payload_too_large", "bytes"),
    ];
    for (body, status, code, field) in cases {
        let reply = a.post(body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, Some(code)), "{field}: {reply:?}");
        assert!(reply.message().contains(field), "{field}: {}", reply.message());
    }
    let too_many: Vec<Value> =
        (0..101).map(|i| event(&format!("m-{i}"), "c", "Ohio", "1", "2020-09-01T10:00:00Z")).collect();
    let reply = a.post(json!({"events": too_many})).await;
    assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")));
    assert!(reply.message().contains("events"));
    let huge = json!({"events": [{"padding": "x".repeat(1024 * 1024)}]});
    assert_eq!(a.post(huge).await.status, 413);
    for raw in ["{", "", "[1]"] {
        let req = as_user(raw_request("POST", "/analytics/v1/events", raw.into()), &a.ingest);
        let reply = call(a.app, http::ingest, req).await;
        assert_eq!((reply.status, reply.code()), (400, Some("malformed_json")), "{raw}");
    }
    assert_eq!(a.day("2020-09-01").await, (0, 0), "nothing was stored");
}

#[tokio::test]
async fn ingest_posts_and_analysts_read() {
    let a = Analytics::new().await;
    let sent = event("w-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    let anonymous = call(a.app, http::ingest, request("POST", "/analytics/v1/events", Some(sent.clone()))).await;
    assert_eq!((anonymous.status, anonymous.code()), (401, Some("unauthenticated")));
    assert_eq!(a.post_as(&a.analyst, sent.clone()).await.status, 403);
    assert_eq!(a.post_as(&a.nobody, sent.clone()).await.status, 403);
    assert_eq!(a.post(sent).await.status, 201);
    assert_eq!(a.event_as(&a.ingest, "w-1").await.status, 403);
    assert_eq!(a.event_as(&a.nobody, "w-1").await.status, 403);
    assert_eq!(a.event("w-1").await.status, 200);
}

#[tokio::test]
async fn the_database_unreachable_is_a_503() {
    let a = Analytics::new().await;
    let port = local_stack::emulator::free_port().unwrap();
    let dead_sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let dead: &'static App = shared::app::for_process(App::new(&dead_sdk, &config(&a.stack)));
    let req = as_user(
        request("POST", "/analytics/v1/events", Some(event("d-1", "c", "Ohio", "1", "2020-09-01T10:00:00Z"))),
        &a.ingest,
    );
    let reply = call(dead, http::ingest, req).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some());
    assert_eq!(a.event("d-1").await.code(), Some("event_not_found"));
}

#[tokio::test]
async fn the_old_systems_sample_events_give_its_answers() {
    let a = Analytics::new().await;
    let events = samples();
    assert_eq!(events.len(), 10);
    let reply = a.post(json!({"events": events})).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"), "{reply:?}");
    // None carries occurred_at: they all happened when they were received, today.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(a.day(&today).await, (10, 272_000_000));
    assert_eq!(a.customer(&today, "66f6").await, (6, 187_000_000));
    assert_eq!(a.customer(&today, "rrrrr").await.1, 45_000_000);
    let (count, value, quantity) = a.province(&today, "maryland", "2f31244085395571").await;
    assert_eq!((count, value, quantity), (7, 252_000_000, 6));
    assert_eq!(a.province(&today, "New York", "-").await.1, 15_000_000);
    assert_eq!(a.province(&today, "idaho", "-").await.1, 5_000_000);
    // Sent again, they are all duplicates and change nothing.
    let again = a.post(json!({"events": samples()})).await;
    assert!(again.body["results"].as_array().unwrap().iter().all(|r| r["status"] == "duplicate"), "{again:?}");
    assert_eq!(a.day(&today).await, (10, 272_000_000));
}

#[tokio::test]
async fn an_event_with_500_line_items_counts_each_once_even_when_interrupted() {
    let a = Analytics::new().await;
    let mut sent = event("many", "c", "Ohio", "1", "2020-09-01T10:00:00Z");
    sent["line_items"] =
        json!((0..500).map(|i| json!({"id": format!("i{i}"), "quantity": 1 + i % 3})).collect::<Vec<_>>());
    let reply = a.post(sent.clone()).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(a.province("2020-09-01", "ohio", "i0").await, (1, 1_000_000, 1));
    assert_eq!(a.province("2020-09-01", "ohio", "i499").await.2, 2, "the last chunk is counted");
    let range = [("start_date", "2020-09-01"), ("end_date", "2020-09-30"), ("province", "ohio")];
    let items = |body: &serde_json::Value| {
        let items = body["items"].as_array().unwrap();
        (items.len(), items.iter().map(|i| i["quantity"].as_u64().unwrap()).sum::<u64>())
    };
    let body = a.query("/analytics/v1/sales/province", &range).await;
    assert_eq!(items(&body), (500, 999));
    assert_eq!(a.post(sent).await.status, 200, "a duplicate");
    assert_eq!(a.province("2020-09-01", "ohio", "i499").await.2, 2, "a duplicate counts nothing again");

    // A first delivery that stopped after its first transaction: the repeat finishes it.
    let mut cut = event("cut", "c", "Utah", "1", "2020-09-02T10:00:00Z");
    cut["line_items"] = json!((0..120).map(|i| json!({"id": format!("j{i}"), "quantity": 1})).collect::<Vec<_>>());
    let parsed = analytics::domain::Event::from_json(&cut).unwrap();
    let recorded = analytics::domain::Recorded::new(&parsed, shared::time::now());
    assert_eq!(a.app.store.record(&recorded).await.unwrap(), Ok(()));
    assert_eq!(a.province("2020-09-02", "utah", "j119").await, (1, 1_000_000, 0), "not counted yet");
    assert_eq!(a.post(cut.clone()).await.status, 200, "a duplicate");
    for j in [0, 45, 46, 94, 95, 119] {
        assert_eq!(a.province("2020-09-02", "utah", &format!("j{j}")).await.2, 1, "j{j}");
    }
    let body = a.query("/analytics/v1/sales/province", &[range[0], range[1], ("province", "utah")]).await;
    assert_eq!(items(&body), (120, 120));
}
