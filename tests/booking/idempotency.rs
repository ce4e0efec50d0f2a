//! `Idempotency-Key` on `POST /reservations`: a client that retries holds the slot once and gets
//! its reservation back, not `409 slot_unavailable`.

use booking::entrypoints::http;
use futures::future::join_all;
use serde_json::json;
use system_tests::{Reply, User, as_user, call, request, with_header};

use crate::helpers::{Booking, at};

async fn reserve(b: &Booking, key: &str, client: &User, slot: &str) -> Reply {
    let body = json!({"slot_id": slot});
    let req = with_header(request("POST", "/booking/v1/reservations", Some(body)), "idempotency-key", key);
    call(b.app, http::reserve, as_user(req, client)).await
}

#[tokio::test]
async fn a_retried_reservation_gets_its_hold_back() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let first = reserve(&b, "hold-1", &c, &slots[0]).await;
    assert_eq!(first.status, 201, "{first:?}");
    let again = reserve(&b, "hold-1", &c, &slots[0]).await;
    assert_eq!((again.status, &again.body), (201, &first.body), "the same hold, not slot_unavailable");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(b.reserve(&c, &slots[0]).await.code(), Some("slot_unavailable"), "without the key, as before");
    let reused = reserve(&b, "hold-1", &c, &slots[1]).await;
    assert_eq!((reused.status, reused.code()), (422, Some("idempotency_key_reused")), "{reused:?}");
    assert_eq!(b.listed(&p.sub).await, [slots[1].clone()]);
}

#[tokio::test]
async fn each_caller_has_their_own_keys() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let first = reserve(&b, "same-key", &c, &slots[0]).await;
    assert_eq!(first.status, 201, "{first:?}");
    // The same key from someone else is their own: neither c's answer nor "reused".
    let theirs = reserve(&b, "same-key", &other, &slots[1]).await;
    assert_eq!(theirs.status, 201, "{theirs:?}");
    assert!(theirs.header("idempotent-replayed").is_none());
    assert_eq!(theirs.body["client_id"], other.sub.as_str());
}

#[tokio::test]
async fn concurrent_retries_hold_the_slot_once() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await;
    let replies = join_all((0..6).map(|_| reserve(&b, "double-tap", &c, &slots[0]))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert!(!created.is_empty(), "{replies:?}");
    assert!(created.iter().all(|r| r.body["reservation_id"] == created[0].body["reservation_id"]), "{replies:?}");
    assert!(replies.iter().all(|r| r.status == 201 || r.code() == Some("request_in_progress")), "{replies:?}");
}
