//! Publishing availability (cut into aligned slots, overlaps and concurrent postings), listing
//! the bookable slots, removing a free one.

use booking::domain::{Slot, SlotId, SlotMinutes};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde_json::json;

use crate::helpers::{Booking, at, ids, starts, text};

#[tokio::test]
async fn availability_is_cut_into_aligned_slots_and_overlaps_create_only_what_is_missing() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    assert_eq!(b.slots(&p, at(3, 10, 0), at(3, 11, 0)).await.len(), 4);
    // 10:30-12:00 overlaps 10:30 and 10:45: only 11:00..11:45 are new.
    let again =
        b.add_availability(&p, json!({"start_time": text(at(3, 10, 30)), "end_time": text(at(3, 12, 0))})).await;
    assert_eq!(starts(&again), [at(3, 11, 0), at(3, 11, 15), at(3, 11, 30), at(3, 11, 45)].map(text));
    // 30-minute slots from 11:30: the first two overlap 15-minute slots; 12:00 and 12:30 are new.
    let longer = b
        .add_availability(
            &p,
            json!({"start_time": text(at(3, 11, 30)), "end_time": text(at(3, 13, 0)), "slot_minutes": 30}),
        )
        .await;
    assert_eq!(starts(&longer), [at(3, 12, 0), at(3, 12, 30)].map(text));
    assert_eq!(longer.body["slots"][1]["end_time"], text(at(3, 13, 0)));
    // The same range again creates nothing.
    let same = b.add_availability(&p, json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))})).await;
    assert_eq!((same.status, ids(&same).len()), (201, 0));

    let listing = b.list(&p.sub, "").await;
    let listed = starts(&listing);
    assert_eq!(listed.len(), 10);
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "by start time: {listed:?}");
    assert_eq!(listing.body["slots"][0]["provider_id"], p.sub.as_str());
    assert_eq!(listing.body["slots"][0]["provider_name"], "Pat Provider");
}

#[tokio::test]
async fn concurrent_postings_of_one_range_create_each_slot_once() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let body = json!({"start_time": text(at(4, 9, 0)), "end_time": text(at(4, 12, 0))});
    let replies = join_all((0..5).map(|_| b.add_availability(&p, body.clone()))).await;
    let created: usize = replies.iter().map(|r| ids(r).len()).sum();
    assert_eq!(created, 12, "{replies:?}");
    assert_eq!(b.listed(&p.sub).await.len(), 12);
}

#[tokio::test]
async fn concurrent_postings_of_overlapping_ranges_of_different_lengths_never_overlap() {
    let b = Booking::new(1800).await;
    // 15-, 30- and 60-minute slots over ranges with staggered starts, each overlapping others.
    let postings = [
        (15, (9, 0), (12, 0)),
        (30, (9, 30), (12, 30)),
        (60, (10, 0), (13, 0)),
        (15, (10, 15), (11, 45)),
        (30, (11, 0), (14, 0)),
        (60, (9, 0), (11, 0)),
        (15, (12, 45), (14, 15)),
        (30, (8, 30), (10, 30)),
        (60, (12, 0), (15, 0)),
        (15, (8, 45), (9, 45)),
    ];
    for round in 0..3 {
        let p = b.provider().await;
        let replies = join_all(postings.iter().map(|&(minutes, (h1, m1), (h2, m2))| {
            let body = json!({
                "start_time": text(at(3, h1, m1)),
                "end_time": text(at(3, h2, m2)),
                "slot_minutes": minutes,
            });
            b.add_availability(&p, body)
        }))
        .await;
        let mut returned = Vec::new();
        for reply in &replies {
            assert_eq!(reply.status, 201, "round {round}: {reply:?}");
            returned.extend(ids(reply));
        }
        let mut stored = b.app.store.slots(&p.sub, at(2, 0, 0), at(4, 0, 0)).await.unwrap();
        stored.sort_by_key(|slot| slot.start_time);
        for pair in stored.windows(2) {
            assert!(
                pair[0].end_time <= pair[1].start_time,
                "round {round}: {} overlaps {}",
                pair[0].slot_id,
                pair[1].slot_id
            );
        }
        // Every slot a request reported exists, and each exists because exactly one request made it.
        let mut stored_ids: Vec<String> = stored.into_iter().map(|slot| slot.slot_id).collect();
        stored_ids.sort();
        returned.sort();
        assert_eq!(returned, stored_ids, "round {round}");
        let mut listed = b.listed(&p.sub).await;
        listed.sort();
        assert_eq!(listed, stored_ids, "round {round}: every slot is bookable");
    }
}

