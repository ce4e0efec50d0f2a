//! The booking lifecycle: profiles with an email and a time zone, a provider cancelling with a
//! reason, a client moving a reservation (one winner when many race for the same new slot), and
//! users deleting their own data.

use futures::future::join_all;
use serde_json::json;
use system_tests::Reply;

use crate::helpers::{Booking, at};

#[tokio::test]
async fn profiles_keep_the_verified_email_and_an_iana_time_zone() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let mine = b.route("PATCH", "/booking/v1/clients/me", &[], "", Some(json!({})), Some(&c)).await;
    assert_eq!(mine.status, 200, "{mine:?}");
    assert_eq!((mine.body["email"].as_str(), mine.body["time_zone"].as_str()), (Some(c.email.as_str()), Some("UTC")));

    let moved =
        b.route("PATCH", "/booking/v1/clients/me", &[], "", Some(json!({"time_zone": "Europe/Paris"})), Some(&c)).await;
    assert_eq!((moved.status, moved.body["time_zone"].as_str()), (200, Some("Europe/Paris")), "{moved:?}");
    assert_eq!(moved.body["first_name"], "Cam", "what the change leaves out stays");
    for bad in ["Mars/Olympus", "+02:00", "", "europe/paris"] {
        let reply =
            b.route("PATCH", "/booking/v1/clients/me", &[], "", Some(json!({"time_zone": bad})), Some(&c)).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}: {reply:?}");
        assert!(reply.message().contains("time_zone"), "{reply:?}");
    }

    let renamed = b
        .route(
            "PATCH",
            "/booking/v1/providers/me",
            &[],
            "",
            Some(json!({"first_name": "Ada", "time_zone": "America/New_York"})),
            Some(&p),
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    assert_eq!(
        (renamed.body["first_name"].as_str(), renamed.body["time_zone"].as_str(), renamed.body["email"].as_str()),
        (Some("Ada"), Some("America/New_York"), Some(p.email.as_str()))
    );
    let directory = b.providers("").await;
    assert_eq!(directory.body["providers"][0]["first_name"], "Ada", "the directory follows: {directory:?}");

    // Without a profile: the client routes' usual 403, and a provider's 404.
    let stranger = b.user(&[]).await;
    let none = b.route("PATCH", "/booking/v1/clients/me", &[], "", Some(json!({})), Some(&stranger)).await;
    assert_eq!((none.status, none.code()), (403, Some("client_profile_required")), "{none:?}");
    let new_provider = b.user(&["provider"]).await;
    let none = b.route("PATCH", "/booking/v1/providers/me", &[], "", Some(json!({})), Some(&new_provider)).await;
    assert_eq!((none.status, none.code()), (404, Some("provider_not_found")), "{none:?}");
    let not_provider = b.route("PATCH", "/booking/v1/providers/me", &[], "", Some(json!({})), Some(&c)).await;
    assert_eq!(not_provider.status, 403, "{not_provider:?}");
}

#[tokio::test]
async fn a_provider_cancels_with_a_reason_and_the_slot_is_bookable_again() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let other = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(4, 9, 0), at(4, 9, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    assert_eq!(b.confirm(&c, &r).await.status, 200);

    // Another provider, and a stranger, are told it does not exist; nothing changes.
    for caller in [&other, &b.client().await] {
        let reply = b.cancel_with(caller, &r, json!({"reason": "no"})).await;
        assert_eq!((reply.status, reply.code()), (404, Some("reservation_not_found")), "{reply:?}");
    }
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed");
    let too_long = b.cancel_with(&p, &r, json!({"reason": "x".repeat(501)})).await;
    assert_eq!((too_long.status, too_long.code()), (400, Some("invalid_field")), "{too_long:?}");
    assert!(too_long.message().contains("reason"), "{too_long:?}");

    let cancelled = b.cancel_with(&p, &r, json!({"reason": "  The clinic is closed for repairs. "})).await;
    assert_eq!(cancelled.status, 200, "{cancelled:?}");
    assert_eq!(
        (
            cancelled.body["status"].as_str(),
            cancelled.body["cancelled_by"].as_str(),
            cancelled.body["cancel_reason"].as_str()
        ),
        (Some("cancelled"), Some("provider"), Some("The clinic is closed for repairs."))
    );
    let seen = b.get(&c, &r).await;
    assert_eq!(
        (seen.body["cancelled_by"].as_str(), seen.body["status"].as_str()),
        (Some("provider"), Some("cancelled"))
    );
    assert_eq!(b.listed(&p.sub).await, vec![slot.clone()], "bookable again");
    let again = b.hold(&b.client().await, &slot).await;
    assert_ne!(again, r);

    // A client's own cancellation says so, without a reason.
    let r2 = b.hold(&c, &b.slots(&p, at(4, 10, 0), at(4, 10, 15)).await[0]).await;
    let mine = b.cancel(&c, &r2).await;
    assert_eq!((mine.body["cancelled_by"].as_str(), mine.body.get("cancel_reason")), (Some("client"), None));
}

