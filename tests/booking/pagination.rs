//! The availability listing in pages: 1,200 slots, every one exactly once, in order, also while
//! slots are added and booked; cursors of another listing and bad limits are 400s.

use std::collections::HashSet;

use serde_json::json;

use system_tests::User;

use crate::helpers::{Booking, at, ids, starts, text};

/// Every page of a provider's availability, `query` added to each request, `between` run after
/// each page.
async fn all_pages(b: &Booking, p: &User, query: &str, mut between: impl AsyncFnMut(usize)) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let reply = b.list(&p.sub, &q).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        pages.push(starts(&reply));
        between(pages.len()).await;
        match reply.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return pages,
        }
        assert!(pages.len() < 100, "the listing ends");
    }
}

#[tokio::test]
async fn twelve_hundred_slots_page_through_once_each_in_order() {
    let b = Booking::new(1800).await;
    let p = b.provider().await;
    // 300 hours of 15-minute slots from day 3: 1,200 slots.
    let made = b.add_availability(&p, json!({"start_time": text(at(3, 0, 0)), "end_time": text(at(15, 12, 0))})).await;
    assert_eq!((made.status, ids(&made).len()), (201, 1200), "{:?}", made.body.get("error"));
    let whole = starts(&made);

    let first = b.list(&p.sub, "").await;
    assert_eq!(starts(&first).len(), 200, "the default page is 200");
    let pages = all_pages(&b, &p, "limit=1000", async |_| {}).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [1000, 200]);
    assert_eq!(pages.concat(), whole);
    let pages = all_pages(&b, &p, "limit=333", async |_| {}).await;
    assert_eq!(pages.concat(), whole);
}

#[tokio::test]
async fn paging_while_slots_are_added_and_booked_never_lists_one_twice() {
    // One client books a slot after every page: more holds than the default limit allows.
    let b = Booking::with_max_holds(1800, 100).await;
    let p = b.provider().await;
    let c = b.client().await;
    assert_eq!(
        b.add_availability(&p, json!({"start_time": text(at(3, 8, 0)), "end_time": text(at(3, 20, 0))})).await.status,
        201
    );
    let mut extra_hour = 20;
    let pages = all_pages(&b, &p, "limit=10", async |_| {
        // After each page: a later hour is published, and someone books the earliest free slot.
        if extra_hour < 23 {
            let body = json!({"start_time": text(at(3, extra_hour, 0)), "end_time": text(at(3, extra_hour + 1, 0))});
            assert_eq!(b.add_availability(&p, body).await.status, 201);
            extra_hour += 1;
        }
        if let Some(slot) = ids(&b.list(&p.sub, "limit=1").await).first() {
            assert_eq!(b.reserve(&c, slot).await.status, 201);
        }
    })
    .await;
    let seen = pages.concat();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no slot twice: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "by start time across pages");
    assert!(seen.contains(&text(at(3, 22, 45))), "slots published meanwhile after the cursor are listed");
}

#[tokio::test]
async fn cursors_of_another_listing_and_bad_limits_are_400s() {
    let b = Booking::new(1800).await;
    let (p, q) = (b.provider().await, b.provider().await);
    for provider in [&p, &q] {
        let body = json!({"start_time": text(at(3, 9, 0)), "end_time": text(at(3, 10, 0))});
        assert_eq!(b.add_availability(provider, body).await.status, 201);
    }
    let page = b.list(&p.sub, "limit=2").await;
    let cursor = page.body["next_cursor"].as_str().expect("a second page").to_owned();
    assert_eq!(b.list(&p.sub, &format!("limit=2&cursor={cursor}")).await.status, 200);
    let other_window = format!("from={}&cursor={cursor}", text(at(3, 9, 0)));
    for (provider, query) in [
        (&q, format!("cursor={cursor}")),
        (&p, other_window),
        (&p, format!("cursor={}", &cursor[..cursor.len() - 2])),
        (&p, "cursor=forged.cursor".to_owned()),
    ] {
        let reply = b.list(&provider.sub, &query).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{query}: {reply:?}");
        assert!(reply.message().starts_with("`cursor`"), "{reply:?}");
    }
    for bad in ["0", "-5", "1001", "many"] {
        let reply = b.list(&p.sub, &format!("limit={bad}")).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "limit={bad}: {reply:?}");
        assert!(reply.message().starts_with("`limit`"), "{reply:?}");
    }
}
