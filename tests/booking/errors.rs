//! Unknown routes, ids that cannot be ours, and transaction conflicts that do not end.

use booking::{App, entrypoints::http};
use serde_json::json;
use system_tests::{call, inject_conflicts, inject_throttling, request};

use crate::helpers::{Booking, at, config, text};

#[tokio::test]
async fn unknown_routes_and_methods() {
    let wrong = call((), http::fallback, request("GET", "/booking/v1/reservations", None)).await;
    assert_eq!((wrong.status, wrong.code()), (405, Some("method_not_allowed")));
    let unknown = call((), http::fallback, request("GET", "/booking/v1/nothing", None)).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("route_not_found")));
}

#[tokio::test]
async fn ids_that_cannot_be_ours_are_not_found_without_asking_the_database() {
    // Nothing listens on this port: any request that reached the database would be a 503.
    let port = local_stack::emulator::free_port().unwrap();
    let unreachable = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let real = Booking::new(1800).await;
    // The real stack's user pool still signs the callers in.
    let (client, provider) = (real.user(&[]).await, real.user(&["provider"]).await);
    // The queue and the cursor key stay configured, as the functions require them at start-up;
    // the app's clients reach nothing either way.
    let config = booking::Config { table: "unreachable".into(), ..config(&real.stack, 1800, 3) };
    let b = Booking {
        app: shared::app::for_process(App::new(&unreachable, &config)),
        stack: real.stack,
        sdk: real.sdk,
        admin: real.admin,
    };

    let long = "x".repeat(3000);
    let range = json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))});
    let cases = [
        // Admins may act for any provider: the id itself is what is refused.
        (b.add_availability_as(Some(&b.admin), &long, range).await, "provider_not_found"),
        (b.list(&long, "").await, "provider_not_found"),
        (b.reserve(&client, &format!("{long}.20261124T1015Z.15")).await, "slot_not_found"),
        (b.get(&client, &long).await, "reservation_not_found"),
        (b.confirm(&client, &long).await, "reservation_not_found"),
        (b.cancel(&client, &long).await, "reservation_not_found"),
        (b.delete_slot_as(Some(&b.admin), &long, &long).await, "slot_not_found"),
        (b.delete_slot(&provider, &long).await, "slot_not_found"),
    ];
    for (reply, code) in cases {
        assert_eq!((reply.status, reply.code()), (404, Some(code)), "{reply:?}");
    }
    // The control: a plausible id does ask, and gets the outage.
    let reply = b.get(&client, &shared::ids::new_id()).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
}

#[tokio::test]
async fn transaction_conflicts_are_retried_a_bounded_number_of_times_then_503() {
    let b = Booking::new(1800).await;
    let table = b.stack.table("BookingTable").to_owned();
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;

    // A conflict or two: the client never sees them.
    inject_conflicts(&table, "TransactWriteItems", 2).await;
    let r = b.hold(&c, &slots[0]).await;
    inject_conflicts(&table, "TransactWriteItems", 2).await;
    assert_eq!(b.confirm(&c, &r).await.status, 200);

    // Conflicts that do not end: a 503 after the bounded retries, and nothing half-done.
    inject_conflicts(&table, "TransactWriteItems", 10_000).await;
    let reply = b.reserve(&c, &slots[1]).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    let reply = b.cancel(&c, &r).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_conflicts(&table, "TransactWriteItems", 0).await;
    assert_eq!(b.listed(&p.sub).await, [slots[1].clone()], "the refused reservation took nothing");
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed", "the refused cancel changed nothing");
    assert!(b.held_by(&c).await.is_empty(), "the refused reservation was not counted");
    assert_eq!(b.reserve(&c, &slots[1]).await.status, 201);
}

#[tokio::test]
async fn throttling_is_retried_then_a_503_with_retry_after_and_nothing_half_done() {
    let b = Booking::new(1800).await;
    let table = b.stack.table("BookingTable").to_owned();
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;

    // The held-index partition over its capacity for a moment: retried unseen.
    inject_throttling(&table, "TransactWriteItems", 2).await;
    let r = b.hold(&c, &slots[0]).await;
    inject_throttling(&table, "GetItem", 2).await;
    assert_eq!(b.get(&c, &r).await.status, 200);

    // Throttling that does not end: 503 with Retry-After, and nothing half-done.
    inject_throttling(&table, "TransactWriteItems", 10_000).await;
    let reply = b.reserve(&c, &slots[1]).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
    let reply = b.confirm(&c, &r).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_throttling(&table, "TransactWriteItems", 0).await;
    inject_throttling(&table, "Query", 10_000).await;
    let reply = b.list(&p.sub, "").await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_throttling(&table, "Query", 0).await;
    assert_eq!(b.listed(&p.sub).await, [slots[1].clone()], "the refused reservation took nothing");
    assert_eq!(b.get(&c, &r).await.body["status"], "held", "the refused confirm changed nothing");
    assert_eq!(b.held_by(&c).await, std::slice::from_ref(&r), "only the hold that was made is counted");
    assert_eq!(b.confirm(&c, &r).await.status, 200);
}
