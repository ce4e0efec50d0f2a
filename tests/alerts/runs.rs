//! Runs over a simulated clock: the dispatcher at any minute, the worker on what it queued.
//! Emails exactly when due and never twice (doubled schedules, redelivered messages, concurrent
//! workers), searches shared, an outage followed by recovery without a burst, and failures of
//! the marketplace and the mail service retried without duplicates.

use std::collections::BTreeMap;

use alerts::{
    domain::{Alert, NewAlert},
    ops::{manage, runs},
};
use serde_json::json;
use shared::{mail::Mailer, time::Timestamp};

use crate::helpers::{Alerts, app_of, config, minutes, outbox, searches, unique_email, worker};

/// The start of the current minute: the stand-in marketplace drifts with the wall clock, the
/// runs with the clock the test gives.
fn start() -> Timestamp {
    let now = shared::time::now();
    now - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&now)))
        - chrono::Duration::milliseconds(now.timestamp_subsec_millis().into())
}

async fn alert(t: &Alerts, owner: &str, email: &str, phrase: &str, frequency: u32, at: Timestamp) -> Alert {
    let new = NewAlert::from_json(&json!({"search_phrase": phrase, "frequency_minutes": frequency})).unwrap();
    manage::create(&t.app.store, owner, email, new, at).await.unwrap()
}

