//! Holds that run out: through the SQS queue and its worker, at once for every reader, racing a
//! confirmation, and the queue's redeliveries, poison messages and long delays.

use std::time::Duration;

use booking::{domain::ExpiryStep, ops, queue::ExpiryMessage, store::Part};
use chrono::Utc;
use serde_json::{Value, json};
use shared::dynamo::Refusal;
use system_tests::{InProcess, eventually};

use crate::helpers::{Booking, at};

#[tokio::test]
async fn a_hold_expires_through_the_queue_without_any_request() {
    let b = Booking::new(2).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;

    // The expiry queue's event source runs as Lambda would run it, with the real worker.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(b.expiry_source().run(std::sync::Arc::new(b.worker()), stopped));
    let (bref, rref) = (&b, &r);
    let stored = eventually("the worker records the expiry", Duration::from_secs(60), move || async move {
        let stored = bref.stored(rref).await;
        (stored.status == booking::domain::Status::Expired).then_some(stored)
    })
    .await;
    let _ = stop.send(true);
    poller.await.unwrap();

    assert!(stored.expired_at.is_some_and(|at| at >= stored.expires_at));
    assert_eq!(b.listed(&p.sub).await, std::slice::from_ref(&slot), "the slot is listed again");
    assert!(b.held_by(&c).await.is_empty(), "the worker's expiry no longer counts the hold");
    let late = b.confirm(&c, &r).await;
    assert_eq!((late.status, late.code()), (410, Some("reservation_expired")));
    assert_eq!(b.get(&c, &r).await.body["status"], "expired");
}

#[tokio::test]
async fn an_overdue_hold_is_free_at_once_before_any_worker_runs() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let (bref, rref) = (&b, &r);
    let cref = &c;
    eventually("the hold runs out", Duration::from_secs(30), move || async move {
        (bref.get(cref, rref).await.body["status"] == "expired").then_some(())
    })
    .await;
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Held, "no worker ran");
    assert_eq!(b.listed(&p.sub).await, std::slice::from_ref(&slot));
    assert_eq!(b.confirm(&c, &r).await.code(), Some("reservation_expired"));
    assert_eq!(b.cancel(&c, &r).await.code(), Some("reservation_expired"));
    // Another client takes the slot; the late expiry of the first hold must not free it.
    let second = b.hold(&other, &slot).await;
    let expired = ops::expire_one(&b.app.store, &r, Utc::now()).await.unwrap();
    assert!(expired.is_some(), "the first hold is recorded as expired");
    assert!(b.held_by(&c).await.is_empty(), "and no longer counted, though its slot was not its own");
    assert!(b.listed(&p.sub).await.is_empty(), "the second hold keeps the slot");
    assert_eq!(b.confirm(&other, &second).await.status, 200);
}

#[tokio::test]
async fn confirm_racing_expiry_has_one_winner() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 10, 15)).await;
    let (mut confirms_won, mut expiries_won) = (0, 0);
    for (round, slot) in slots.iter().enumerate() {
        let r = b.hold(&c, slot).await;
        let held = b.stored(&r).await;
        // Both decide on the same snapshot at the edge of the hold: confirm a millisecond before
        // it ends (valid), expiry at the instant it ends (valid). Only one may commit.
        let confirm_at = held.expires_at - chrono::Duration::milliseconds(1);
        let confirmed = match round % 3 {
            // The operations, concurrently: whichever commits first wins.
            0 => {
                let (confirmed, expired) = tokio::join!(
                    b.app.store.confirm(&held, confirm_at),
                    ops::expire_one(&b.app.store, &r, held.expires_at),
                );
                let (confirmed, expired) = (confirmed.unwrap().is_ok(), expired.unwrap().is_some());
                assert!(confirmed ^ expired, "round {round}: exactly one wins: {confirmed} {expired}");
                confirmed
            }
            // The store's two transactions on the same snapshot, in each order: the first to
            // commit wins and the second is refused by the reservation's condition.
            1 => {
                assert_eq!(b.app.store.confirm(&held, confirm_at).await.unwrap(), Ok(()));
                assert_eq!(
                    b.app.store.expire(&held, held.expires_at).await.unwrap(),
                    Err(Refusal::Condition(Part::Reservation))
                );
                true
            }
            _ => {
                assert_eq!(b.app.store.expire(&held, held.expires_at).await.unwrap(), Ok(()));
                assert_eq!(
                    b.app.store.confirm(&held, confirm_at).await.unwrap(),
                    Err(Refusal::Condition(Part::Reservation))
                );
                false
            }
        };
        let stored = b.stored(&r).await;
        let slot_item = b.app.store.slot(&slot.parse().unwrap()).await.unwrap().unwrap();
        if confirmed {
            confirms_won += 1;
            assert_eq!(stored.status, booking::domain::Status::Confirmed, "round {round}");
            assert_eq!(slot_item.reservation_id.as_deref(), Some(r.as_str()));
            assert_eq!(slot_item.reservation_status, Some(booking::domain::Status::Confirmed));
        } else {
            expiries_won += 1;
            assert_eq!(stored.status, booking::domain::Status::Expired, "round {round}");
            assert!(slot_item.reservation_id.is_none(), "round {round}: an expired hold releases its slot");
        }
    }
    assert!(confirms_won >= 1 && expiries_won >= 1, "each side won: {confirms_won} {expiries_won}");
}

