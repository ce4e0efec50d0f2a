//! Price history and insights: observations recorded per phrase and day (only ever lowering,
//! so duplicates and disorder are harmless), insights recomputed here from the observations and
//! compared exactly, price drop emails once per listing per 24 hours, bad observations to the DLQ,
//! history expiring by TTL, and every search of a run published to the channel.

use std::collections::BTreeMap;

use alerts::{
    domain::{NewAlert, history::Observation},
    ops::{history, manage, runs},
};
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};
use shared::time::Timestamp;

use crate::helpers::{Alerts, minutes, outbox, unique_email, worker};

const PHRASE: &str = "Road Bike";

fn observation(at: Timestamp, listings: &[(&str, i64)]) -> Value {
    let products: Vec<Value> = listings
        .iter()
        .map(|(id, cents)| {
            json!({"item_id": id, "title": format!("Listing {id}"), "price": *cents as f64 / 100.0, "shipping_cost": 0,
                   "total_price": *cents as f64 / 100.0, "currency": "USD", "item_url": format!("https://example.com/{id}")})
        })
        .collect();
    json!({"search_phrase": PHRASE, "currency": "USD", "observed_at": shared::time::format(at), "source": "test", "products": products})
}

/// Records an observation of our own (signed) as the recorder does, at `now`.
async fn record(t: &Alerts, body: &Value, now: Timestamp) -> history::Recorded {
    let mut observation = Observation::from_json(body, now, 90, &t.app.marketplace_hosts).expect("a valid observation");
    observation.signed = true;
    history::record(&t.app.store, t.app.mail().unwrap(), &observation, now, 90).await.expect("recorded")
}

/// The listings of day `d` (0 = the oldest of 20) in observation `k` of that day: 30 listings,
/// some absent some days, prices moving; `dip` drops, rises and drops again.
fn generated(d: i64, k: i64) -> Vec<(String, i64)> {
    let mut listings = Vec::new();
    for i in 0..30i64 {
        if (i * 7 + d * 3 + k) % 5 == 0 {
            continue; // not listed in this observation
        }
        let price = 5_000 + i * 137 + ((d * 31 + i * 17 + k * 11) % 400) - 200;
        listings.push((format!("item-{i:02}"), price));
    }
    let dip = match d {
        0..=5 => 9_000,
        6..=9 => 7_000,
        10..=14 => 9_500,
        _ => 6_500 + k * 10,
    };
    listings.push(("dip".to_owned(), dip));
    listings
}

