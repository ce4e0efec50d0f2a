//! Serving the queue: two VIPs to one regular, the ratio across restarts and concurrent callers.

use futures::future::join_all;
use system_tests::{as_user, call, fresh_stack, request, sdk};
use walkin::{App, entrypoints::http};

use crate::helpers::{People, Walkin, phone};

#[tokio::test]
async fn mixed_queue_is_served_two_vips_to_one_regular() {
    let w = Walkin::new().await;
    for (i, (name, vip)) in
        [("VIP1", true), ("R1", false), ("VIP2", true), ("VIP3", true), ("R2", false)].iter().enumerate()
    {
        w.arrive(name, &phone(i), *vip).await;
    }
    let queue = w.queue().await;
    let listed: Vec<&str> =
        queue.body["waiting"].as_array().unwrap().iter().map(|e| e["first_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["VIP1", "VIP2", "R1", "VIP3", "R2"]);
    assert_eq!((queue.body["vip_waiting"].as_u64(), queue.body["regular_waiting"].as_u64()), (Some(3), Some(2)));
    assert_eq!(w.serve_all().await, ["VIP1", "VIP2", "R1", "VIP3", "R2"]);
}

#[tokio::test]
async fn next_reports_the_called_customer() {
    let w = Walkin::new().await;
    let id = w.arrive("Ada", &phone(1), true).await;
    let reply = w.next().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["service_id"], id);
    assert_eq!(reply.body["tier"], "vip");
    assert_eq!(reply.body["last_name"], "Tester");
    assert!(reply.body["customer_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(reply.body["waited_seconds"].as_i64().is_some_and(|s| s >= 0));
    // Old clients call next with GET; the same function serves it.
    let get = call(&w.app, http::next, as_user(request("GET", "/walkin/v1/appointment/next", None), &w.staff)).await;
    assert_eq!((get.status, get.code()), (404, Some("queue_empty")));
}

#[tokio::test]
async fn a_tier_that_is_empty_does_not_block_the_other() {
    let w = Walkin::new().await;
    for i in 0..3 {
        w.arrive(&format!("R{i}"), &phone(i), false).await;
    }
    assert_eq!(w.serve_all().await, ["R0", "R1", "R2"]);
    for i in 3..6 {
        w.arrive(&format!("V{i}"), &phone(i), true).await;
    }
    assert_eq!(w.serve_all().await, ["V3", "V4", "V5"]);
    // Three VIPs were served with no regular waiting: a regular arriving now goes first.
    w.arrive("V6", &phone(6), true).await;
    w.arrive("R7", &phone(7), false).await;
    assert_eq!(w.serve_all().await, ["R7", "V6"]);
}

#[tokio::test]
async fn the_ratio_survives_a_restart() {
    let sdk = sdk().await;
    let stack = fresh_stack(&sdk).await;
    let people = People::of(&stack).await;
    let first = Walkin::on(App::new(&sdk, &crate::helpers::config(&stack)), &stack, people.clone()).await;
    for (i, (name, vip)) in [("V1", true), ("V2", true), ("V3", true), ("R1", false)].iter().enumerate() {
        first.arrive(name, &phone(i), *vip).await;
    }
    assert_eq!(first.next().await.body["first_name"], "V1");
    assert_eq!(first.next().await.body["first_name"], "V2");
    // A new process (a cold start) knows two VIPs were just served.
    let restarted = Walkin::on(
        App::new(&shared::aws::local_sdk_config(system_tests::endpoint()).await, &crate::helpers::config(&stack)),
        &stack,
        people,
    )
    .await;
    assert_eq!(restarted.serve_all().await, ["R1", "V3"]);
}

#[tokio::test]
async fn concurrent_next_calls_serve_every_ticket_exactly_once() {
    let w = Walkin::new().await;
    let mut tickets = Vec::new();
    for i in 0..6 {
        tickets.push(w.arrive(&format!("C{i}"), &phone(i), i % 3 == 0).await);
    }
    let replies = join_all((0..30).map(|_| w.next())).await;
    let mut served: Vec<u64> =
        replies.iter().filter(|r| r.status == 200).map(|r| r.body["service_id"].as_u64().unwrap()).collect();
    let empty = replies.iter().filter(|r| r.status == 404 && r.code() == Some("queue_empty")).count();
    served.sort();
    assert_eq!(served, tickets, "every ticket served exactly once");
    assert_eq!(empty, 24, "everyone else is told the queue is empty: {replies:?}");
    for id in tickets {
        assert_eq!(w.status(&id.to_string()).await.body["status"], "served");
    }
}