/// Emails to `email` by subject phrase.
async fn emails_by_phrase(email: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for message in outbox(email).await {
        let subject = message["subject"].as_str().unwrap().to_owned();
        let phrase = subject.split('\u{201c}').nth(1).and_then(|s| s.split('\u{201d}').next()).unwrap().to_owned();
        *counts.entry(phrase).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn each_frequency_mails_exactly_when_due_and_never_twice() {
    let t = Alerts::new().await;
    let email = unique_email("cadence");
    let t0 = start();
    for (phrase, every) in [("every two", 2), ("every ten", 10), ("every thirty", 30)] {
        alert(&t, "cadence-owner", &email, phrase, every, t0).await;
    }
    // An hour of minutes; every schedule fires twice and every message is delivered twice.
    for k in 1..=60 {
        let now = t0 + minutes(k) + chrono::Duration::seconds(3);
        let mut messages = t.dispatch(now).await;
        messages.extend(t.dispatch(now).await);
        for message in &messages {
            let worker = worker(t.app);
            let (a, b) = tokio::join!(runs::run(&worker, message), runs::run(&worker, message));
            a.unwrap();
            b.unwrap();
        }
        if k == 1 {
            let sent = emails_by_phrase(&email).await;
            assert_eq!(sent.values().sum::<usize>(), 3, "each alert's first email within its first minute: {sent:?}");
        }
    }
    let sent = emails_by_phrase(&email).await;
    // Minute 1 (due at creation), then every period: 2 min: 1 + 30; 10 min: 1 + 6; 30 min: 1 + 2.
    assert_eq!(sent, BTreeMap::from([("every ten".into(), 7), ("every thirty".into(), 3), ("every two".into(), 31)]));
}

#[tokio::test]
async fn fifty_alerts_over_three_phrases_cost_three_searches() {
    let t = Alerts::new().await;
    let t0 = start();
    let mut emails = Vec::new();
    for i in 0..50 {
        let email = unique_email("shared");
        // "usb c cable" and "usb-c cable" are different searches; case and spaces are not.
        let phrase = ["usb c cable", "USB C   Cable", "usb-c cable", "Mechanical keyboard"][i % 4];
        alert(&t, &format!("shared-{i}"), &email, phrase, 10, t0).await;
        emails.push(email);
    }
    let before = searches(&t.stats().await);
    let messages = t.dispatch(t0 + chrono::Duration::seconds(20)).await;
    assert_eq!(messages.len(), 3, "one message per search");
    for message in &messages {
        let report = runs::run(&worker(t.app), message).await.unwrap();
        assert_eq!(report.sent, message.alerts.len());
    }
    assert_eq!(searches(&t.stats().await) - before, 3);
    for email in &emails {
        assert_eq!(outbox(email).await.len(), 1, "{email}");
    }
    // Another alert of a phrase searched 40 s ago reuses that search.
    let late = unique_email("late");
    alert(&t, "late-owner", &late, "usb c cable", 10, t0 + chrono::Duration::seconds(30)).await;
    let messages = t.dispatch(t0 + chrono::Duration::seconds(60)).await;
    assert_eq!(messages.len(), 1);
    let report = runs::run(&worker(t.app), &messages[0]).await.unwrap();
    assert!(report.cached, "{report:?}");
    assert_eq!(searches(&t.stats().await) - before, 3, "cached for ALERTS_SEARCH_CACHE_SECONDS");
    assert_eq!(outbox(&late).await.len(), 1);
}

#[tokio::test]
async fn after_an_outage_an_alert_resumes_on_its_cadence_without_a_burst() {
    let t = Alerts::new().await;
    let email = unique_email("outage");
    let t0 = start();
    let a = alert(&t, "outage-owner", &email, "espresso machine", 10, t0).await;
    t.minute(t0 + minutes(1)).await;
    assert_eq!(outbox(&email).await.len(), 1);
    // Nothing runs for 34 minutes (three periods missed), then the schedule is back.
    let reports = t.minute(t0 + minutes(35)).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(outbox(&email).await.len(), 2, "one email for the missed periods, not three");
    let stored = t.app.store.get("outage-owner", &a.alert_id).await.unwrap().unwrap();
    assert_eq!(stored.next_run_at, t0 + minutes(40), "on the cadence of its creation");
    for k in 36..40 {
        assert!(t.minute(t0 + minutes(k)).await.is_empty(), "minute {k}");
    }
    t.minute(t0 + minutes(40)).await;
    assert_eq!(outbox(&email).await.len(), 3);
}

#[tokio::test]
async fn paused_and_deleted_alerts_are_not_run() {
    let t = Alerts::new().await;
    let t0 = start();
    let paused = t.alert(&t.alice, "paused phrase", 2).await;
    let deleted = t.alert(&t.bob, "deleted phrase", 2).await;
    // Queued while active, then paused and deleted before the worker ran.
    let messages = t.dispatch(shared::time::now() + chrono::Duration::seconds(1)).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(t.patch(&t.alice, &paused, json!({"status": "paused"})).await.status, 200);
    assert_eq!(t.delete(&t.bob, &deleted).await.status, 200);
    for message in &messages {
        let report = runs::run(&worker(t.app), message).await.unwrap();
        assert_eq!((report.sent, report.skipped), (0, 1), "{report:?}");
    }
    assert!(t.dispatch(t0 + minutes(30)).await.is_empty(), "a paused alert is not due");
    assert!(outbox(&t.alice.email).await.is_empty() && outbox(&t.bob.email).await.is_empty());
    // Resumed: due at once.
    assert_eq!(t.patch(&t.alice, &paused, json!({"status": "active"})).await.status, 200);
    assert_eq!(t.minute(shared::time::now() + minutes(1)).await.len(), 1);
    assert_eq!(outbox(&t.alice.email).await.len(), 1);
}

#[tokio::test]
async fn a_failing_marketplace_is_retried_and_an_unavailable_one_sends_nothing_twice() {
    let t = Alerts::new().await;
    let email = unique_email("flaky");
    let t0 = start();
    alert(&t, "flaky-owner", &email, "garden hose", 10, t0).await;

    // Two failures: retried inside the run.
    t.fault("unavailable", 2).await;
    let reports = t.minute(t0 + minutes(1)).await;
    assert!(reports[0].is_ok(), "{reports:?}");
    assert_eq!(outbox(&email).await.len(), 1);

    // Down for longer than the run's retries: the run fails, nothing is claimed, and the
    // redelivered message (or the next minute) sends the email once.
    t.fault("unavailable", 20).await;
    let messages = t.dispatch(t0 + minutes(10)).await;
    let failed = runs::run(&worker(t.app), &messages[0]).await.unwrap_err();
    assert!(failed.to_string().contains("unavailable"), "{failed}");
    t.fault("garbage", 20).await;
    assert!(runs::run(&worker(t.app), &messages[0]).await.unwrap_err().to_string().contains("not JSON"));
    assert_eq!(outbox(&email).await.len(), 1);
    t.fault("unavailable", 0).await;
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    t.minute(t0 + minutes(11)).await;
    assert_eq!(outbox(&email).await.len(), 2, "exactly one email for the period");
}

#[tokio::test]
async fn the_token_is_kept_and_renewed_once_when_refused() {
    let t = Alerts::new().await;
    let t0 = start();
    for (i, phrase) in ["tent", "sleeping bag", "camping stove"].into_iter().enumerate() {
        alert(&t, "camper", &unique_email("camper"), phrase, 2, t0 + chrono::Duration::seconds(i as i64)).await;
    }
    for message in t.dispatch(t0 + minutes(1)).await {
        runs::run(&worker(t.app), &message).await.unwrap();
    }
    let stats = t.stats().await;
    assert_eq!((stats["tokens_issued"].as_u64(), searches(&stats)), (Some(1), 3), "{stats}");
    // The marketplace revokes it: the next search gets a 401, renews once and goes on.
    t.fault("expire_tokens", 1).await;
    for message in t.dispatch(t0 + minutes(3)).await {
        runs::run(&worker(t.app), &message).await.unwrap();
    }
    let stats = t.stats().await;
    assert_eq!(stats["tokens_issued"].as_u64(), Some(2), "{stats}");
    assert_eq!(stats["rejected"].as_u64(), Some(1), "{stats}");
}

#[tokio::test]
async fn a_mail_service_outage_is_retried_without_duplicates_and_a_refusal_skips_the_period() {
    let t = Alerts::new().await;
    let email = unique_email("mail");
    let t0 = start();
    let a = alert(&t, "mail-owner", &email, "bike helmet", 10, t0).await;
    let messages = t.dispatch(t0 + minutes(1)).await;

    // SES unreachable: the claim is released and the message fails, to be redelivered.
    let mut broken = alerts::App::with_marketplace(&t.sdk, &config(&t.stack), None);
    let unreachable = aws_sdk_sesv2::config::Builder::from(&t.sdk).endpoint_url("http://127.0.0.1:9").build();
    broken.mailer = Mailer::new(aws_sdk_sesv2::Client::from_conf(unreachable));
    let broken: &'static alerts::App = shared::app::for_process(broken);
    // The search is cached by the working app first, so the broken one needs no marketplace.
    let good = app_of(&t.sdk, &t.stack, &config(&t.stack));
    runs::search(&worker(good), &messages[0].search, messages[0].now).await.unwrap();
    let failed = runs::run(&worker(broken), &messages[0]).await.unwrap_err();
    assert!(failed.to_string().contains("1 of 1 emails"), "{failed}");
    let stored = t.app.store.get("mail-owner", &a.alert_id).await.unwrap().unwrap();
    assert_eq!(stored.next_run_at, t0, "released: still due for its period");
    assert!(outbox(&email).await.is_empty());
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    assert_eq!(outbox(&email).await.len(), 1);

    // SES refuses the sender (not verified): the period is skipped, not retried forever.
    let mut unverified = config(&t.stack);
    unverified.sender.as_mut().unwrap().from = "nobody@unverified.test".into();
    let refused = app_of(&t.sdk, &t.stack, &unverified);
    let messages = t.dispatch(t0 + minutes(10)).await;
    let report = runs::run(&worker(refused), &messages[0]).await.unwrap();
    assert_eq!((report.sent, report.rejected), (0, 1), "{report:?}");
    assert_eq!(outbox(&email).await.len(), 1);
    assert!(t.dispatch(t0 + minutes(11)).await.is_empty(), "the period is spent");
}

#[tokio::test]
async fn the_database_unavailable_loses_no_alert_and_sends_nothing_twice() {
    let t = Alerts::new().await;
    let table = t.stack.table("AlertsTable").to_owned();
    // Creating: throttled past the retries, a 503 with Retry-After and nothing half-stored.
    system_tests::inject_throttling(&table, "TransactWriteItems", 50).await;
    let reply = t.create(&t.alice, json!({"search_phrase": "standing desk", "frequency_minutes": 10})).await;
    assert_eq!((reply.status, reply.header("retry-after")), (503, Some("2")), "{:?}", reply.body);
    system_tests::inject_throttling(&table, "TransactWriteItems", 0).await;
    assert!(t.list(&t.alice, "").await.body["alerts"].as_array().unwrap().is_empty());
    assert_eq!(
        t.create(&t.alice, json!({"search_phrase": "standing desk", "frequency_minutes": 10})).await.status,
        201
    );

    // Running: the claim cannot be written, so the message fails, nothing is sent, and the
    // redelivery sends the email once.
    let messages = t.dispatch(shared::time::now() + minutes(1)).await;
    system_tests::inject_throttling(&table, "UpdateItem", 50).await;
    assert!(runs::run(&worker(t.app), &messages[0]).await.is_err());
    system_tests::inject_throttling(&table, "UpdateItem", 0).await;
    assert!(outbox(&t.alice.email).await.is_empty());
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    runs::run(&worker(t.app), &messages[0]).await.unwrap();
    assert_eq!(outbox(&t.alice.email).await.len(), 1);
}