#[tokio::test]
async fn a_duplicate_expiry_delivery_changes_nothing() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let expires_at = b.until_the_hold_runs_out(&r).await;
    let message = ExpiryMessage { reservation_id: r.clone(), expires_at };
    let queue = &b.stack.queue("BookingExpiryQueue").url;
    for _ in 0..2 {
        b.sqs()
            .send_message()
            .queue_url(queue)
            .message_body(serde_json::to_string(&message).unwrap())
            .send()
            .await
            .unwrap();
    }
    let source = b.expiry_source();
    let worker = b.worker();
    let mut handled = 0;
    let mut first_expiry = None;
    // The original message plus the two duplicates: all succeed, one expiry is recorded.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while handled < 3 {
        assert!(std::time::Instant::now() < deadline, "three deliveries handled in time (got {handled})");
        let outcome = source.poll_once(&worker, 1).await.unwrap();
        assert_eq!(outcome.failed, 0, "a duplicate is not a failure");
        handled += outcome.deleted;
        let stored = b.stored(&r).await;
        if stored.status == booking::domain::Status::Expired {
            let at = *first_expiry.get_or_insert(stored.expired_at);
            assert_eq!(stored.expired_at, at, "a later delivery does not rewrite the expiry");
        }
    }
    assert_eq!(handled, 3);
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);
    assert_eq!(b.listed(&p.sub).await, [slot]);
    assert!(b.held_by(&c).await.is_empty());
}

/// The expiry worker, keeping every batch it was given and every answer it gave.
struct Recorded {
    worker: InProcess,
    calls: std::sync::Mutex<Vec<(Value, Result<Value, String>)>>,
}

impl local_stack::invoke::Invoker for Recorded {
    async fn invoke(&self, function: &str, payload: Value) -> Result<Value, String> {
        let outcome = self.worker.invoke(function, payload.clone()).await;
        self.calls.lock().unwrap().push((payload, outcome.clone()));
        outcome
    }
}

#[tokio::test]
async fn a_poison_message_goes_to_the_dead_letter_queue_without_blocking_its_batch() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let queue = b.stack.queue("BookingExpiryQueue").url.clone();
    let dlq = b.stack.queue("BookingExpiryDeadLetterQueue").url.clone();
    // A short visibility timeout so that retries come quickly (in AWS it is 90 s).
    b.sqs()
        .set_queue_attributes()
        .queue_url(&queue)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "1")
        .send()
        .await
        .unwrap();
    let expires_at = b.until_the_hold_runs_out(&r).await;
    // A valid, undelayed expiry message and a poison one, visible together: one batch.
    let send = |body: String| {
        let (sqs, queue) = (b.sqs(), queue.clone());
        async move { sqs.send_message().queue_url(queue).message_body(body).send().await.unwrap().message_id.unwrap() }
    };
    let valid = send(serde_json::to_string(&ExpiryMessage { reservation_id: r.clone(), expires_at }).unwrap()).await;
    let poison = send("{not json".to_owned()).await;

    let source = b.expiry_source();
    let worker = Recorded { worker: b.worker(), calls: Default::default() };
    let first = source.poll_once(&worker, 1).await.unwrap();
    let (batch, answer) = worker.calls.lock().unwrap()[0].clone();
    let delivered: Vec<&str> =
        batch["Records"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap()).collect();
    assert!(delivered.contains(&valid.as_str()) && delivered.contains(&poison.as_str()), "{delivered:?}");
    // Exactly one failure reported, the poison's; everything else in the batch was handled and
    // deleted (the hold's own delayed message may have been in it too).
    assert_eq!(answer.unwrap(), json!({"batchItemFailures": [{"itemIdentifier": poison}]}));
    assert_eq!((first.failed, first.deleted), (1, first.received - 1), "{first:?}");
    assert_eq!(b.stored(&r).await.status, booking::domain::Status::Expired);

    let mut poison_failures = first.failed;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        assert!(std::time::Instant::now() < deadline, "the poison message reaches the dead-letter queue in time");
        let dead = b.sqs().receive_message().queue_url(&dlq).send().await.unwrap().messages.unwrap_or_default();
        if dead.iter().any(|m| m.body.as_deref() == Some("{not json")) {
            break;
        }
        let outcome = source.poll_once(&worker, 1).await.unwrap();
        poison_failures += outcome.failed;
    }
    assert_eq!(poison_failures, 5, "retried up to maxReceiveCount");
    // The valid message was deleted: it never came back while the poison did.
    for (batch, _) in worker.calls.lock().unwrap().iter().skip(1) {
        for record in batch["Records"].as_array().unwrap() {
            assert_ne!(record["messageId"].as_str(), Some(valid.as_str()), "the handled message came back");
        }
    }
}

#[tokio::test]
async fn an_early_message_waits_for_the_stored_due_time() {
    let b = Booking::new(1800).await;
    let now = Utc::now();
    // Two hours ahead: SQS delays stop at 900 s, so it waits 900 s and is looked at again.
    let message = ExpiryMessage { reservation_id: "r-1".into(), expires_at: now + chrono::Duration::hours(2) };
    let step = ops::handle_expiry_message(&b.app.store, b.app.expiry_queue().unwrap(), &message, now).await.unwrap();
    assert_eq!(step, ExpiryStep::Requeue(900), "the delay is capped at SQS's 900 s");
    // Ten minutes ahead: it waits exactly that.
    let sooner = ExpiryMessage { reservation_id: "r-2".into(), expires_at: now + chrono::Duration::minutes(10) };
    assert_eq!(
        ops::handle_expiry_message(&b.app.store, b.app.expiry_queue().unwrap(), &sooner, now).await.unwrap(),
        ExpiryStep::Requeue(600)
    );
    let queue = &b.stack.queue("BookingExpiryQueue").url;
    let attributes = b
        .sqs()
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap();
    let delayed = attributes.attributes.unwrap()
        [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed]
        .clone();
    assert_eq!(delayed, "2", "re-enqueued with a delay, not handled early");
    let visible = b.sqs().receive_message().queue_url(queue).send().await.unwrap().messages.unwrap_or_default();
    assert!(visible.is_empty(), "{visible:?}");
}
