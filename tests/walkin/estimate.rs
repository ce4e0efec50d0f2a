//! The estimated wait: null until three calls in the last hour, then on the check-in answer,
//! the ticket and each waiting entry.

use crate::helpers::{Walkin, phone};

#[tokio::test]
async fn the_estimate_appears_after_three_calls() {
    let w = Walkin::new().await;
    assert_eq!(w.register("P0", &phone(0), false).await.status, 201);
    let first = w.check_in("P0", &phone(0)).await;
    assert!(first.body["estimated_wait_seconds"].is_null(), "{first:?}");
    for i in 1..6 {
        w.arrive(&format!("P{i}"), &phone(i), false).await;
    }
    for called in 0..3 {
        let waiting = w.queue().await;
        assert!(
            waiting.body["waiting"].as_array().unwrap().iter().all(|e| e["estimated_wait_seconds"].is_null()),
            "no estimate after {called} calls: {waiting:?}"
        );
        assert_eq!(w.next().await.status, 200);
    }
    let queue = w.queue().await;
    let entries = queue.body["waiting"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let estimates: Vec<u64> =
        entries.iter().map(|e| e["estimated_wait_seconds"].as_u64().expect("an estimate after three calls")).collect();
    // Position × the same mean interval: never decreasing along the queue.
    assert!(estimates.windows(2).all(|pair| pair[0] <= pair[1]), "{estimates:?}");
    let id = entries[2]["service_id"].as_u64().unwrap();
    let ticket = w.status(&id.to_string()).await;
    assert_eq!(ticket.body["position"], 3);
    assert_eq!(ticket.body["estimated_wait_seconds"].as_u64(), Some(estimates[2]));
    // A new check-in is answered with its estimate too.
    assert_eq!(w.register("P9", &phone(9), false).await.status, 201);
    let late = w.check_in("P9", &phone(9)).await;
    assert!(late.body["estimated_wait_seconds"].as_u64().is_some(), "{late:?}");
    // A called ticket has no estimate.
    let called = w.queue().await.body["called"][0]["service_id"].as_u64().unwrap();
    assert!(w.status(&called.to_string()).await.body.get("estimated_wait_seconds").is_none());
}