/// Money as the API shows it: cents as a number of currency units.
fn money(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The contract's insights, computed here from the observations themselves.
fn expected(days: &BTreeMap<NaiveDate, BTreeMap<String, i64>>) -> Value {
    let median = |prices: &BTreeMap<String, i64>| -> i64 {
        let mut p: Vec<i64> = prices.values().copied().collect();
        p.sort();
        p.truncate(20);
        let n = p.len();
        if n % 2 == 1 { 2 * p[n / 2] } else { p[n / 2 - 1] + p[n / 2] }
    };
    let day_list: Vec<Value> = days
        .iter()
        .map(|(date, prices)| {
            json!({"date": date.to_string(), "listings": prices.len(), "min_price": money(*prices.values().min().unwrap()),
                   "median_price": median(prices) as f64 / 200.0})
        })
        .collect();
    let medians: Vec<i64> = days.values().map(median).collect();
    let change = (medians.len() >= 2)
        .then(|| round2(100.0 * (medians[medians.len() - 1] - medians[0]) as f64 / medians[0] as f64));
    let mut lowest: Option<(i64, NaiveDate, String)> = None;
    let mut by_item: BTreeMap<String, Vec<(NaiveDate, i64)>> = BTreeMap::new();
    for (date, prices) in days {
        for (id, price) in prices {
            if lowest.as_ref().is_none_or(|(p, _, _)| price < p) {
                lowest = Some((*price, *date, id.clone()));
            }
            by_item.entry(id.clone()).or_default().push((*date, *price));
        }
    }
    let last_date = *days.keys().last().unwrap();
    let mut drops = Vec::new();
    let mut at_lowest = Vec::new();
    for (id, seen) in &by_item {
        let (latest_date, latest) = *seen.last().unwrap();
        let earlier: Vec<i64> = seen[..seen.len() - 1].iter().map(|(_, p)| *p).collect();
        if earlier.is_empty() {
            continue;
        }
        let highest = *earlier.iter().max().unwrap();
        if latest < highest {
            let pct = round2(100.0 * (latest - highest) as f64 / highest as f64);
            drops.push((pct, id.clone(), highest, latest));
        }
        if latest_date == last_date && earlier.iter().all(|p| latest <= *p) {
            at_lowest.push((latest, id.clone()));
        }
    }
    drops.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    at_lowest.sort();
    let (low_price, low_date, low_id) = lowest.unwrap();
    json!({
        "search_phrase": "road   BIKE",
        "currency": "USD",
        "days": day_list,
        "median_change_pct": change,
        "lowest": {"item_id": low_id, "title": format!("Listing {low_id}"), "price": money(low_price), "date": low_date.to_string(),
                   "item_url": format!("https://example.com/{low_id}")},
        "price_drops": drops.iter().map(|(pct, id, from, to)| json!({"item_id": id, "title": format!("Listing {id}"),
            "from_price": money(*from), "to_price": money(*to), "change_pct": pct, "item_url": format!("https://example.com/{id}")})).collect::<Vec<_>>(),
        "at_lowest": at_lowest.iter().map(|(price, id)| json!({"item_id": id, "title": format!("Listing {id}"), "price": money(*price),
            "item_url": format!("https://example.com/{id}")})).collect::<Vec<_>>(),
    })
}

/// JSON equality with numbers compared as numbers (`80` and `80.0` are the same price).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

async fn insights(t: &Alerts, id: &str, query: &str) -> system_tests::Reply {
    let path = format!("/alerts/v1/alerts/{id}/insights");
    let req = system_tests::with_query(system_tests::request("GET", &path, None), query);
    system_tests::call(t.app, alerts::entrypoints::http::insights, system_tests::as_user(req, &t.alice)).await
}

#[tokio::test]
async fn insights_over_twenty_days_equal_a_recomputation_from_the_observations() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, "  road   BIKE ", 30).await;
    let now = shared::time::now();
    let today = now.date_naive();
    // Three observations a day for 20 days, sent in a scrambled order, some twice.
    let mut sends = Vec::new();
    let mut truth: BTreeMap<NaiveDate, BTreeMap<String, i64>> = BTreeMap::new();
    for d in 0..20i64 {
        let date = today - Duration::days(19 - d);
        for k in 0..3i64 {
            let at = date.and_hms_opt(3 + 7 * k as u32, 0, 0).unwrap().and_utc().min(now);
            let listings = generated(d, k);
            for (id, price) in &listings {
                let day = truth.entry(date).or_default();
                let low = day.entry(id.clone()).or_insert(*price);
                *low = (*low).min(*price);
            }
            let refs: Vec<(&str, i64)> = listings.iter().map(|(i, p)| (i.as_str(), *p)).collect();
            sends.push(observation(at, &refs));
        }
    }
    let mut order: Vec<usize> = (0..sends.len()).collect();
    order.sort_by_key(|i| (i * 37) % sends.len());
    order.extend([5, 17, 42, 59]);
    for i in order {
        record(&t, &sends[i], now).await;
    }
    for days in [20u32, 14, 7, 1] {
        let window: BTreeMap<NaiveDate, BTreeMap<String, i64>> = truth
            .iter()
            .filter(|(date, _)| **date > today - Duration::days(days.into()))
            .map(|(d, p)| (*d, p.clone()))
            .collect();
        let reply = insights(&t, &id, &format!("days={days}")).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let want = expected(&window);
        assert!(same(&reply.body, &want), "days={days}\n got {}\nwant {}", reply.body, want);
    }
    let reply = insights(&t, &id, "").await;
    assert_eq!(reply.body["days"].as_array().unwrap().len(), 14, "14 days by default");
    let drops = reply.body["price_drops"].as_array().unwrap();
    assert!(drops.iter().any(|d| d["item_id"] == "dip"), "the dip dropped again: {drops:?}");
}

