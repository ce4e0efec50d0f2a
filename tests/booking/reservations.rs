//! Holding a slot: one winner under concurrency, and what a refused reservation says.

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde_json::json;
use system_tests::Reply;

use crate::helpers::{Booking, at, text};

#[tokio::test]
async fn fifty_concurrent_reservations_of_one_slot_make_one_hold() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let slot = b.slots(&p, at(5, 14, 0), at(5, 14, 15)).await.remove(0);
    let clients = b.clients(50).await;
    let replies = join_all(clients.iter().map(|c| b.reserve(c, &slot))).await;
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(won.len(), 1, "exactly one hold: {replies:?}");
    for lost in replies.iter().filter(|r| r.status != 201) {
        assert_eq!((lost.status, lost.code()), (409, Some("slot_unavailable")), "{lost:?}");
    }
    assert_eq!(won[0].body["status"], "held");
    assert!(b.listed(&p.sub).await.is_empty(), "the listing agrees: the slot is taken");
}

#[tokio::test]
async fn reservation_errors() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(3, 8, 0), at(3, 8, 15)).await.remove(0);
    // Signed in, but without a client profile.
    let stranger = b.user(&[]).await;
    let no_profile = b.reserve(&stranger, &slot).await;
    assert_eq!((no_profile.status, no_profile.code()), (403, Some("client_profile_required")), "{no_profile:?}");
    assert!(no_profile.message().contains("POST /booking/v1/clients"), "{no_profile:?}");
    let p = &p.sub;
    let absent = format!("{p}.{}.15", at(3, 9, 0).format("%Y%m%dT%H%MZ"));
    // A slot that does not exist is not found whatever its time, even inside the lead time.
    let absent_past = format!("{p}.{}.15", at(-2, 9, 0).format("%Y%m%dT%H%MZ"));
    let absent_soon = format!("{p}.{}.15", at(0, 23, 45).format("%Y%m%dT%H%MZ"));
    // The right start but another length: not this slot either.
    let other_length = format!("{p}.{}.30", at(3, 8, 0).format("%Y%m%dT%H%MZ"));
    for bad in [absent.as_str(), absent_past.as_str(), absent_soon.as_str(), other_length.as_str(), "garbage", ""] {
        let reply = b.reserve(&c, bad).await;
        assert_eq!((reply.status, reply.code()), (404, Some("slot_not_found")), "{bad:?}");
    }
    let missing = b.post(&c, "/booking/v1/reservations", json!({"client_id": c.sub})).await;
    assert_eq!((missing.status, missing.code()), (400, Some("invalid_field")));
    assert!(missing.message().contains("slot_id"));
    let wrong_type = b.post(&c, "/booking/v1/reservations", json!({"client_id": 42, "slot_id": slot})).await;
    assert_eq!((wrong_type.status, wrong_type.code()), (400, Some("invalid_field")));

    // The caller's own id in the body is accepted (older clients send it).
    let reservation = b.post(&c, "/booking/v1/reservations", json!({"client_id": c.sub, "slot_id": slot})).await;
    assert_eq!(reservation.status, 201, "{reservation:?}");
    let r = &reservation.body;
    assert_eq!((r["client_id"].as_str(), r["provider_id"].as_str()), (Some(c.sub.as_str()), Some(p.as_str())));
    for field in
        ["reservation_id", "slot_id", "provider_id", "client_id", "start_time", "end_time", "created_at", "expires_at"]
    {
        assert!(r.get(field).is_some_and(|v| !v.is_null()), "{field} in {r}");
    }
    assert_eq!(
        (r["status"].as_str(), r["slot_id"].as_str(), r["start_time"].as_str()),
        (Some("held"), Some(slot.as_str()), Some(text(at(3, 8, 0)).as_str()))
    );
    let created: DateTime<Utc> = r["created_at"].as_str().unwrap().parse().unwrap();
    let expires: DateTime<Utc> = r["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - created, chrono::Duration::seconds(1800));
    let taken = b.reserve(&b.client().await, &slot).await;
    assert_eq!((taken.status, taken.code()), (409, Some("slot_unavailable")));
}
