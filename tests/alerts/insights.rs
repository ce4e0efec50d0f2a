//! Preferences and insight emails: one per user and period under doubled schedules and
//! redeliveries, parsed as MIME (HTML and text, inline PNG charts the HTML references), and the
//! link in it turning insight emails off.

use alerts::{
    App,
    ops::digest::{self, Digest},
    queue::DigestMessage,
};
use chrono::Duration;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use shared::time::Timestamp;
use system_tests::{Reply, User, as_user, call, request};

use crate::helpers::{Alerts, call_html};

async fn preferences(t: &Alerts, who: &User, body: Option<Value>) -> Reply {
    match body {
        None => {
            call(
                t.app,
                alerts::entrypoints::http::preferences,
                as_user(request("GET", "/alerts/v1/preferences", None), who),
            )
            .await
        }
        Some(body) => {
            let req = as_user(request("PATCH", "/alerts/v1/preferences", Some(body)), who);
            call(t.app, alerts::entrypoints::http::update_preferences, req).await
        }
    }
}

/// Five days of history for `phrase`, the last one today.
async fn history(t: &Alerts, phrase: &str, now: Timestamp) {
    for d in 0..5i64 {
        let at = now - Duration::days(4 - d);
        let products: Vec<Value> = (0..25)
            .map(|i| json!({"item_id": format!("i{i}"), "title": format!("Listing {i}"), "total_price": 40.0 + i as f64 + (d * 3 % 7) as f64,
                            "currency": "USD", "item_url": format!("https://example.com/{i}")}))
            .collect();
        let body = json!({"search_phrase": phrase, "currency": "USD", "observed_at": shared::time::format(at), "source": "test", "products": products});
        let observation =
            alerts::domain::history::Observation::from_json(&body, now, 90, &t.app.marketplace_hosts).unwrap();
        alerts::ops::history::record(&t.app.store, t.app.mail().unwrap(), &observation, now, 90).await.unwrap();
    }
}

/// The insight emails' fan-out of the app at `now`.
async fn dispatch(app: &App, now: Timestamp, on_demand: bool) -> Result<usize, digest::DigestError> {
    digest::dispatch(&app.store, app.insights_queue().unwrap(), app.insights_every, now, on_demand).await
}

/// One insight email, as the insights mailer sends it.
async fn send(app: &App, message: &DigestMessage) -> Result<Digest, digest::DigestError> {
    digest::send(&app.store, app.mail().unwrap(), app.insights_every, message).await
}