#[tokio::test]
async fn a_reschedule_moves_the_reservation_and_frees_the_old_slot() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(6, 9, 0), at(6, 10, 0)).await;
    let r = b.hold(&c, &slots[0]).await;
    let confirmed = b.confirm(&c, &r).await;
    let moved = b.reschedule(&c, &r, &slots[2]).await;
    assert_eq!(moved.status, 200, "{moved:?}");
    assert_eq!(
        (moved.body["reservation_id"].as_str(), moved.body["slot_id"].as_str(), moved.body["status"].as_str()),
        (Some(r.as_str()), Some(slots[2].as_str()), Some("confirmed"))
    );
    assert_eq!(moved.body["start_time"], "".to_owned() + &crate::helpers::text(at(6, 9, 30)));
    assert_eq!(moved.body["confirmed_at"], confirmed.body["confirmed_at"], "status and times kept");
    assert_eq!(b.listed(&p.sub).await, vec![slots[0].clone(), slots[1].clone(), slots[3].clone()]);
    let listing = b.provider_reservations(&p, "").await;
    assert_eq!(listing.body["reservations"][0]["slot_id"], slots[2].as_str(), "{listing:?}");

    // Refusals.
    let taken = b.hold(&b.client().await, &slots[1]).await;
    let reply = b.reschedule(&c, &r, &slots[1]).await;
    assert_eq!((reply.status, reply.code()), (409, Some("slot_unavailable")), "{reply:?}");
    // A slot starting inside the 30-minute lead time, whatever the time of day: the next
    // quarter-hour boundary (slots start on one) a minute from now.
    let quarter = 15 * 60;
    let start = ((chrono::Utc::now().timestamp() + 60) / quarter + 1) * quarter;
    let start = chrono::DateTime::from_timestamp(start, 0).unwrap();
    let soon = b.slots(&p, start, start + chrono::Duration::minutes(15)).await;
    let reply = b.reschedule(&c, &r, &soon[0]).await;
    assert_eq!((reply.status, reply.code()), (422, Some("too_late")), "{reply:?}");
    let other = b.provider().await;
    let elsewhere = b.slots(&other, at(6, 9, 0), at(6, 9, 15)).await.remove(0);
    let reply = b.reschedule(&c, &r, &elsewhere).await;
    assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{reply:?}");
    let reply = b.reschedule(&b.client().await, &r, &slots[3]).await;
    assert_eq!((reply.status, reply.code()), (404, Some("reservation_not_found")), "{reply:?}");
    assert_eq!(b.get(&c, &r).await.body["slot_id"], slots[2].as_str(), "refusals moved nothing");

    // A held reservation keeps its hold; a cancelled one cannot move.
    let held = b.reschedule(&b.client().await, &taken, &slots[3]).await;
    assert_eq!((held.status, held.code()), (404, Some("reservation_not_found")));
    assert_eq!(b.cancel(&c, &r).await.status, 200);
    let reply = b.reschedule(&c, &r, &slots[3]).await;
    assert_eq!((reply.status, reply.code()), (409, Some("reservation_not_active")), "{reply:?}");
}

#[tokio::test]
async fn a_held_reservation_moves_with_its_hold_and_a_repeated_key_moves_it_once() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(7, 9, 0), at(7, 9, 45)).await;
    let held = b.reserve(&c, &slots[0]).await;
    let r = held.body["reservation_id"].as_str().unwrap().to_owned();
    let (rref, cref) = (&r, &c);
    let send = |slot: &str| {
        let req_body = Some(json!({"slot_id": slot}));
        let (r, c) = (rref, cref);
        async move {
            let path = "/booking/v1/reservations/{reservation_id}/reschedule";
            let mut req = system_tests::request("POST", &path.replace("{reservation_id}", r), req_body);
            req = system_tests::with_header(req, "authorization", &format!("Bearer {}", c.token));
            req = system_tests::with_header(req, "idempotency-key", "move-1");
            system_tests::call(b.app, booking::entrypoints::http::reschedule, req).await
        }
    };
    let first = send(&slots[1]).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!((first.body["status"].as_str(), &first.body["expires_at"]), (Some("held"), &held.body["expires_at"]));
    let replay = send(&slots[1]).await;
    assert_eq!((replay.status, &replay.body), (200, &first.body), "the first answer, again");
    let reused = send(&slots[2]).await;
    assert_eq!((reused.status, reused.code()), (422, Some("idempotency_key_reused")), "{reused:?}");
    assert_eq!(b.held_by(&c).await, vec![r.clone()], "still one hold");
}

