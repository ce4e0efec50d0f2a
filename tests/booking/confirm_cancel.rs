//! Confirming and cancelling a hold, and what each says when it cannot.

use booking::ops;
use serde_json::json;

use crate::helpers::{Booking, at};

#[tokio::test]
async fn confirmation_rules() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    // Another client's reservation does not exist, as far as they can tell.
    let theirs = b.confirm(&other, &r).await;
    assert_eq!((theirs.status, theirs.code()), (404, Some("reservation_not_found")));
    let ok = b.confirm(&c, &r).await;
    assert_eq!((ok.status, &ok.body["status"]), (200, &json!("confirmed")));
    let twice = b.confirm(&c, &r).await;
    assert_eq!((twice.status, twice.code()), (409, Some("already_confirmed")));
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed");
    let unknown = b.confirm(&c, "no-such-reservation").await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("reservation_not_found")));
    // A confirmed slot cannot be removed by the provider.
    let removal = b.delete_slot(&p, &slot).await;
    assert_eq!((removal.status, removal.code()), (409, Some("slot_reserved")));
    // But the client may cancel it, which frees the slot.
    let cancelled = b.cancel(&c, &r).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")));
    assert_eq!(b.listed(&p.sub).await, std::slice::from_ref(&slot));
    let after = b.confirm(&c, &r).await;
    assert_eq!((after.status, after.code()), (409, Some("reservation_cancelled")));
}

#[tokio::test]
async fn confirm_and_cancel_answer_at_once_when_the_slot_is_no_longer_theirs() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let r = b.hold(&c, &slots[0]).await;
    let held = b.stored(&r).await;
    // Another client takes the slot, deciding (as with a clock a little ahead) that the hold has
    // run out: the slot is someone else's while the first reservation still reads as held.
    let app = b.app;
    let rules = ops::HoldRules {
        expiry: app.expiry_queue().unwrap(),
        timings: &app.timings,
        max_holds: app.max_holds_per_client,
        quota: &app.reserve_quota,
    };
    let taken =
        ops::reserve(&app.store, &rules, &other.sub, &slots[0], held.expires_at + chrono::Duration::milliseconds(1))
            .await
            .unwrap()
            .reservation_id;
    assert_eq!(b.get(&c, &r).await.body["status"], "held");
    // Refused by the slot's condition, which no retry would change: the hold is over (not a 503).
    let confirm = b.confirm(&c, &r).await;
    assert_eq!((confirm.status, confirm.code()), (410, Some("reservation_expired")), "{confirm:?}");
    let cancel = b.cancel(&c, &r).await;
    assert_eq!((cancel.status, cancel.code()), (410, Some("reservation_expired")), "{cancel:?}");
    // Neither touched the slot or the other hold.
    let slot = b.app.store.slot(&slots[0].parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(slot.reservation_id.as_deref(), Some(taken.as_str()));
    assert_eq!(b.confirm(&other, &taken).await.status, 200);

    // A confirmed reservation whose slot item went away behind the service's back: cancelling
    // still cancels it, with nothing to release.
    let r2 = b.hold(&c, &slots[1]).await;
    assert_eq!(b.confirm(&c, &r2).await.status, 200);
    aws_sdk_dynamodb::Client::new(&b.sdk)
        .delete_item()
        .table_name(b.stack.table("BookingTable"))
        .set_key(Some(booking::store::slot_key(&slots[1].parse().unwrap())))
        .send()
        .await
        .unwrap();
    let cancelled = b.cancel(&c, &r2).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{cancelled:?}");
    assert_eq!(b.stored(&r2).await.status, booking::domain::Status::Cancelled);
    // The expired-by-the-slot hold is still counted until something records its expiry: the
    // holds the client's profile counts are exactly the unrecorded ones.
    assert_eq!(b.held_by(&c).await, std::slice::from_ref(&r));
    assert!(
        ops::expire_one(&b.app.store, &r, chrono::Utc::now() + chrono::Duration::hours(1)).await.unwrap().is_some()
    );
    assert!(b.held_by(&c).await.is_empty());
}

#[tokio::test]
async fn cancellation_rules() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    // Another client: as if there were no such reservation.
    let theirs = b.cancel(&other, &r).await;
    assert_eq!((theirs.status, theirs.code()), (404, Some("reservation_not_found")));
    // `?client_id=` (older clients send it) is checked: the caller's own is fine.
    let (own, other_id) = (format!("client_id={}", c.sub), format!("client_id={}", other.sub));
    let foreign = b.cancel_as(Some(&c), &r, &other_id).await;
    assert_eq!((foreign.status, foreign.code()), (403, Some("forbidden")));
    assert_eq!(b.cancel_as(Some(&c), &r, &own).await.body["status"], "cancelled");
    // Twice is fine: it is cancelled.
    assert_eq!(b.cancel(&c, &r).await.status, 200);
    assert_eq!(b.cancel(&c, "no-such-reservation").await.code(), Some("reservation_not_found"));
    // The slot is bookable again, by anyone.
    assert_eq!(b.reserve(&other, &slot).await.status, 201);
}
