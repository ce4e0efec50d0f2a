//! The hold limit (`BOOKING_MAX_HOLDS_PER_CLIENT`): a client with that many unconfirmed live
//! holds is refused another (422 `too_many_holds`), also under concurrency; every way a hold ends
//! (confirm, cancel, expiry by the queue or the sweep) makes room, once.

use futures::future::join_all;
use system_tests::Reply;

use crate::helpers::{Booking, MAX_HOLDS, at, reservation_ids};

#[tokio::test]
async fn a_client_holds_at_most_the_limit_and_confirming_or_cancelling_makes_room() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 8, 0), at(3, 10, 0)).await;
    let mut held = Vec::new();
    for slot in &slots[..3] {
        held.push(b.hold(&c, slot).await);
    }
    let refused = b.reserve(&c, &slots[3]).await;
    assert_eq!((refused.status, refused.code()), (422, Some("too_many_holds")), "{refused:?}");
    assert!(refused.message().contains(&format!("{MAX_HOLDS} unconfirmed")), "{refused:?}");
    assert_eq!(b.listed(&p.sub).await.len(), 5, "the refused reservation took nothing");
    // Someone else's limit is their own.
    assert_eq!(b.reserve(&other, &slots[3]).await.status, 201);

    // A confirmed reservation is no longer a hold.
    assert_eq!(b.confirm(&c, &held[0]).await.status, 200);
    let fourth = b.hold(&c, &slots[4]).await;
    assert_eq!(b.reserve(&c, &slots[5]).await.code(), Some("too_many_holds"));
    // Nor is a cancelled one; cancelling a confirmed one frees no hold (it was none).
    assert_eq!(b.cancel(&c, &held[0]).await.status, 200);
    assert_eq!(b.reserve(&c, &slots[5]).await.code(), Some("too_many_holds"));
    assert_eq!(b.cancel(&c, &held[1]).await.status, 200);
    let fifth = b.hold(&c, &slots[5]).await;
    let mut expected = vec![held[2].clone(), fourth, fifth];
    expected.sort();
    assert_eq!(b.held_by(&c).await, expected, "the profile counts exactly the live holds");
}

#[tokio::test]
async fn concurrent_reservations_by_one_client_stop_at_the_limit() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 10, 30)).await;
    assert_eq!(slots.len(), 10);
    let replies = join_all(slots.iter().map(|slot| b.reserve(&c, slot))).await;
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(won.len(), MAX_HOLDS as usize, "{replies:?}");
    for lost in replies.iter().filter(|r| r.status != 201) {
        assert_eq!((lost.status, lost.code()), (422, Some("too_many_holds")), "{lost:?}");
    }
    let mut winners: Vec<String> = won.iter().map(|r| r.body["reservation_id"].as_str().unwrap().to_owned()).collect();
    winners.sort();
    assert_eq!(b.held_by(&c).await, winners);
    assert_eq!(b.listed(&p.sub).await.len(), 10 - MAX_HOLDS as usize, "only the winners took slots");
}

#[tokio::test]
async fn holds_that_have_run_out_stop_counting_before_anything_records_them() {
    let b = Booking::new(1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 9, 0)).await;
    let mut held = Vec::new();
    for slot in &slots[..3] {
        held.push(b.hold(&c, slot).await);
    }
    b.until_the_hold_runs_out(&held[2]).await;
    // No worker or sweep has run: the profile still counts three, yet they are over.
    assert_eq!(b.held_by(&c).await.len(), 3);
    let provider_view = b.provider_reservations(&p, "").await;
    assert!(reservation_ids(&provider_view).is_empty(), "a hold that ran out is no appointment: {provider_view:?}");
    let fourth = b.hold(&c, &slots[3]).await;
    for r in &held {
        assert_eq!(b.stored(r).await.status, booking::domain::Status::Expired, "recorded on the way");
    }
    assert_eq!(b.held_by(&c).await, std::slice::from_ref(&fourth));
    let mine = b.my_reservations(&c, "").await;
    assert_eq!(reservation_ids(&mine).len(), 4);
    assert_eq!(reservation_ids(&b.my_reservations(&c, "status=expired").await).len(), 3);
}

#[tokio::test]
async fn a_limit_of_one_is_one() {
    let b = Booking::with_max_holds(1800, 1).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 8, 0), at(3, 8, 30)).await;
    let first = b.hold(&c, &slots[0]).await;
    let refused = b.reserve(&c, &slots[1]).await;
    assert_eq!((refused.status, refused.code()), (422, Some("too_many_holds")), "{refused:?}");
    assert_eq!(b.confirm(&c, &first).await.status, 200);
    assert_eq!(b.reserve(&c, &slots[1]).await.status, 201);
}

fn holds_an_hour(limit: u32) -> shared::quota::Limit {
    shared::quota::Limit { name: booking::RESERVE_QUOTA, limit, window: shared::quota::Window::Hour }
}

#[tokio::test]
async fn past_the_holds_quota_a_client_is_told_when_to_retry() {
    let b = Booking::with(60, 3, |c| c.reserve_quota = holds_an_hour(2)).await;
    let p = b.provider().await;
    let (c, other) = (b.client().await, b.client().await);
    let slots = b.slots(&p, at(3, 9, 0), at(3, 10, 0)).await;
    for slot in &slots[..2] {
        assert_eq!(b.reserve(&c, slot).await.status, 201);
    }
    let third = b.reserve(&c, &slots[2]).await;
    assert_eq!((third.status, third.code()), (429, Some("quota_exceeded")), "{:?}", third.body);
    assert!(third.header("retry-after").is_some_and(|s| s.parse::<u32>().is_ok_and(|s| (1..=3600).contains(&s))));
    assert_eq!(b.reserve(&other, &slots[2]).await.status, 201, "another client is not affected");
}

#[tokio::test]
async fn the_hold_limit_is_told_before_the_quota() {
    let b = Booking::with(60, 1, |c| c.reserve_quota = holds_an_hour(1)).await;
    let p = b.provider().await;
    let c = b.client().await;
    let slots = b.slots(&p, at(3, 9, 0), at(3, 9, 30)).await;
    assert_eq!(b.reserve(&c, &slots[0]).await.status, 201);
    let second = b.reserve(&c, &slots[1]).await;
    assert_eq!((second.status, second.code()), (422, Some("too_many_holds")), "{:?}", second.body);
}