#[tokio::test]
async fn slot_creation_moves_the_providers_availability_version_chunk_by_chunk() {
    let b = Booking::new(1800).await;
    let provider = b.provider().await;
    let p = provider.sub.clone();
    let store = &b.app.store;
    let slots = |from: DateTime<Utc>, count: i64| -> Vec<Slot> {
        let minutes: SlotMinutes = "15".parse().unwrap();
        (0..count)
            .map(|i| {
                Slot::new(&SlotId { provider_id: p.clone(), start: from + chrono::Duration::minutes(15 * i), minutes })
            })
            .collect()
    };
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(0));
    assert_eq!(store.availability_version("no-such-provider").await.unwrap(), None);
    // 150 slots: two transactions of at most 99 slots and the version each.
    let first = store.create_slots(&p, &slots(at(3, 0, 0), 150), 0).await.unwrap();
    assert!(first.complete);
    assert_eq!(first.created.len(), 150);
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(2));
    // Computed from a stale reading: refused whole, nothing created.
    let stale = store.create_slots(&p, &slots(at(6, 12, 0), 4), 1).await.unwrap();
    assert!(!stale.complete);
    assert!(stale.created.is_empty());
    assert!(store.slot(&stale_id(&p, at(6, 12, 0))).await.unwrap().is_none());
    // Refused in its second chunk (a slot there exists after all): the first chunk is kept and
    // reported, the version moved once.
    let mut partial = slots(at(5, 0, 0), 99);
    partial.push(first.created[0].clone());
    let second = store.create_slots(&p, &partial, 2).await.unwrap();
    assert!(!second.complete);
    assert_eq!(second.created.len(), 99);
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(3));
    // The longest range at the default length: 2976 slots, 31 transactions, one request.
    let month =
        b.add_availability(&provider, json!({"start_time": text(at(10, 0, 0)), "end_time": text(at(41, 0, 0))})).await;
    assert_eq!((month.status, ids(&month).len()), (201, 2976));
    assert_eq!(store.availability_version(&p).await.unwrap(), Some(3 + 31));
}

fn stale_id(provider: &str, start: DateTime<Utc>) -> SlotId {
    SlotId { provider_id: provider.to_owned(), start, minutes: "15".parse().unwrap() }
}

