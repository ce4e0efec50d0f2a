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
    let mismatch = b.confirm(&r, &other).await;
    assert_eq!((mismatch.status, mismatch.code()), (403, Some("client_mismatch")));
    let ok = b.confirm(&r, &c).await;
    assert_eq!((ok.status, &ok.body["status"]), (200, &json!("confirmed")));
    let twice = b.confirm(&r, &c).await;
    assert_eq!((twice.status, twice.code()), (409, Some("already_confirmed")));
    assert_eq!(b.get(&r).await.body["status"], "confirmed");
    let unknown = b.confirm("no-such-reservation", &c).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("reservation_not_found")));
    // A confirmed slot cannot be removed by the provider.
    let removal = b.delete_slot(&p, &slot).await;
    assert_eq!((removal.status, removal.code()), (409, Some("slot_reserved")));
    // But the client may cancel it, which frees the slot.
    let cancelled = b.cancel(&r, Some(&c)).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")));
    assert_eq!(b.listed(&p).await, std::slice::from_ref(&slot));
    let after = b.confirm(&r, &c).await;
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
    let taken = ops::reserve(b.app, &other, &slots[0], held.expires_at + chrono::Duration::milliseconds(1))
        .await
        .unwrap()
        .reservation_id;
    assert_eq!(b.get(&r).await.body["status"], "held");
    // Refused by the slot's condition, which no retry would change: the hold is over (not a 503).
    let confirm = b.confirm(&r, &c).await;
    assert_eq!((confirm.status, confirm.code()), (410, Some("reservation_expired")), "{confirm:?}");
    let cancel = b.cancel(&r, Some(&c)).await;
    assert_eq!((cancel.status, cancel.code()), (410, Some("reservation_expired")), "{cancel:?}");
    // Neither touched the slot or the other hold.
    let slot = b.app.store.slot(&slots[0].parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(slot.reservation_id.as_deref(), Some(taken.as_str()));
    assert_eq!(b.confirm(&taken, &other).await.status, 200);

    // A confirmed reservation whose slot item went away behind the service's back: cancelling
    // still cancels it, with nothing to release.
    let r2 = b.hold(&c, &slots[1]).await;
    assert_eq!(b.confirm(&r2, &c).await.status, 200);
    aws_sdk_dynamodb::Client::new(&b.sdk)
        .delete_item()
        .table_name(b.stack.table("BookingTable"))
        .set_key(Some(booking::store::slot_key(&slots[1].parse().unwrap())))
        .send()
        .await
        .unwrap();
    let cancelled = b.cancel(&r2, Some(&c)).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{cancelled:?}");
    assert_eq!(b.stored(&r2).await.status, booking::domain::Status::Cancelled);
}

#[tokio::test]
async fn cancellation_rules() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let no_client = b.cancel(&r, None).await;
    assert_eq!((no_client.status, no_client.code()), (400, Some("missing_field")));
    assert!(no_client.message().contains("client_id"));
    assert_eq!(b.cancel(&r, Some(&other)).await.code(), Some("client_mismatch"));
    assert_eq!(b.cancel(&r, Some(&c)).await.body["status"], "cancelled");
    // Twice is fine: it is cancelled.
    assert_eq!(b.cancel(&r, Some(&c)).await.status, 200);
    assert_eq!(b.cancel("no-such-reservation", Some(&c)).await.code(), Some("reservation_not_found"));
    // The slot is bookable again, by anyone.
    assert_eq!(b.reserve(&other, &slot).await.status, 201);
}
