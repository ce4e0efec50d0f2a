//! Unsubscribing from an email: the GET page (changes nothing), the one-click POST (RFC 8058),
//! forged, truncated and other alerts' tokens, and silence afterwards.

use alerts::{
    domain::token::{Subject, Tokens},
    entrypoints::http,
};
use shared::cursor::Cursors;
use system_tests::{request, with_query};

use crate::helpers::{Alerts, UNSUBSCRIBE_KEY, call_html, minutes, outbox};

fn link(method: &str, token: &str) -> lambda_http::Request {
    let mut req = with_query(request(method, "/alerts/v1/unsubscribe", None), &format!("token={token}"));
    if method == "POST" {
        *req.body_mut() = lambda_http::Body::Text("List-Unsubscribe=One-Click".into());
    }
    req
}

#[tokio::test]
async fn one_click_unsubscribes_and_the_alert_falls_silent() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, "vinyl records", 2).await;
    t.minute(shared::time::now() + minutes(1)).await;
    let sent = outbox(&t.alice.email).await;
    assert_eq!(sent.len(), 1);
    let raw = sent[0]["raw"].as_str().unwrap();
    let url = raw.lines().find_map(|l| l.strip_prefix("List-Unsubscribe: <")).unwrap().trim_end_matches('>');
    let token = url.split("token=").nth(1).unwrap();

    // A mail scanner following the link changes nothing.
    let (status, page) = call_html(t.app, http::unsubscribe_page, link("GET", token)).await;
    assert_eq!(status, 200);
    assert!(page.contains("vinyl records"), "{page}");
    assert_eq!(t.get(&t.alice, &id).await.body["status"], "active");

    let (status, page) = call_html(t.app, http::unsubscribe, link("POST", token)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("sends no more emails"), "{page}");
    let alert = t.get(&t.alice, &id).await.body;
    assert_eq!(alert["status"], "unsubscribed");
    // Again: harmless; the page says so.
    assert_eq!(call_html(t.app, http::unsubscribe, link("POST", token)).await.0, 200);
    let (_, page) = call_html(t.app, http::unsubscribe_page, link("GET", token)).await;
    assert!(page.contains("already unsubscribed"), "{page}");

    for k in 2..8 {
        t.minute(shared::time::now() + minutes(k)).await;
    }
    assert_eq!(outbox(&t.alice.email).await.len(), 1, "nothing after unsubscribing");
}

#[tokio::test]
async fn forged_truncated_and_other_alerts_tokens_are_refused_with_a_page() {
    let t = Alerts::new().await;
    let mine = t.alert(&t.alice, "camera lens", 30).await;
    let theirs = t.alert(&t.bob, "camera bag", 30).await;
    let tokens = Tokens::new(Cursors::new(UNSUBSCRIBE_KEY));
    let good = tokens.issue(&Subject::Alert { owner: t.alice.sub.clone(), alert_id: mine.clone() });
    let other_key = Tokens::new(Cursors::new("another-key-another-key-another-key"))
        .issue(&Subject::Alert { owner: t.bob.sub.clone(), alert_id: theirs.clone() });
    // Bob's alert id under Alice's signature.
    let (_, tag) = good.split_once('.').unwrap();
    let bob_payload = tokens.issue(&Subject::Alert { owner: t.bob.sub.clone(), alert_id: theirs.clone() });
    let (payload, _) = bob_payload.split_once('.').unwrap();
    let spliced = format!("{payload}.{tag}");
    for bad in [&good[..good.len() - 4], &other_key, &spliced, "nonsense", ""] {
        for method in ["GET", "POST"] {
            let (status, page) = if method == "GET" {
                call_html(t.app, http::unsubscribe_page, link(method, bad)).await
            } else {
                call_html(t.app, http::unsubscribe, link(method, bad)).await
            };
            assert_eq!(status, 403, "{method} {bad:?}: {page}");
            assert!(page.contains("This link is not valid"), "{page}");
        }
    }
    assert_eq!(t.get(&t.alice, &mine).await.body["status"], "active");
    assert_eq!(t.get(&t.bob, &theirs).await.body["status"], "active");
    // The genuine token unsubscribes exactly its alert.
    assert_eq!(call_html(t.app, http::unsubscribe, link("POST", &good)).await.0, 200);
    assert_eq!(t.get(&t.alice, &mine).await.body["status"], "unsubscribed");
    assert_eq!(t.get(&t.bob, &theirs).await.body["status"], "active");
    // A deleted alert's link: 404, a page.
    assert_eq!(t.delete(&t.alice, &mine).await.status, 200);
    let (status, page) = call_html(t.app, http::unsubscribe_page, link("GET", &good)).await;
    assert_eq!(status, 404);
    assert!(page.contains("deleted"), "{page}");
}
