//! The web console in a real browser: the whole stack running as `make dev` runs it (the
//! console's built files served by the `site` function), users of each group in its pool, then
//! the Playwright tests of `web/tests/` in Debian's Chromium against it (`make test` installs
//! Chromium and builds the console first). Screenshots of each view at phone and desktop widths
//! land in `web/test-results/screenshots/`.
//!
//! The SQS triggers run (orders get processed, observations recorded) and the alerts dispatcher
//! fires every second (a new alert's first listings arrive). Before the browser starts, the test
//! publishes 10 days of price observations for one phrase to `PriceObservationsQueue` and ingests
//! a week of order events as an admin; the specs are told what through `CONSOLE_FIXTURES`.

use std::{process::Command, time::Duration};

use chrono::{Duration as Days, Utc};
use serde_json::{Value, json};
use system_tests::{running::Running, sdk, user, workspace};

/// The phrase whose price history the test publishes (an alert for it has insights at once).
const HISTORY_PHRASE: &str = "console desk lamp";

/// Ten days of observations, 6 listings a day, drifting down, as a backfill producer sends them.
async fn publish_price_history(running: &Running) -> usize {
    let sqs = aws_sdk_sqs::Client::new(&sdk().await);
    let url = &running.stack.queue("PriceObservationsQueue").url;
    let today = Utc::now().date_naive();
    for back in (0..10i64).rev() {
        let at = (today - Days::days(back)).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let at = if back == 0 { Utc::now() - Days::minutes(1) } else { at };
        let products: Vec<Value> = (0..6i64)
            .map(|n| {
                let cents = 3_000 + n * 450 + back * 120 - (n % 2) * back * 40;
                let price = cents as f64 / 100.0;
                json!({"item_id": format!("v1|lamp{n}|0"), "title": format!("Desk lamp model {}", n + 1),
                       "price": price, "total_price": price, "currency": "USD",
                       "item_url": format!("https://www.ebay.com/itm/lamp{n}")})
            })
            .collect();
        let body = json!({"search_phrase": HISTORY_PHRASE, "currency": "USD",
                          "observed_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                          "source": "console-test", "products": products});
        sqs.send_message().queue_url(url).message_body(body.to_string()).send().await.expect("published");
    }
    10
}

/// A week of order events in March 2024: the top customer (accepting marketing) and the total
/// are what the analyst must see.
async fn ingest_order_events(running: &Running, admin: &system_tests::User) -> Value {
    let api = running.api("/analytics/v1").as_user(admin);
    let people = [
        ("c-ada", "Ada", "Lovelace", "ada@example.com", true, "Idaho"),
        ("c-bob", "Bob", "Stone", "bob@example.com", false, "Ontario"),
        ("c-cy", "Cy", "Young", "cy@example.com", true, "New York"),
    ];
    let mut events = Vec::new();
    let mut total_cents = 0i64;
    for day in 1..=7u32 {
        for (i, (id, first, last, email, consent, province)) in people.iter().enumerate() {
            if (day + i as u32).is_multiple_of(3) {
                continue;
            }
            let cents = [4_250i64, 1_999, 1_010][i] * i64::from(day);
            total_cents += cents;
            events.push(json!({
                "event_type": "order.created", "event_id": format!("console-{day}-{id}"), "event_version": "1.0.0",
                "lovevery_user_id": id, "email": email, "first_name": first, "last_name": last,
                "shipping_address": {"first_name": first, "last_name": last, "city": "Town", "province": province,
                                     "country": "United States", "zip": "83702"},
                "currency": "USD", "financial_status": "paid", "order_value": format!("{}.{:02}", cents / 100, cents % 100),
                "buyer_accepts_marketing": consent,
                "line_items": [{"quantity": (day % 3 + 1).to_string(), "id": format!("item-{}", i + 1)}],
                "occurred_at": format!("2024-03-{day:02}T1{i}:30:00Z"),
            }));
        }
    }
    let count = events.len();
    let (status, answer) = api.send("POST", "/events", Some(json!({"events": events}))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["results"].as_array().unwrap().iter().all(|r| r["status"] == "created"), "{answer}");
    json!({"start": "2024-03-01", "end": "2024-03-07", "count": count,
           "total": format!("{}.{:02}", total_cents / 100, total_cents % 100), "top": "Ada Lovelace"})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_works_in_a_browser() {
    let web = workspace().join("web");
    assert!(
        web.join("dist/console/index.html").exists() && web.join("node_modules/.bin/playwright").exists(),
        "the console is not built: run `make web` (make test does)"
    );
    let running = Running::start(&[]).await;
    let people = [
        ("staff", "console-staff@example.com", vec!["staff"]),
        ("provider", "console-provider@example.com", vec!["provider"]),
        ("client", "console-client@example.com", vec![]),
        ("analyst", "console-analyst@example.com", vec!["analyst"]),
        ("admin", "console-admin@example.com", vec!["admin"]),
        ("mfa", "console-mfa@example.com", vec![]),
        ("buyer", "console-buyer@example.com", vec![]),
        ("subscriber", "console-subscriber@example.com", vec![]),
    ];
    let mut users = serde_json::Map::new();
    let mut admin = None;
    for (role, email, groups) in &people {
        let made = user(&running.stack, email, groups).await;
        if *role == "admin" {
            admin = Some(made);
        }
        users.insert((*role).to_owned(), json!(email));
    }
    let triggers = running.triggers(&["alerts-dispatcher"]).await;
    let days = publish_price_history(&running).await;
    let analytics = ingest_order_events(&running, admin.as_ref().unwrap()).await;
    let fixtures = json!({"history_phrase": HISTORY_PHRASE, "history_days": days, "analytics": analytics});
    let base = format!("http://127.0.0.1:{}", running.port);
    // CONSOLE_SPECS="alerts orders" runs only the spec files whose names hold one of the words.
    let only: Vec<String> = std::env::var("CONSOLE_SPECS")
        .unwrap_or_default()
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(web.join("node_modules/.bin/playwright"))
            .args(["test", "--config", "playwright.config.ts"])
            .args(&only)
            .current_dir(&web)
            .env("CONSOLE_BASE_URL", &base)
            .env("CONSOLE_USERS", serde_json::Value::Object(users).to_string())
            .env("CONSOLE_PASSWORD", local_stack::cognito::DEFAULT_DEMO_PASSWORD)
            .env("CONSOLE_SCREENSHOTS", "test-results/screenshots")
            .env("CONSOLE_FIXTURES", fixtures.to_string())
            .status()
    });
    let status = tokio::time::timeout(Duration::from_secs(900), run)
        .await
        .expect("the browser tests finish within 15 minutes")
        .unwrap()
        .expect("running playwright");
    triggers.stop().await;
    running.stop().await;
    assert!(status.success(), "browser tests failed (their output above)");
}