#[tokio::test]
async fn fifty_reschedules_racing_for_one_slot_make_one_move() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    // 51 slots: one each for 50 clients, and the one they all want.
    let slots = b.slots(&p, at(8, 6, 0), at(8, 18, 45)).await;
    assert_eq!(slots.len(), 51);
    let target = slots[50].clone();
    let clients = b.clients(50).await;
    let reservations = join_all(clients.iter().zip(&slots).map(|(c, slot)| b.hold(c, slot))).await;
    let replies: Vec<Reply> =
        join_all(clients.iter().zip(&reservations).map(|(c, r)| b.reschedule(c, r, &target))).await;
    let won: Vec<usize> = (0..50).filter(|&i| replies[i].status == 200).collect();
    assert_eq!(won.len(), 1, "exactly one move: {replies:?}");
    for (i, reply) in replies.iter().enumerate().filter(|(i, _)| *i != won[0]) {
        assert_eq!((reply.status, reply.code()), (409, Some("slot_unavailable")), "{reply:?}");
        let stored = b.stored(&reservations[i]).await;
        assert_eq!((stored.slot_id.as_str(), stored.sequence), (slots[i].as_str(), 0), "the loser stays put");
    }
    // Only the winner's old slot came free.
    assert_eq!(b.listed(&p.sub).await, vec![slots[won[0]].clone()]);
}

#[tokio::test]
async fn users_delete_their_data_after_their_live_reservations_are_cancelled() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(9, 9, 0), at(9, 9, 45)).await;
    let confirmed = b.hold(&c, &slots[0]).await;
    assert_eq!(b.confirm(&c, &confirmed).await.status, 200);
    let held = b.hold(&c, &slots[1]).await;
    let gone = b.route("DELETE", "/booking/v1/clients/me", &[], "", None, Some(&c)).await;
    assert_eq!((gone.status, &gone.body), (200, &json!({"deleted": true})), "{gone:?}");
    assert!(b.app.store.client(&c.sub).await.unwrap().is_none());
    assert!(b.app.store.reservation(&confirmed).await.unwrap().is_none());
    assert!(b.app.store.reservation(&held).await.unwrap().is_none());
    assert_eq!(b.listed(&p.sub).await, slots, "their slots are free again");
    let again = b.route("DELETE", "/booking/v1/clients/me", &[], "", None, Some(&c)).await;
    assert_eq!(again.status, 200, "deleting what is gone is done");

    let c2 = b.client().await;
    let r = b.hold(&c2, &slots[2]).await;
    assert_eq!(b.confirm(&c2, &r).await.status, 200);
    let gone = b.route("DELETE", "/booking/v1/providers/me", &[], "", None, Some(&p)).await;
    assert_eq!((gone.status, &gone.body), (200, &json!({"deleted": true})), "{gone:?}");
    let seen = b.get(&c2, &r).await;
    assert_eq!(
        (seen.body["status"].as_str(), seen.body["cancelled_by"].as_str()),
        (Some("cancelled"), Some("provider")),
        "{seen:?}"
    );
    assert!(seen.body["cancel_reason"].as_str().unwrap().contains("closed their account"));
    assert!(b.app.store.provider(&p.sub).await.unwrap().is_none());
    assert_eq!(b.providers("").await.body["providers"], json!([]));
    let listing = b.list(&p.sub, "").await;
    assert_eq!(listing.status, 404, "{listing:?}");
}

#[tokio::test]
async fn reservations_expire_from_the_table_after_the_retention_period() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slot = b.slots(&p, at(5, 9, 0), at(5, 9, 15)).await.remove(0);
    let r = b.hold(&c, &slot).await;
    let item = aws_sdk_dynamodb::Client::new(&b.sdk)
        .get_item()
        .table_name(b.stack.table("BookingTable"))
        .set_key(Some(booking::store::reservation_key(&r)))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let ttl: i64 = item["ttl"].as_n().unwrap().parse().unwrap();
    let created = b.stored(&r).await.created_at.timestamp();
    assert_eq!(ttl - created, 730 * 86_400, "counted from when it was stored");
}
