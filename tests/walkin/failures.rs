//! Outages and lasting conflicts: a 503, and nothing half done.

use std::time::{Duration, Instant};

use system_tests::{call, fresh_stack, inject_conflicts, inject_delay, inject_throttling, request, sdk, with_deadline};
use walkin::App;
use walkin::entrypoints::http;

use crate::helpers::{People, Walkin, phone};

#[tokio::test]
async fn an_unreachable_database_is_a_503() {
    // Nothing listens on this port: every database call fails to connect. Sign-in still works
    // (the pool's keys come from the local endpoint), so the desk's calls reach the database.
    let stack = fresh_stack(&sdk().await).await;
    let people = People::of(&stack).await;
    let port = local_stack::emulator::free_port().unwrap();
    let unreachable = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let config = walkin::Config { table: "unreachable".into(), ..crate::helpers::config(&stack) };
    let w = Walkin::on(App::new(&unreachable, &config), &stack, people).await;
    // Bound the wait so that a hang fails the test instead of stalling the run.
    let reply = tokio::time::timeout(std::time::Duration::from_secs(60), w.queue()).await.expect("no hang");
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")));
    let reply =
        tokio::time::timeout(std::time::Duration::from_secs(60), w.check_in("A", &phone(1))).await.expect("no hang");
    assert_eq!(reply.status, 503);
    let replies = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        [w.register("A", &phone(1), false).await, w.next().await, w.status("1").await, w.cancel("1").await]
    })
    .await
    .expect("no hang");
    for reply in replies {
        assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    }
}

#[tokio::test]
async fn transaction_conflicts_are_retried_and_a_lasting_one_is_a_503_that_loses_nothing() {
    let w = Walkin::new().await;
    let first = w.arrive("Ada", &phone(1), true).await;
    let second = w.arrive("Bob", &phone(2), false).await;

    // A few conflicts: the caller never sees them.
    inject_conflicts(&w.table, "TransactWriteItems", 3).await;
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(first)), "{reply:?}");

    // Conflicts that do not end: a 503 once the retries are spent, and the ticket stays queued.
    inject_conflicts(&w.table, "TransactWriteItems", 10_000).await;
    let reply = w.next().await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert_eq!(w.register("Cy", &phone(3), false).await.status, 201);
    let reply = w.check_in("Cy", &phone(3)).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_conflicts(&w.table, "TransactWriteItems", 0).await;

    // Nothing happened half-way: the waiting ticket is still first, and the failed check-in
    // consumed no ticket number.
    assert_eq!(w.status(&second.to_string()).await.body["status"], "waiting");
    let reply = w.check_in("Cy", &phone(3)).await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (201, Some(second + 1)), "{reply:?}");
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(second)), "{reply:?}");
}

#[tokio::test]
async fn throttling_is_retried_and_a_lasting_one_is_a_503_with_retry_after_that_loses_nothing() {
    let w = Walkin::new().await;
    let first = w.arrive("Ada", &phone(1), true).await;
    assert_eq!(w.register("Bob", &phone(2), false).await.status, 201);

    // A transaction cancelled for throttling, twice, and a throttled read: retried unseen.
    inject_throttling(&w.table, "TransactWriteItems", 2).await;
    let reply = w.check_in("Bob", &phone(2)).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let second = reply.body["service_id"].as_u64().unwrap();
    inject_throttling(&w.table, "GetItem", 1).await;
    assert_eq!(w.status(&first.to_string()).await.body["status"], "waiting");

    // Throttling that does not end: 503 with Retry-After, for writes and for reads.
    inject_throttling(&w.table, "TransactWriteItems", 10_000).await;
    let reply = w.next().await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some_and(|s| s.parse::<u32>().is_ok()), "{reply:?}");
    inject_throttling(&w.table, "TransactWriteItems", 0).await;
    inject_throttling(&w.table, "Query", 10_000).await;
    let reply = w.queue().await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
    inject_throttling(&w.table, "Query", 0).await;

    // Nothing happened half-way: both still wait, in order, and the numbers have no gap.
    assert_eq!(second, first + 1);
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(first)), "{reply:?}");
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(second)), "{reply:?}");
}

#[tokio::test]
async fn a_slow_database_is_a_503_before_the_deadline() {
    let w = Walkin::new().await;
    let ticket = w.arrive("Ada", &phone(1), true).await;
    // Each read takes 8 s; the function has 2 s left: the answer is our JSON 503, in time.
    inject_delay(&w.table, "GetItem", 100, Duration::from_secs(8)).await;
    let id = ticket.to_string();
    let req = request("GET", &format!("/walkin/v1/appointment/{id}"), None);
    let deadline = Instant::now() + Duration::from_secs(2);
    let reply = call(&w.app, http::get_appointment, with_deadline(req, Duration::from_secs(2))).await;
    assert!(Instant::now() < deadline, "answered before the deadline");
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
    inject_delay(&w.table, "GetItem", 0, Duration::from_millis(1)).await;
    assert_eq!(w.status(&id).await.body["status"], "waiting");
}