#[tokio::test]
async fn insights_refuse_bad_days_and_answer_empty_without_history() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, "no history yet", 30).await;
    let reply = insights(&t, &id, "").await;
    assert_eq!(reply.status, 200);
    assert!(
        same(
            &reply.body,
            &json!({"search_phrase": "no history yet", "currency": "USD", "days": [], "median_change_pct": null,
                "lowest": null, "price_drops": [], "at_lowest": []})
        ),
        "{}",
        reply.body
    );
    for bad in ["days=0", "days=91", "days=ten", "days=-1"] {
        let reply = insights(&t, &id, bad).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}");
        assert!(reply.message().contains("`days`"), "{bad}: {}", reply.message());
    }
    let theirs = t.alert(&t.bob, "no history yet", 30).await;
    assert_eq!(insights(&t, &theirs, "").await.status, 404, "someone else's alert");
}

#[tokio::test]
async fn a_listing_at_or_below_the_target_is_named_once_a_day() {
    let t = Alerts::new().await;
    let email = unique_email("target");
    let new =
        NewAlert::from_json(&json!({"search_phrase": PHRASE, "frequency_minutes": 30, "target_price": 50})).unwrap();
    let now = shared::time::now();
    manage::create(&t.app.store, "target-owner", &email, new, now).await.unwrap();
    // Another user's alert of the phrase without a target gets nothing.
    let other = unique_email("no-target");
    let plain = NewAlert::from_json(&json!({"search_phrase": PHRASE, "frequency_minutes": 30})).unwrap();
    manage::create(&t.app.store, "plain-owner", &other, plain, now).await.unwrap();

    let at = |m: i64| now + minutes(m);
    assert_eq!(record(&t, &observation(at(0), &[("a", 4_500), ("b", 5_000), ("c", 5_001)]), at(0)).await.notices, 1);
    let sent = outbox(&email).await;
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]["subject"].as_str().unwrap().starts_with("Price drop: 2 listings at or below $50.00"),
        "{}",
        sent[0]["subject"]
    );
    let raw = sent[0]["raw"].as_str().unwrap();
    assert!(
        raw.contains("https://example.com/a")
            && raw.contains("https://example.com/b")
            && !raw.contains("https://example.com/c")
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // Seen again and again: nothing new to say, nothing sent; a new one is named alone.
    for m in 1..30 {
        record(&t, &observation(at(m), &[("a", 4_400), ("b", 5_000)]), at(m)).await;
    }
    assert_eq!(outbox(&email).await.len(), 1);
    record(&t, &observation(at(31), &[("a", 4_400), ("d", 3_000)]), at(31)).await;
    let sent = outbox(&email).await;
    assert_eq!(sent.len(), 2);
    assert!(sent[0]["subject"].as_str().unwrap().starts_with("Price drop: 1 listing at or below"));
    // An old observation (a backfill) is history, not news.
    record(&t, &observation(at(32) - Duration::hours(2), &[("e", 1_000)]), at(32)).await;
    assert_eq!(outbox(&email).await.len(), 2);
    // A day later the same listings may be named again.
    record(&t, &observation(at(24 * 60 + 1), &[("a", 4_400), ("b", 5_000)]), at(24 * 60 + 1)).await;
    assert_eq!(outbox(&email).await.len(), 3);
    assert!(outbox(&other).await.is_empty());
}

fn message(id: &str, body: &str) -> SqsMessage {
    let mut message = SqsMessage::default();
    message.message_id = Some(id.to_owned());
    message.body = Some(body.to_owned());
    message
}

