//! `Idempotency-Key` on check-in and next: a retried request gets the first answer, and nothing
//! happens twice.

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use serde_json::{Value, json};
use system_tests::{Reply, as_user, call, request, sdk, with_header};
use walkin::entrypoints::http;

use crate::helpers::{Walkin, phone};

fn check_in_body(first: &str, n: usize) -> Value {
    json!({"first_name": first, "last_name": "Tester", "phone_number": phone(n)})
}

async fn check_in(w: &Walkin, key: &str, body: Value) -> Reply {
    let req = with_header(request("POST", "/walkin/v1/appointment", Some(body)), "idempotency-key", key);
    call(&w.app, http::check_in, req).await
}

async fn next(w: &Walkin, key: &str) -> Reply {
    let req = with_header(request("POST", "/walkin/v1/appointment/next", None), "idempotency-key", key);
    call(&w.app, http::next, as_user(req, &w.staff)).await
}

#[tokio::test]
async fn a_retried_check_in_gets_the_first_answer_and_takes_no_second_ticket() {
    let w = Walkin::new().await;
    assert_eq!(w.register("Ada", &phone(1), false).await.status, 201);
    let first = check_in(&w, "kiosk-7-0001", check_in_body("Ada", 1)).await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = check_in(&w, "kiosk-7-0001", check_in_body("Ada", 1)).await;
    assert_eq!((again.status, &again.body), (201, &first.body), "the same answer, not 409 already_checked_in");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    // The same key with another body is refused; without a key, the old behaviour.
    let reused = check_in(&w, "kiosk-7-0001", check_in_body("Bob", 2)).await;
    assert_eq!((reused.status, reused.code()), (422, Some("idempotency_key_reused")), "{reused:?}");
    assert_eq!(w.check_in("Ada", &phone(1)).await.code(), Some("already_checked_in"));

    // One ticket was taken: the next customer gets the following number.
    assert_eq!(w.register("Bob", &phone(2), false).await.status, 201);
    let bob = w.check_in("Bob", &phone(2)).await;
    assert_eq!(bob.body["service_id"].as_u64(), Some(first.body["service_id"].as_u64().unwrap() + 1));
}

#[tokio::test]
async fn a_retried_next_calls_the_same_customer_again_not_the_following_one() {
    let w = Walkin::new().await;
    let ada = w.arrive("Ada", &phone(1), false).await;
    let bob = w.arrive("Bob", &phone(2), false).await;
    let called = next(&w, "desk-3-42").await;
    assert_eq!((called.status, called.body["service_id"].as_u64()), (200, Some(ada)), "{called:?}");
    let retried = next(&w, "desk-3-42").await;
    assert_eq!((retried.status, &retried.body), (200, &called.body));
    let following = next(&w, "desk-3-43").await;
    assert_eq!(following.body["service_id"].as_u64(), Some(bob), "{following:?}");
    // An answer that was an error is kept as well: the queue was empty then.
    let empty = next(&w, "desk-3-44").await;
    assert_eq!(empty.code(), Some("queue_empty"));
    w.arrive("Cy", &phone(3), false).await;
    assert_eq!(next(&w, "desk-3-44").await.code(), Some("queue_empty"), "replayed");
}

#[tokio::test]
async fn concurrent_duplicates_take_one_ticket_and_the_others_are_told_to_wait_or_get_the_answer() {
    let w = Walkin::new().await;
    assert_eq!(w.register("Ada", &phone(1), false).await.status, 201);
    let replies = join_all((0..8).map(|_| check_in(&w, "double-tap", check_in_body("Ada", 1)))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty(), "{replies:?}");
    assert!(created.iter().all(|r| r.body == created[0].body), "every 201 is the same answer: {replies:?}");
    for reply in &replies {
        assert!(
            reply.status == 201 || reply.code() == Some("request_in_progress"),
            "only the answer or 409 request_in_progress: {reply:?}"
        );
    }
    let ticket = created[0].body["service_id"].as_u64().unwrap();
    let queue = w.queue().await;
    assert_eq!(queue.body["waiting"].as_array().unwrap().len(), 1, "one ticket: {queue:?}");
    assert_eq!(check_in(&w, "double-tap", check_in_body("Ada", 1)).await.body["service_id"].as_u64(), Some(ticket));
}

