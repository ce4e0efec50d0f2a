//! `Idempotency-Key` on `POST /orders`: a client that retries places one order.

use futures::future::join_all;
use orders::entrypoints::http;
use serde_json::json;
use system_tests::{Reply, User, as_user, call, request, with_header};

use crate::helpers::Orders;

async fn post(o: &Orders, key: &str, quantity: u32) -> Reply {
    post_as(o, &o.user, key, quantity).await
}

async fn post_as(o: &Orders, user: &User, key: &str, quantity: u32) -> Reply {
    let req =
        with_header(request("POST", "/orders/v1/orders", Some(json!({"quantity": quantity}))), "idempotency-key", key);
    call(o.app, http::create_order, as_user(req, user)).await
}

#[tokio::test]
async fn a_retried_order_is_placed_once() {
    let o = Orders::new(0).await;
    let queued = o.queued_messages().await;
    let first = post(&o, "checkout-1", 3).await;
    assert_eq!(first.status, 202, "{first:?}");
    let again = post(&o, "checkout-1", 3).await;
    assert_eq!((again.status, &again.body), (202, &first.body), "the same order, not a second one");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(o.queued_messages().await, queued + 1, "one message for one order");

    let reused = post(&o, "checkout-1", 4).await;
    assert_eq!((reused.status, reused.code()), (422, Some("idempotency_key_reused")), "{reused:?}");
    let other = post(&o, "checkout-2", 3).await;
    assert_eq!(other.status, 202);
    assert_ne!(other.body["order_id"], first.body["order_id"], "another key, another order");
}

#[tokio::test]
async fn concurrent_retries_place_one_order() {
    let o = Orders::new(0).await;
    let queued = o.queued_messages().await;
    let replies = join_all((0..6).map(|_| post(&o, "double-click", 1))).await;
    let accepted: Vec<&Reply> = replies.iter().filter(|r| r.status == 202).collect();
    assert!(!accepted.is_empty(), "{replies:?}");
    assert!(accepted.iter().all(|r| r.body["order_id"] == accepted[0].body["order_id"]), "{replies:?}");
    assert!(replies.iter().all(|r| r.status == 202 || r.code() == Some("request_in_progress")), "{replies:?}");
    assert_eq!(o.queued_messages().await, queued + 1, "one order queued");
}

#[tokio::test]
async fn a_key_is_the_callers_own() {
    let o = Orders::new(0).await;
    let queued = o.queued_messages().await;
    let mine = post_as(&o, &o.user, "checkout-1", 3).await;
    let theirs = post_as(&o, &o.other, "checkout-1", 3).await;
    assert_eq!((mine.status, theirs.status), (202, 202), "{mine:?} {theirs:?}");
    assert!(theirs.header("idempotent-replayed").is_none(), "not a replay of someone else's answer: {theirs:?}");
    assert_ne!(mine.body["order_id"], theirs.body["order_id"], "two callers, two orders");
    assert_eq!(o.queued_messages().await, queued + 2);
    // Each replays their own, and their own order is theirs to read.
    for (user, first) in [(&o.user, &mine), (&o.other, &theirs)] {
        let again = post_as(&o, user, "checkout-1", 3).await;
        assert_eq!((again.status, &again.body), (202, &first.body));
        let id = first.body["order_id"].as_str().unwrap();
        assert_eq!(o.order_as(Some(user), id).await.status, 200);
    }
    // A key reused with another body is refused, per caller as before.
    assert_eq!(post_as(&o, &o.other, "checkout-1", 4).await.code(), Some("idempotency_key_reused"));
    assert_eq!(o.queued_messages().await, queued + 2);
}