#[tokio::test]
async fn observations_that_cannot_be_recorded_go_to_the_dlq_and_days_expire_by_ttl() {
    let t = Alerts::new().await;
    let now = shared::time::now();
    let good = observation(now - minutes(30), &[("a", 1_000)]);
    let future = observation(now + minutes(30), &[("a", 1_000)]);
    let old = observation(now - Duration::days(91), &[("a", 1_000)]);
    let mut event = SqsEvent::default();
    event.records = vec![
        message("good", &good.to_string()),
        message("garbage", "not an observation"),
        message("future", &future.to_string()),
        message("old", &old.to_string()),
        message("shape", &json!({"search_phrase": PHRASE}).to_string()),
    ];
    let response = alerts::entrypoints::sqs::recorder(t.app, event).await.unwrap();
    assert!(response.batch_item_failures.is_empty(), "only failures that may pass come back");

    let sqs = aws_sdk_sqs::Client::new(&t.sdk);
    let dlq = &t.stack.queue("PriceObservationsDeadLetterQueue").url;
    let mut dead = 0;
    loop {
        let out = sqs.receive_message().queue_url(dlq).max_number_of_messages(10).send().await.unwrap();
        if out.messages().is_empty() {
            break;
        }
        dead += out.messages().len();
        for m in out.messages() {
            sqs.delete_message().queue_url(dlq).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
    assert_eq!(dead, 4);

    // The good one is recorded, with a TTL at the end of its day plus the history kept.
    let date = (now - minutes(30)).date_naive();
    let item = t
        .app
        .store
        .table
        .client
        .get_item()
        .table_name(t.stack.table("AlertsTable"))
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("HIST#USD#road bike".into()))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S(date.to_string()))
        .send()
        .await
        .unwrap()
        .item
        .expect("the day is recorded");
    let ttl: i64 = item["ttl"].as_n().unwrap().parse().unwrap();
    let expires = (date + Duration::days(91)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    assert_eq!(ttl, expires, "the day expires 90 days after it ended");
}

#[tokio::test]
async fn every_search_of_a_run_is_published_as_an_observation() {
    let t = Alerts::new().await;
    let mut config = crate::helpers::config(&t.stack);
    config.observations_queue_url = Some(t.stack.queue("PriceObservationsQueue").url.clone());
    let app = crate::helpers::app_of(&t.sdk, &t.stack, &config);
    t.alert(&t.alice, "camping chair", 10).await;
    let messages = runs::dispatch(&app.store, app.runs_queue().unwrap(), shared::time::now() + minutes(1))
        .await
        .map(|_| ())
        .map(|_| t.drain());
    let messages = messages.unwrap().await;
    let report = runs::run(&worker(app), &messages[0]).await.unwrap();
    assert_eq!(report.sent, 1);
    let sqs = aws_sdk_sqs::Client::new(&t.sdk);
    let out = sqs
        .receive_message()
        .queue_url(&t.stack.queue("PriceObservationsQueue").url)
        .message_attribute_names("All")
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    let text = out.messages()[0].body().unwrap();
    let signature =
        out.messages()[0].message_attributes().and_then(|a| a.get("signature")).and_then(|a| a.string_value());
    let signer =
        alerts::domain::token::ObservationSigner::new(shared::cursor::Cursors::new(crate::helpers::OBSERVATIONS_KEY));
    assert!(signature.is_some_and(|s| signer.verify(text, s)), "signed as our own: {signature:?}");
    let body: Value = serde_json::from_str(text).unwrap();
    assert_eq!((body["search_phrase"].as_str(), body["source"].as_str()), (Some("camping chair"), Some("alerts")));
    assert!(body["products"].as_array().unwrap().len() >= 20, "every listing of the search, not only the 20 mailed");
    // What was published records as any other producer's observation.
    let observation = Observation::from_json(&body, shared::time::now(), 90, &app.marketplace_hosts).unwrap();
    assert!(
        history::record(&app.store, app.mail().unwrap(), &observation, shared::time::now(), 90).await.unwrap().changed
    );
}

fn signed(id: &str, body: &str, signature: Option<&str>) -> SqsMessage {
    let mut m = message(id, body);
    if let Some(signature) = signature {
        let mut attribute = aws_lambda_events::sqs::SqsMessageAttribute::default();
        attribute.string_value = Some(signature.to_owned());
        attribute.data_type = Some("String".into());
        m.message_attributes.insert("signature".into(), attribute);
    }
    m
}

#[tokio::test]
async fn observations_of_other_producers_are_history_and_never_a_price_drop_email() {
    let t = Alerts::new().await;
    let email = unique_email("forged");
    let new =
        NewAlert::from_json(&json!({"search_phrase": PHRASE, "frequency_minutes": 30, "target_price": 50})).unwrap();
    manage::create(&t.app.store, "forged-owner", &email, new, shared::time::now()).await.unwrap();
    let now = shared::time::now();
    let mut forged = observation(now, &[("cheap", 1_000)]);
    forged["products"][0]["item_url"] = json!("https://evil.example/phish");
    forged["products"][0]["image_url"] = json!("http://www.ebay.com/tracker.gif");
    let body = forged.to_string();
    let signer =
        alerts::domain::token::ObservationSigner::new(shared::cursor::Cursors::new(crate::helpers::OBSERVATIONS_KEY));
    let wrong = alerts::domain::token::ObservationSigner::new(shared::cursor::Cursors::new("x".repeat(40)));
    let mut event = SqsEvent::default();
    event.records = vec![
        signed("unsigned", &body, None),
        signed("wrong-key", &body, Some(&wrong.sign(&body))),
        signed("other-body", &body, Some(&signer.sign(&observation(now, &[("x", 1)]).to_string()))),
    ];
    let response = alerts::entrypoints::sqs::recorder(t.app, event).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
    assert!(outbox(&email).await.is_empty(), "no price drop email from an observation we did not sign");
    // Kept in the history, without its foreign link.
    let (day, _) = t
        .app
        .store
        .history_day(&alerts::domain::Currency::usd(), "road bike", now.date_naive())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((day.kept["cheap"].price.0, day.kept["cheap"].item_url.as_str()), (1_000, ""));
    // Our own (signed) observation of a new listing names it.
    let ours = observation(now, &[("ours", 2_000)]).to_string();
    let mut event = SqsEvent::default();
    event.records = vec![signed("ours", &ours, Some(&signer.sign(&ours)))];
    alerts::entrypoints::sqs::recorder(t.app, event).await.unwrap();
    let sent = outbox(&email).await;
    assert_eq!(sent.len(), 1);
    let raw = sent[0]["raw"].as_str().unwrap();
    assert!(raw.contains("https://example.com/ours") && !raw.contains("evil.example") && !raw.contains("tracker.gif"));
}

#[tokio::test]
async fn a_day_of_three_thousand_listings_keeps_its_history_and_insights() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, PHRASE, 30).await;
    let now = shared::time::now();
    // 3,000 listings with titles and links as long as real ones (about 500 KB as one map),
    // in 15 observations of 200, the dearest first.
    let listing = |i: i64| {
        json!({"item_id": format!("v1|{:012}|0", 110_000_000_000i64 + i),
               "title": format!("Road bike number {i}, carbon frame, 22 speed groupset, size 56, barely ridden, local pick-up"),
               "total_price": (20_000 + i * 13) as f64 / 100.0, "currency": "USD",
               "item_url": format!("https://example.com/itm/{:012}?hash=item{:x}", 110_000_000_000i64 + i, i * 7919)})
    };
    for k in (0..15i64).rev() {
        let products: Vec<Value> = (k * 200..(k + 1) * 200).map(listing).collect();
        let body = json!({"search_phrase": PHRASE, "currency": "USD", "observed_at": shared::time::format(now),
                          "source": "backfill", "products": products});
        record(&t, &body, now).await;
    }
    let reply = insights(&t, &id, "days=1").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let day = &reply.body["days"][0];
    assert_eq!(day["listings"], 3_000, "{day}");
    assert_eq!(day["min_price"].as_f64(), Some(200.0));
    // The 20 cheapest: 200.00 + 0.13 k, k = 0..19; the median is the mean of k = 9 and 10.
    assert_eq!(day["median_price"].as_f64(), Some((20_000.0 + 13.0 * 9.5) / 100.0));
    // A later, cheaper price of a listing trimmed out of the day counts.
    record(
        &t,
        &json!({"search_phrase": PHRASE, "currency": "USD", "observed_at": shared::time::format(now),
                       "source": "alerts", "products": [{"item_id": format!("v1|{:012}|0", 110_000_002_999i64),
                       "title": "Road bike", "total_price": 1.0, "currency": "USD"}]}),
        now,
    )
    .await;
    let day = insights(&t, &id, "days=1").await.body["days"][0].clone();
    assert_eq!((day["listings"].as_u64(), day["min_price"].as_f64()), (Some(3_000), Some(1.0)));
}
