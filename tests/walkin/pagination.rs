//! `GET /queue` in pages: every waiting ticket exactly once, in serving order, also while the
//! queue changes; cursors that are not ours and bad limits are 400s.

use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::{Walkin, phone};

fn ids(page: &Value) -> Vec<u64> {
    page["waiting"].as_array().unwrap().iter().map(|t| t["service_id"].as_u64().unwrap()).collect()
}

/// Every page of the queue from the start, with `between` run after each page.
async fn all_pages(w: &Walkin, limit: usize, mut between: impl AsyncFnMut(usize)) -> Vec<Vec<u64>> {
    let mut pages = Vec::new();
    let mut query = format!("limit={limit}");
    loop {
        let reply = w.queue_page(&query).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let page = ids(&reply.body);
        assert!(page.len() <= limit, "{} > {limit}", page.len());
        pages.push(page);
        between(pages.len()).await;
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit={limit}&cursor={cursor}"),
            None => return pages,
        }
        assert!(pages.len() < 1000, "the listing ends");
    }
}

/// Registers and checks in `n` customers, every third a VIP, concurrently a few at a time.
async fn fill(w: &Walkin, from: usize, n: usize) {
    for chunk in (from..from + n).collect::<Vec<_>>().chunks(10) {
        futures::future::join_all(chunk.iter().map(|i| async move { w.arrive("Guest", &phone(*i), i % 3 == 0).await }))
            .await;
    }
}

#[tokio::test]
async fn a_queue_of_250_pages_through_every_ticket_once_in_serving_order() {
    let w = Walkin::new().await;
    fill(&w, 0, 250).await;
    let whole = w.queue_page("limit=500").await;
    assert!(whole.body.get("next_cursor").is_none(), "one page holds it all: {:?}", whole.body["next_cursor"]);
    let order = ids(&whole.body);
    assert_eq!(order.len(), 250);
    assert_eq!((whole.body["vip_waiting"].as_u64(), whole.body["regular_waiting"].as_u64()), (Some(84), Some(166)));
    let default = w.queue().await;
    assert_eq!((ids(&default.body).len(), default.body["vip_waiting"].as_u64()), (100, Some(84)), "default 100");

    for limit in [1, 7, 100] {
        let pages = all_pages(&w, limit, async |_| {}).await;
        assert_eq!(pages.concat(), order, "pages of {limit} are the serving order");
        assert!(pages.iter().rev().skip(1).all(|p| p.len() == limit), "only the last page is short");
    }
}

#[tokio::test]
async fn paging_while_the_queue_changes_never_shows_a_ticket_twice() {
    let w = Walkin::new().await;
    fill(&w, 0, 60).await;
    let first = ids(&w.queue_page("limit=500").await.body);
    let mut next_guest = 1000;
    let pages = all_pages(&w, 10, async |page| {
        // After each page: two more arrive, and the desk calls one.
        fill(&w, next_guest, 2).await;
        next_guest += 2;
        assert_eq!(w.next().await.status, 200);
        let _ = page;
    })
    .await;
    let seen = pages.concat();
    let unique: HashSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no ticket twice: {seen:?}");
    // Whoever was waiting at the start and was not called before their page came is listed.
    assert!(seen.len() >= first.len() / 2, "{} of {}", seen.len(), first.len());
}

#[tokio::test]
async fn cursors_that_are_not_ours_and_bad_limits_are_400s() {
    let w = Walkin::new().await;
    fill(&w, 0, 5).await;
    let page = w.queue_page("limit=2").await;
    let cursor = page.body["next_cursor"].as_str().expect("more pages").to_owned();
    assert_eq!(w.queue_page(&format!("limit=2&cursor={cursor}")).await.status, 200);

    let (payload, tag) = cursor.split_once('.').unwrap();
    let forged = format!("{}.{tag}", base64_of(r#"{"v":0,"r":0,"n":0}"#));
    let truncated = &cursor[..cursor.len() - 3];
    for bad in [forged.as_str(), truncated, payload, "garbage", "a.b", &format!("{cursor}AA")] {
        let reply = w.queue_page(&format!("cursor={bad}")).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}: {reply:?}");
        assert!(reply.message().starts_with("`cursor`"), "{reply:?}");
    }
    for bad in ["0", "-1", "501", "ten", "1.5"] {
        let reply = w.queue_page(&format!("limit={bad}")).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "limit={bad}: {reply:?}");
        assert!(reply.message().starts_with("`limit`"), "{reply:?}");
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
