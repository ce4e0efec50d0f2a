//! Per-resource rules: a provider manages only their own availability and slots; a reservation
//! is read by its client or its provider and confirmed or cancelled by its client only; anyone
//! else's is a 404, as if it did not exist; ids in bodies cannot name someone else.

use serde_json::json;

use crate::helpers::{Booking, at, ids, text};

#[tokio::test]
async fn a_provider_manages_only_their_own_availability_and_slots() {
    let b = Booking::new(1800).await;
    let (a, other) = (b.provider().await, b.provider().await);
    let theirs = b.slots(&other, at(3, 9, 0), at(3, 10, 0)).await;
    let range = json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))});

    // Their profile and availability are public: refusing them is a 403, not a pretence.
    let post = b.add_availability_as(Some(&a), &other.sub, range.clone()).await;
    assert_eq!((post.status, post.code()), (403, Some("forbidden")), "{post:?}");
    let delete = b.delete_slot_as(Some(&a), &other.sub, &theirs[0]).await;
    assert_eq!((delete.status, delete.code()), (403, Some("forbidden")), "{delete:?}");
    let listing = b.provider_reservations_as(&a, &other.sub, "").await;
    assert_eq!((listing.status, listing.code()), (403, Some("forbidden")), "{listing:?}");
    // A client is no provider at all.
    let client = b.client().await;
    let post = b.add_availability_as(Some(&client), &client.sub, range.clone()).await;
    assert_eq!((post.status, post.code()), (403, Some("forbidden")), "{post:?}");
    assert_eq!(b.listed(&other.sub).await, theirs, "nothing of theirs changed");

    // An admin may act for any provider.
    let by_admin = b.add_availability_as(Some(&b.admin), &other.sub, range).await;
    assert_eq!((by_admin.status, ids(&by_admin).len()), (201, 4), "{by_admin:?}");
    let removed = b.delete_slot_as(Some(&b.admin), &other.sub, &theirs[0]).await;
    assert_eq!(removed.status, 200, "{removed:?}");
    assert_eq!(b.listed(&other.sub).await.len(), 7);
}

#[tokio::test]
async fn a_client_cannot_read_confirm_or_cancel_another_clients_reservation() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let r = b.hold(&c, &slots[0]).await;

    for reply in [b.get(&other, &r).await, b.confirm(&other, &r).await, b.cancel(&other, &r).await] {
        assert_eq!((reply.status, reply.code()), (404, Some("reservation_not_found")), "{reply:?}");
        assert!(reply.message().contains(&r), "worded as for an unknown id: {reply:?}");
    }
    // Naming the other client in a body is refused before anything is read.
    let body = json!({"client_id": c.sub});
    let confirm = b.confirm_as(Some(&other), &r, Some(body.clone())).await;
    assert_eq!((confirm.status, confirm.code()), (403, Some("forbidden")), "{confirm:?}");
    let reserve = b.post(&other, "/booking/v1/reservations", json!({"client_id": c.sub, "slot_id": slots[1]})).await;
    assert_eq!((reserve.status, reserve.code()), (403, Some("forbidden")), "{reserve:?}");
    assert_eq!(b.listed(&p.sub).await, [slots[1].clone()], "the refused reservation took nothing");

    // Nothing changed; its client, naming themselves or not, confirms it.
    assert_eq!(b.get(&c, &r).await.body["status"], "held");
    let confirmed = b.confirm_as(Some(&c), &r, Some(body)).await;
    assert_eq!((confirmed.status, &confirmed.body["status"]), (200, &json!("confirmed")), "{confirmed:?}");
    let cancel = b.cancel(&other, &r).await;
    assert_eq!(cancel.code(), Some("reservation_not_found"));
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed");
}

#[tokio::test]
async fn a_provider_reads_the_reservations_of_their_slots_but_only_the_client_decides() {
    let b = Booking::new(1800).await;
    let (p, other) = (b.provider().await, b.provider().await);
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;

    let seen = b.get(&p, &r).await;
    assert_eq!((seen.status, seen.body["client_id"].as_str()), (200, Some(c.sub.as_str())), "{seen:?}");
    let not_theirs = b.get(&other, &r).await;
    assert_eq!((not_theirs.status, not_theirs.code()), (404, Some("reservation_not_found")));
    // Confirming and moving are the client's alone (a provider may cancel: see lifecycle.rs).
    assert_eq!(b.confirm(&p, &r).await.code(), Some("reservation_not_found"));
    assert_eq!(b.reschedule(&p, &r, &slot).await.code(), Some("reservation_not_found"));
    assert_eq!(b.get(&c, &r).await.body["status"], "held");
}

#[tokio::test]
async fn a_signed_in_user_without_a_client_profile_is_told_to_make_one() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    let user = b.user(&[]).await;
    for reply in [b.reserve(&user, &slot).await, b.my_reservations(&user, "").await] {
        assert_eq!((reply.status, reply.code()), (403, Some("client_profile_required")), "{reply:?}");
    }
    // A provider is not a client either, until they make a client profile.
    assert_eq!(b.reserve(&p, &slot).await.code(), Some("client_profile_required"));
    let made = b.post(&user, "/booking/v1/clients", json!({"first_name": "Ada", "last_name": "Lovelace"})).await;
    assert_eq!(made.status, 201, "{made:?}");
    assert_eq!(b.reserve(&user, &slot).await.status, 201);
    assert_eq!(b.my_reservations(&user, "").await.status, 200);
}
