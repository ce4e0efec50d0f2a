//! `GET /orders/v1/orders`: the caller's own posted orders, newest first, page by page.

use serde_json::{Value, json};
use system_tests::eventually;

use crate::helpers::Orders;

fn ids(page: &Value) -> Vec<String> {
    page["orders"].as_array().unwrap().iter().map(|o| o["order_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_caller_lists_their_own_orders_newest_first_in_pages() {
    let o = Orders::new(0).await;
    let mut mine = Vec::new();
    for quantity in 1..=5 {
        let reply = o.post(json!({"quantity": quantity})).await;
        assert_eq!(reply.status, 202, "{:?}", reply.body);
        mine.push(reply.body["order_id"].as_str().unwrap().to_owned());
    }
    let theirs = o.post_as(Some(&o.other), json!({"quantity": 1})).await;
    assert_eq!(theirs.status, 202);
    mine.reverse();

    // The index is read eventually consistent: wait until all five show.
    eventually("the five orders listed", std::time::Duration::from_secs(10), || async {
        let page = o.my_orders(&o.user, "limit=50").await;
        (ids(&page.body).len() == 5).then_some(())
    })
    .await;
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = o.my_orders(&o.user, &query).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        assert!(ids(&page.body).len() <= 2);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, mine, "every order once, newest first, nobody else's");
    let other = o.my_orders(&o.other, "").await;
    assert_eq!(ids(&other.body), [theirs.body["order_id"].as_str().unwrap()]);
}

#[tokio::test]
async fn generated_orders_belong_to_nobody_and_cursors_are_each_callers_own() {
    let o = Orders::new(3).await;
    o.generate(chrono::Utc::now()).await.unwrap();
    o.post(json!({"quantity": 2})).await;
    o.post(json!({"quantity": 3})).await;
    let page = eventually("a first page with a cursor", std::time::Duration::from_secs(10), || async {
        let page = o.my_orders(&o.user, "limit=1").await;
        page.body["next_cursor"].as_str().map(str::to_owned)
    })
    .await;
    let all = o.my_orders(&o.user, "").await;
    assert_eq!(ids(&all.body).len(), 2, "the three generated orders are nobody's: {:?}", all.body);
    // Another user's cursor is not a cursor of this listing.
    let reply = o.my_orders(&o.other, &format!("cursor={page}")).await;
    assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{:?}", reply.body);
    assert!(reply.message().contains("cursor"), "{}", reply.message());
    for bad in ["limit=0", "limit=201", "limit=x", "cursor=forged"] {
        let reply = o.my_orders(&o.user, bad).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}: {:?}", reply.body);
    }
    // Staff see any single order, but their own listing holds only what they posted.
    assert_eq!(ids(&o.my_orders(&o.staff, "").await.body), Vec::<String>::new());
}
