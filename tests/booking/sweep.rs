//! The sweep: overdue holds the queue missed, found through the index, within a time budget.

use std::time::Duration;

use booking::{entrypoints::schedule, ops};
use chrono::Utc;
use serde_json::json;
use system_tests::eventually;

use crate::helpers::{Booking, at, sweep_event};

#[tokio::test]
async fn the_sweep_expires_holds_the_queue_missed() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let r1 = b.hold(&c, &slots[0]).await;
    let r2 = b.hold(&c, &slots[1]).await;
    assert_eq!(b.confirm(&c, &r2).await.status, 200);
    b.until_the_hold_runs_out(&r1).await;
    // The index is eventually consistent; the sweep finds the hold within moments.
    let bref = &b;
    let swept = eventually("the sweep expires the hold", Duration::from_secs(30), move || async move {
        let reply = bref.expire_now().await;
        assert_eq!(reply.status, 200);
        let expired = reply.body["expired"].as_array().unwrap().clone();
        (!expired.is_empty()).then_some(expired)
    })
    .await;
    assert_eq!(swept.len(), 1, "only the overdue hold, not the confirmed one");
    assert_eq!(
        (swept[0]["reservation_id"].as_str(), swept[0]["status"].as_str()),
        (Some(r1.as_str()), Some("expired"))
    );
    assert_eq!(b.expire_now().await.body["expired"], json!([]), "nothing left to sweep");
    assert!(b.held_by(&c).await.is_empty(), "the sweep's expiry no longer counts the hold");
    assert_eq!(b.stored(&r2).await.status, booking::domain::Status::Confirmed);
    // The scheduled function runs the same sweep.
    let event = sweep_event();
    let report = serde_json::to_value(schedule::sweep(b.app, event).await.unwrap()).unwrap();
    assert_eq!(report, json!({"expired": 0, "failed": 0, "finished": true}));
}

#[tokio::test]
async fn the_sweep_carries_on_past_a_hold_it_cannot_expire_and_stops_at_its_time_budget() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    // A held reservation whose slot id is garbage: expiring it fails every time. It is due
    // before the real one, so the sweep meets it first.
    let mut poison = b.stored(&r).await;
    poison.reservation_id = "poison".into();
    poison.slot_id = "garbage".into();
    poison.expires_at -= chrono::Duration::hours(1);
    let mut item =
        shared::dynamo::item_at(booking::store::reservation_key("poison"), &poison).expect("a reservation item");
    item.insert("hold_pk".into(), shared::dynamo::s("HELD"));
    item.insert("hold_expires_ms".into(), shared::dynamo::n(poison.expires_at.timestamp_millis()));
    aws_sdk_dynamodb::Client::new(&b.sdk)
        .put_item()
        .table_name(b.stack.table("BookingTable"))
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    b.until_the_hold_runs_out(&r).await;

    // Out of time before the first hold: it stops without touching anything, and that is no
    // failure.
    let stopped = ops::sweep(&b.app.store, Utc::now(), Duration::ZERO).await.unwrap();
    assert!(stopped.expired.is_empty() && stopped.failed == 0, "{stopped:?}");
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Held);

    // The poison fails, is counted, and the sweep goes on to expire the real hold.
    let bref = &b;
    let swept = eventually("the sweep expires the hold", Duration::from_secs(30), move || async move {
        let sweep = ops::sweep(&bref.app.store, Utc::now(), ops::SWEEP_BUDGET).await.unwrap();
        (!sweep.expired.is_empty()).then_some(sweep)
    })
    .await;
    assert_eq!(swept.expired.iter().map(|r| r.reservation_id.as_str()).collect::<Vec<_>>(), [r.as_str()]);
    assert_eq!((swept.failed, swept.finished), (1, true));
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);
    // Only the poison is left: nothing could be done and something failed, which is an error
    // (on demand a 500; for the schedule a failed run, which it retries).
    assert_eq!(b.expire_now().await.status, 500);
    let event = sweep_event();
    assert!(schedule::sweep(b.app, event).await.is_err());
    assert_eq!(b.stored("poison").await.status, booking::domain::Status::Held);
}
