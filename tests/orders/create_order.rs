//! Posting and reading orders: fields named in 400s, unknown ids, a send that fails.

use orders::{App, entrypoints::http};
use serde_json::json;
use shared::money::Micros;
use system_tests::{as_user, call, request};

use crate::helpers::{Orders, config};

#[tokio::test]
async fn bad_orders_name_the_field() {
    let o = Orders::new(30).await;
    let cases = [
        (json!({"quantity": 0}), "invalid_field", "quantity"),
        (json!({"quantity": 11}), "invalid_field", "quantity"),
        (json!({"quantity": -1}), "invalid_field", "quantity"),
        (json!({"quantity": "3"}), "invalid_field", "quantity"),
        (json!({"quantity": 2.5}), "invalid_field", "quantity"),
        (json!({}), "invalid_field", "quantity"),
        (json!({"quantity": 1, "symbol": "AB"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": "ABCD"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": "A-B"}), "invalid_field", "symbol"),
        (json!({"quantity": 1, "symbol": 123}), "invalid_field", "symbol"),
    ];
    for (body, code, field) in cases {
        let reply = o.post(body.clone()).await;
        assert_eq!((reply.status, reply.code()), (400, Some(code)), "{body}: {reply:?}");
        assert!(reply.message().contains(field), "{body}: {}", reply.message());
    }
    let malformed = system_tests::raw_request("POST", "/orders/v1/orders", "{".into());
    let malformed = call(o.app, http::create_order, as_user(malformed, &o.user)).await;
    assert_eq!((malformed.status, malformed.code()), (400, Some("malformed_json")));
    assert_eq!(o.order("no-such-order").await.code(), Some("order_not_found"));
    // Ids DynamoDB would refuse as keys (over 2048 bytes; DynamoDB answers a 500 for them, the
    // local endpoint does not check) or that cannot be ours are not found without asking the
    // database: with it unreachable they are still a 404, where a plausible id is a 503.
    let port = local_stack::emulator::free_port().unwrap();
    let dead_sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let unreachable: &'static App = shared::app::for_process(App::new(&dead_sdk, &config(&o.stack, 30)));
    let staff = &o.staff;
    let get = |app: &'static App, id: String| async move {
        let req = request("GET", &format!("/orders/v1/orders/{id}"), None);
        call(app, http::get_order, as_user(req, staff)).await
    };
    // The last two as a client sends them, percent-encoded ("ORDER#1 2", "é/../x"): the path
    // parameter is one segment, read as it comes.
    for id in ["x".repeat(3000), "a".repeat(129), "ORDER%231%202".to_owned(), "%C3%A9%2F..%2Fx".to_owned()] {
        for app in [o.app, unreachable] {
            let reply = get(app, id.clone()).await;
            assert_eq!((reply.status, reply.code()), (404, Some("order_not_found")), "{id:.40}: {reply:?}");
            assert!(reply.message().len() < 200, "the message does not echo a huge id");
        }
    }
    assert_eq!(get(unreachable, "gen-20261122T1030Z-0000".into()).await.status, 503);
    assert_eq!(o.queued_messages().await, 0, "nothing was queued for refused orders");
    let wrong = call((), http::fallback, request("DELETE", "/orders/v1/metrics", None)).await;
    assert_eq!((wrong.status, wrong.code()), (405, Some("method_not_allowed")));
}

#[tokio::test]
async fn a_failed_send_removes_the_order_unless_it_was_processed_meanwhile() {
    let o = Orders::new(30).await;
    // A queue that does not exist: every send fails, and the posted order is removed again.
    let mut broken = config(&o.stack, 30);
    broken.queue_url = Some(format!("{}-missing", o.stack.queue("OrdersQueue").url));
    let broken: &'static App = shared::app::for_process(App::new(&o.sdk, &broken));
    let req = as_user(request("POST", "/orders/v1/orders", Some(json!({"quantity": 2}))), &o.user);
    let reply = call(broken, http::create_order, req).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    let dynamodb = aws_sdk_dynamodb::Client::new(&o.sdk);
    // The caller's quota counter stays (the attempt counts); no order item does.
    let items = dynamodb.scan().table_name(o.stack.table("OrdersTable")).send().await.unwrap();
    let orders: Vec<_> = items.items().iter().filter(|item| !is_quota_counter(item)).collect();
    assert!(orders.is_empty(), "the refused order was removed: {orders:?}");
    assert_eq!(items.items().len(), 1, "the attempt was counted against the quota: {:?}", items.items);

    // The removal is conditional on the order still being queued: a processed order stays, and
    // `create` then answers 202 (the send went through despite its error).
    let posted = o.post(json!({"quantity": 2})).await;
    let id = posted.body["order_id"].as_str().unwrap().to_owned();
    let price = Micros(3_000_000);
    assert_eq!(o.app.store.process(&id, price, shared::time::now()).await.unwrap(), Ok(()));
    assert!(o.app.store.delete_queued_order(&id).await.unwrap().is_err());
    assert_eq!(o.order(&id).await.body["status"], "processed");
    let queued = o.post(json!({"quantity": 1})).await;
    let queued_id = queued.body["order_id"].as_str().unwrap();
    assert!(o.app.store.delete_queued_order(queued_id).await.unwrap().is_ok());
    assert_eq!(o.order(queued_id).await.status, 404);
}

fn is_quota_counter(item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) -> bool {
    item.get("pk").and_then(|pk| pk.as_s().ok()).is_some_and(|pk| pk.starts_with("QUOTA#"))
}