#[tokio::test]
async fn an_expired_key_is_a_new_request_and_a_malformed_one_is_a_400() {
    let w = Walkin::new().await;
    assert_eq!(w.register("Ada", &phone(1), false).await.status, 201);
    let first = check_in(&w, "old-key", check_in_body("Ada", 1)).await;
    assert_eq!(first.status, 201);
    // 24 hours later (DynamoDB's TTL may not have deleted the record yet): the key is free.
    let expired = (chrono::Utc::now() - chrono::Duration::hours(1)).timestamp();
    aws_sdk_dynamodb::Client::new(&sdk().await)
        .update_item()
        .table_name(&w.table)
        // Kiosks check in anonymously: their keys share the public scope.
        .key("pk", AttributeValue::S(shared::idempotency::record_pk("walkin.check-in.public", "old-key")))
        .key("sk", AttributeValue::S("IDEMPOTENCY".into()))
        .update_expression("SET #ttl = :past")
        .expression_attribute_names("#ttl", "ttl")
        .expression_attribute_values(":past", AttributeValue::N(expired.to_string()))
        .condition_expression("attribute_exists(pk)")
        .send()
        .await
        .expect("the key's record is where the README says");
    let again = check_in(&w, "old-key", check_in_body("Ada", 1)).await;
    assert_eq!((again.status, again.code()), (409, Some("already_checked_in")), "run again: {again:?}");

    for bad in ["", "has space", "ключ", &"k".repeat(65)] {
        let Ok(value) = lambda_http::http::HeaderValue::from_str(bad) else { continue };
        let mut req = request("POST", "/walkin/v1/appointment", Some(check_in_body("Ada", 1)));
        req.headers_mut().insert("idempotency-key", value);
        let reply = call(&w.app, http::check_in, req).await;
        assert_eq!(reply.status, 400, "{bad:?}: {reply:?}");
        assert!(reply.message().contains("Idempotency-Key"), "{reply:?}");
    }
}

#[tokio::test]
async fn a_kiosk_key_is_never_shared_with_another_device() {
    let w = Walkin::new().await;
    assert_eq!(w.register("Ada", &phone(1), false).await.status, 201);
    assert_eq!(w.register("Bob", &phone(2), false).await.status, 201);
    let on = |device: &str, body: Value| {
        let req = with_header(request("POST", "/walkin/v1/appointment", Some(body)), "idempotency-key", "kiosk-0001");
        call(&w.app, http::check_in, with_header(req, "x-device-id", device))
    };
    let ada = on("kiosk-a", check_in_body("Ada", 1)).await;
    assert_eq!(ada.status, 201, "{ada:?}");
    // Another kiosk that happens to pick the same key checks Bob in: it never gets Ada's answer
    // (nor her cancel token), nor a 422 for its different body.
    let bob = on("kiosk-b", check_in_body("Bob", 2)).await;
    assert_eq!(bob.status, 201, "{bob:?}");
    assert_ne!(bob.body["cancel_token"], ada.body["cancel_token"]);
    assert_eq!(bob.header("idempotent-replayed"), None);
    // The first kiosk's repeat is still its own answer.
    let again = on("kiosk-a", check_in_body("Ada", 1)).await;
    assert_eq!((again.status, &again.body), (201, &ada.body));
    // A malformed device id is named.
    let bad = on("not a device id!", check_in_body("Ada", 1)).await;
    assert_eq!((bad.status, bad.code()), (400, Some("invalid_field")));
    assert!(bad.message().contains("X-Device-Id"), "{}", bad.message());
}
