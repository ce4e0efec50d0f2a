//! `Idempotency-Key` on `POST /orders`: a client that retries places one order.

use futures::future::join_all;
use orders::entrypoints::http;
use serde_json::json;
use system_tests::{Reply, call, request, with_header};

use crate::helpers::Orders;

async fn post(o: &Orders, key: &str, quantity: u32) -> Reply {
    let req =
        with_header(request("POST", "/orders/v1/orders", Some(json!({"quantity": quantity}))), "idempotency-key", key);
    call(o.app, http::create_order, req).await
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
