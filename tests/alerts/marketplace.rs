//! The email as a mailbox sees it, parsed as MIME: both parts, the headers, the 20 cheapest
//! listings by price plus shipping within `max_price`, and links that work; and what
//! `GET /alerts/{id}/products` shows of it.

use alerts::ops::runs;
use mail_parser::MessageParser;
use serde_json::json;

use crate::helpers::{Alerts, FROM, PUBLIC_URL, call_html, minutes, outbox, worker};

#[tokio::test]
async fn the_email_carries_the_twenty_cheapest_listings_within_the_limit_as_html_and_text() {
    let t = Alerts::new().await;
    let created = t
        .create(&t.alice, json!({"search_phrase": "bluetooth speaker", "frequency_minutes": 30, "max_price": 100000}))
        .await;
    let id = created.body["alert_id"].as_str().unwrap().to_owned();
    let reports = t.minute(shared::time::now() + minutes(1)).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].as_ref().unwrap().sent, 1, "{reports:?}");

    // What the last email carried: sorted by total, within the limit, 20 of them.
    let products = t.products(&t.alice, &id).await;
    assert_eq!(products.status, 200);
    let listed = products.body["products"].as_array().unwrap();
    assert_eq!(listed.len(), 20, "{}", products.body);
    let totals: Vec<f64> = listed.iter().map(|p| p["total_price"].as_f64().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    assert!(totals.iter().all(|total| *total <= 100000.0), "{totals:?}");
    for p in listed {
        let (price, shipping) = (p["price"].as_f64().unwrap(), p["shipping_cost"].as_f64().unwrap_or(0.0));
        assert!((price + shipping - p["total_price"].as_f64().unwrap()).abs() < 1e-9, "{p}");
        assert!(p["item_url"].as_str().unwrap().starts_with("https://"), "{p}");
    }
    let alert = t.get(&t.alice, &id).await.body;
    assert_eq!(alert["last_sent_at"], products.body["fetched_at"]);

    let sent = outbox(&t.alice.email).await;
    assert_eq!(sent.len(), 1);
    let raw = sent[0]["raw"].as_str().unwrap();
    let message = MessageParser::default().parse(raw.as_bytes()).expect("MIME");
    assert_eq!(message.subject(), Some("20 listings for \u{201c}bluetooth speaker\u{201d}"));
    assert_eq!(message.from().and_then(|f| f.first()).and_then(|a| a.address()), Some(FROM));
    assert_eq!(message.to().and_then(|f| f.first()).and_then(|a| a.address()), Some(t.alice.email.as_str()));
    let header = |name: &str| -> String { message.header_raw(name).unwrap_or_default().trim().to_owned() };
    assert_eq!(header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    assert!(header("List-Id").contains(&format!("<{id}.alerts.example.com>")), "{}", header("List-Id"));
    let unsubscribe = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("a List-Unsubscribe header with one URI");
    assert!(unsubscribe.starts_with(&format!("{PUBLIC_URL}/alerts/v1/unsubscribe?token=")), "{unsubscribe}");

    let html = message.body_html(0).expect("an HTML part");
    let text = message.body_text(0).expect("a text part");
    for p in listed {
        let url = p["item_url"].as_str().unwrap();
        assert!(html.contains(&format!("href=\"{url}\"")), "{url} in the HTML");
        assert!(text.contains(url), "{url} in the text");
        if let Some(image) = p["image_url"].as_str() {
            assert!(html.contains(&format!("src=\"{image}\"")), "{image}");
        }
    }
    assert!(html.contains(unsubscribe.split("token=").nth(1).unwrap()), "the unsubscribe link in the HTML");
    // The order of the text part is the order by total.
    let positions: Vec<usize> = listed.iter().map(|p| text.find(p["item_url"].as_str().unwrap()).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));

    // The link works: the page names the alert.
    let token = unsubscribe.split("token=").nth(1).unwrap();
    let req = system_tests::with_query(
        system_tests::request("GET", "/alerts/v1/unsubscribe", None),
        &format!("token={token}"),
    );
    let (status, page) = call_html(t.app, alerts::entrypoints::http::unsubscribe_page, req).await;
    assert_eq!(status, 200);
    assert!(page.contains("bluetooth speaker") && page.contains("<form method=\"post\""), "{page}");
}

#[tokio::test]
async fn max_price_bounds_what_the_buyer_pays() {
    let t = Alerts::new().await;
    // Half the listings of the phrase, by total, are within the limit (prices drift a little
    // between this probe and the run: only what holds whatever the drift is asserted).
    let search = alerts::marketplace::Search {
        phrase: "desk lamp".into(),
        currency: alerts::domain::Currency::usd(),
        max_price: None,
    };
    let probe = t.app.marketplace.as_ref().unwrap().search(&search, &mut Default::default()).await.unwrap();
    let mut totals: Vec<i64> = probe.iter().map(|p| p.total_price.0).collect();
    totals.sort();
    let limit = alerts::domain::Cents(totals[totals.len() / 2]);
    let id = t
        .create(&t.alice, json!({"search_phrase": "desk lamp", "frequency_minutes": 10, "max_price": limit.decimal()}))
        .await
        .body["alert_id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.minute(shared::time::now() + minutes(1)).await;
    let products = t.products(&t.alice, &id).await.body;
    let totals: Vec<f64> =
        products["products"].as_array().unwrap().iter().map(|p| p["total_price"].as_f64().unwrap()).collect();
    assert!(!totals.is_empty() && totals.len() <= 20, "{totals:?}");
    assert!(totals.iter().all(|t| *t <= limit.0 as f64 / 100.0), "{totals:?} within {limit}");
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
}

#[tokio::test]
async fn a_search_that_finds_nothing_sends_nothing_but_spends_the_period() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, "anything at all", 2).await;
    assert_eq!(t.patch(&t.alice, &id, json!({"max_price": 0.01})).await.status, 200);
    let messages = t.dispatch(shared::time::now() + minutes(1)).await;
    let report = runs::run(&worker(t.app), &messages[0]).await.unwrap();
    assert_eq!((report.sent, report.empty), (0, 1), "{report:?}");
    assert!(outbox(&t.alice.email).await.is_empty());
    let stats = t.stats().await;
    let query = stats["queries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(query["filter"], "price:[..0.01],priceCurrency:USD", "max_price is eBay's price filter");
    assert_eq!((query["sort"].as_str(), query["q"].as_str()), (Some("price"), Some("anything at all")));
}