#[tokio::test]
async fn offsets_are_converted_to_utc() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let local = at(3, 10, 0).with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
    let reply =
        b.add_availability(&p, json!({"start_time": local.to_rfc3339(), "end_time": text(at(3, 10, 15))})).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["slots"][0]["start_time"], text(at(3, 10, 0)));
    assert!(reply.body["slots"][0]["start_time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn bad_availability_requests_name_the_problem() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let cases = [
        (json!({"start_time": text(at(3, 10, 5)), "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        (json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 10, 50))}), 400, "invalid_field", "end_time"),
        (json!({"start_time": text(at(3, 11, 0)), "end_time": text(at(3, 10, 0))}), 400, "invalid_field", "end_time"),
        (json!({"start_time": text(at(-2, 10, 0)), "end_time": text(at(-2, 11, 0))}), 422, "range_in_past", "past"),
        (json!({"start_time": text(at(2, 0, 0)), "end_time": text(at(34, 0, 0))}), 422, "range_too_long", "31 days"),
        (
            json!({"start_time": text(at(2, 0, 0)), "end_time": text(at(33, 0, 0)), "slot_minutes": 1}),
            422,
            "too_many_slots",
            "at most 3000",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": 0}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": -15}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": 7}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0)), "slot_minutes": "15"}),
            400,
            "invalid_field",
            "slot_minutes",
        ),
        (json!({"start_time": "tomorrow at ten", "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        (json!({"start_time": 1795341600, "end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
        // Strict RFC 3339: chrono alone would take these, and the five-digit year would reach
        // DynamoDB as an impossible key range.
        (
            json!({"start_time": at(3, 10, 0).format("%Y-%m-%d %H:%M:%S UTC").to_string(), "end_time": text(at(3, 11, 0))}),
            400,
            "invalid_field",
            "start_time",
        ),
        (
            json!({"start_time": text(at(3, 10, 0)), "end_time": "+10000-01-01T00:00:00Z"}),
            400,
            "invalid_field",
            "end_time",
        ),
        (json!({"end_time": text(at(3, 11, 0))}), 400, "invalid_field", "start_time"),
    ];
    for (body, status, code, mention) in cases {
        let reply = b.add_availability(&p, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, Some(code)), "{body}: {reply:?}");
        assert!(reply.message().contains(mention), "{body}: {}", reply.message());
    }
    // A member of `provider` who has not made a profile yet.
    let newcomer = b.user(&["provider"]).await;
    let unknown =
        b.add_availability(&newcomer, json!({"start_time": text(at(3, 10, 0)), "end_time": text(at(3, 11, 0))})).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("provider_not_found")));
    let names = b.post(&newcomer, "/booking/v1/providers", json!({"first_name": " ", "last_name": "X"})).await;
    assert_eq!((names.status, names.code()), (400, Some("invalid_field")));
    assert!(names.message().contains("first_name"));
}

#[tokio::test]
async fn listing_shows_only_bookable_slots() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    // Inside the 24 h lead time: never listed (and not reservable).
    let in_two_hours = (Utc::now() + chrono::Duration::hours(2)).timestamp();
    let soon = DateTime::from_timestamp(in_two_hours - in_two_hours % 900 + 900, 0).unwrap();
    let near = b.slots(&p, soon, soon + chrono::Duration::minutes(15)).await;
    let far = b.slots(&p, at(3, 9, 0), at(3, 10, 0)).await;
    assert_eq!(b.listed(&p.sub).await, far);
    let too_late = b.reserve(&c, &near[0]).await;
    assert_eq!((too_late.status, too_late.code()), (422, Some("too_late")));

    let held = b.hold(&c, &far[0]).await;
    let confirmed = b.hold(&c, &far[1]).await;
    assert_eq!(b.confirm(&c, &confirmed).await.status, 200);
    assert_eq!(b.listed(&p.sub).await, far[2..]);
    // Cancelling makes the slot bookable again.
    assert_eq!(b.cancel(&c, &held).await.status, 200);
    assert_eq!(b.listed(&p.sub).await, [&far[0], &far[2], &far[3]].map(String::clone));

    // from/to select by start time; to is exclusive.
    let window = b.list(&p.sub, &format!("from={}&to={}", text(at(3, 9, 15)), text(at(3, 9, 45)))).await;
    assert_eq!(ids(&window), [far[2].clone()]);
    let bad = b.list(&p.sub, "from=yesterday").await;
    assert_eq!((bad.status, bad.code()), (400, Some("invalid_field")));
    assert!(bad.message().contains("from"));
    let reversed = b.list(&p.sub, &format!("from={}&to={}", text(at(3, 10, 0)), text(at(3, 9, 0)))).await;
    assert_eq!((reversed.status, reversed.code()), (400, Some("invalid_field")));
    // Bounds up to the end of year 9999 are fine, however little room they leave: 200, never 5xx.
    for query in [
        "from=9999-12-01T00:00:00Z",
        "from=9999-12-31T23:59:59Z",
        "from=9999-12-31T23:59:59.999Z",
        "to=9999-12-31T23:59:59.999Z",
        "from=9990-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
        "from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
    ] {
        let reply = b.list(&p.sub, query).await;
        assert_eq!(reply.status, 200, "{query}: {reply:?}");
        if query.starts_with("from=9") {
            assert!(ids(&reply).is_empty(), "{query}: {reply:?}");
        }
    }
    let everything = b.list(&p.sub, "from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z").await;
    assert_eq!(ids(&everything), [&far[0], &far[2], &far[3]].map(String::clone));
    let nobody = b.list("no-such-provider", "").await;
    assert_eq!((nobody.status, nobody.code()), (404, Some("provider_not_found")));
    let empty = b.provider().await;
    assert_eq!(b.listed(&empty.sub).await, Vec::<String>::new());
}

#[tokio::test]
async fn slots_can_be_removed_while_free() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let removed = b.delete_slot(&p, &slots[0]).await;
    assert_eq!(removed.status, 200, "{removed:?}");
    assert_eq!(removed.body["deleted"]["provider_name"], "Pat Provider");
    assert_eq!(b.listed(&p.sub).await, [slots[1].clone()]);
    assert_eq!(b.delete_slot(&p, &slots[0]).await.code(), Some("slot_not_found"));
    b.hold(&c, &slots[1]).await;
    assert_eq!(b.delete_slot(&p, &slots[1]).await.code(), Some("slot_reserved"));
    let other = b.provider().await;
    // Under the other provider's own path, the slot is not one of theirs.
    assert_eq!(b.delete_slot(&other, &slots[1]).await.code(), Some("slot_not_found"), "another provider's slot");
    assert_eq!(b.reserve(&c, &slots[0]).await.code(), Some("slot_not_found"));
}