/// The insights queue's messages, taken off it.
async fn drain(t: &Alerts) -> Vec<DigestMessage> {
    let sqs = aws_sdk_sqs::Client::new(&t.sdk);
    let url = &t.stack.queue("AlertInsightsQueue").url;
    let mut messages = Vec::new();
    loop {
        let out = sqs.receive_message().queue_url(url).max_number_of_messages(10).send().await.unwrap();
        if out.messages().is_empty() {
            return messages;
        }
        for m in out.messages() {
            messages.push(serde_json::from_str(m.body().unwrap()).unwrap());
            sqs.delete_message().queue_url(url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
}

#[tokio::test]
async fn preferences_are_read_and_changed_by_their_owner() {
    let t = Alerts::new().await;
    let reply = preferences(&t, &t.alice, None).await;
    assert_eq!((reply.status, &reply.body), (200, &json!({"email": t.alice.email, "insights": true})), "on by default");
    let reply = preferences(&t, &t.alice, Some(json!({"insights": false}))).await;
    assert_eq!((reply.status, &reply.body["insights"]), (200, &json!(false)));
    assert_eq!(preferences(&t, &t.alice, None).await.body["insights"], false);
    assert_eq!(preferences(&t, &t.bob, None).await.body["insights"], true, "per user");
    for bad in [json!({"insights": "no"}), json!({}), json!([true])] {
        let reply = preferences(&t, &t.alice, Some(bad.clone())).await;
        assert_eq!(reply.status, 400, "{bad}: {:?}", reply.body);
    }
    let anonymous =
        call(t.app, alerts::entrypoints::http::preferences, request("GET", "/alerts/v1/preferences", None)).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn one_insight_email_per_user_and_period_with_its_charts_inline() {
    let t = Alerts::new().await;
    let now = shared::time::now();
    t.alert(&t.alice, "Road Bike", 30).await;
    t.alert(&t.alice, "Kayak", 30).await;
    t.alert(&t.alice, "nothing recorded", 30).await;
    t.alert(&t.bob, "Road Bike", 30).await;
    assert_eq!(preferences(&t, &t.bob, Some(json!({"insights": false}))).await.status, 200);
    history(&t, "road bike", now).await;
    history(&t, "kayak", now).await;

    // A doubled schedule: the second firing of the period queues nothing.
    assert_eq!(dispatch(t.app, now, false).await.unwrap(), 1, "Alice only: Bob turned them off");
    assert_eq!(dispatch(t.app, now + Duration::seconds(30), false).await.unwrap(), 0);
    let messages = drain(&t).await;
    assert_eq!(messages.len(), 1);
    // Redelivered: sent once.
    assert_eq!(send(t.app, &messages[0]).await.unwrap(), Digest::Sent { alerts: 2 });
    assert_eq!(send(t.app, &messages[0]).await.unwrap(), Digest::AlreadySent);
    let sent = crate::helpers::outbox(&t.alice.email).await;
    assert_eq!(sent.len(), 1);
    assert!(crate::helpers::outbox(&t.bob.email).await.is_empty());

    let raw = sent[0]["raw"].as_str().unwrap();
    let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert_eq!(message.subject(), Some("Your price insights: 2 alerts"));
    let html = message.body_html(0).unwrap();
    let text = message.body_text(0).unwrap();
    for words in ["Road Bike", "Kayak", "median of the 20 cheapest", "Lowest price seen"] {
        assert!(text.contains(words) && html.contains(words), "{words}");
    }
    assert!(!text.contains("nothing recorded"), "an alert without two days of history is left out");
    assert_eq!(message.header_raw("List-Unsubscribe-Post").map(str::trim), Some("List-Unsubscribe=One-Click"));
    let pngs: Vec<_> = message
        .attachments()
        .filter(|a| a.content_type().is_some_and(|c| c.c_subtype.as_deref() == Some("png")))
        .collect();
    assert_eq!(pngs.len(), 2, "one chart per alert");
    for png in pngs {
        let cid = png.content_id().expect("a Content-ID");
        assert!(html.contains(&format!("src=\"cid:{cid}\"")), "the HTML references {cid}");
        let decoded = png::Decoder::new(std::io::Cursor::new(png.contents())).read_info().expect("a PNG");
        assert!(decoded.info().width > 100 && decoded.info().height > 100);
    }

    // The next period: another email.
    let next = now + Duration::days(1);
    assert_eq!(dispatch(t.app, next, false).await.unwrap(), 1);
    for m in drain(&t).await {
        send(t.app, &m).await.unwrap();
    }
    assert_eq!(crate::helpers::outbox(&t.alice.email).await.len(), 2);

    // Its link turns insight emails off.
    let link = raw.lines().find_map(|l| l.strip_prefix("List-Unsubscribe: <")).unwrap().trim_end_matches('>');
    let token = link.split("token=").nth(1).unwrap();
    let page_request = |method: &str| {
        system_tests::with_query(request(method, "/alerts/v1/unsubscribe", None), &format!("token={token}"))
    };
    let (status, page) = call_html(t.app, alerts::entrypoints::http::unsubscribe_page, page_request("GET")).await;
    assert!(status == 200 && page.contains("Stop insight emails"), "{page}");
    let (status, _) = call_html(t.app, alerts::entrypoints::http::unsubscribe, page_request("POST")).await;
    assert_eq!(status, 200);
    assert_eq!(preferences(&t, &t.alice, None).await.body["insights"], false);
    assert_eq!(dispatch(t.app, next + Duration::days(1), false).await.unwrap(), 0);
    // Alerts themselves go on.
    assert_eq!(t.list(&t.alice, "").await.body["alerts"][0]["status"], "active");
}
