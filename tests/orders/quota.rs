//! The per-caller posting quota: past `ORDERS_QUOTA_PER_MINUTE` a caller gets 429 with
//! `Retry-After`, exactly at the limit under concurrency, and nobody else notices.

use futures::future::join_all;
use serde_json::json;
use shared::quota::{Limit, Window};

use crate::helpers::Orders;

#[tokio::test]
async fn past_the_quota_a_caller_is_told_when_to_retry_and_others_go_on() {
    let o = Orders::with(|c| c.quota = Limit { name: orders::ORDERS_QUOTA, limit: 5, window: Window::Minute }).await;
    let replies = join_all((0..8).map(|_| o.post(json!({"quantity": 1})))).await;
    let accepted = replies.iter().filter(|r| r.status == 202).count();
    let refused: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!((accepted, refused.len()), (5, 3), "exactly the quota, under concurrency");
    for reply in refused {
        assert_eq!(reply.code(), Some("quota_exceeded"));
        let retry: u32 = reply.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "the rest of the minute: {retry}");
        assert!(reply.message().contains("5 orders a minute"), "{}", reply.message());
    }
    let other = o.post_as(Some(&o.other), json!({"quantity": 1})).await;
    assert_eq!(other.status, 202, "another caller is not affected: {:?}", other.body);
    // A bad request spends nothing: it is refused before the quota.
    let bad = o.post_as(Some(&o.other), json!({"quantity": 11})).await;
    assert_eq!(bad.status, 400);
}
