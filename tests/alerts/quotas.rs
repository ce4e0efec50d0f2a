//! What one user may spend of what everyone shares: alerts created a day (429 past it, the
//! route's own 422 told first), the stack's daily marketplace budget and each user's share of it
//! (alerts past it skip quietly and say so, others go on), search results reused longer as the
//! budget runs low, `notify_on: "changes"`, and deleting everything of a user.

use alerts::{
    domain::{NewAlert, budget::Budget},
    ops::{manage, runs},
    store::budget::{STACK_BUDGET, USER_SHARE},
};
use serde_json::json;
use shared::time::Timestamp;

use crate::helpers::{Alerts, minutes, outbox, searches, unique_email};

fn start() -> Timestamp {
    let now = shared::time::now();
    now - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&now)))
        - chrono::Duration::milliseconds(now.timestamp_subsec_millis().into())
}

async fn alert(t: &Alerts, owner: &str, email: &str, body: serde_json::Value, at: Timestamp) -> alerts::domain::Alert {
    manage::create(&t.app.store, owner, email, NewAlert::from_json(&body).unwrap(), at).await.unwrap()
}

#[tokio::test]
async fn alerts_created_a_day_are_limited_and_too_many_alerts_is_told_first() {
    let t = Alerts::with(|c| c.create_quota.limit = 3).await;
    for i in 0..3 {
        let reply = t.create(&t.alice, json!({"search_phrase": format!("quota {i}"), "frequency_minutes": 30})).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    // Deleting does not give the quota back: creating is what is counted.
    let listed = t.list(&t.alice, "").await;
    let first = listed.body["alerts"][0]["alert_id"].as_str().unwrap().to_owned();
    assert_eq!(t.delete(&t.alice, &first).await.status, 200);
    let reply = t.create(&t.alice, json!({"search_phrase": "quota 4", "frequency_minutes": 30})).await;
    assert_eq!((reply.status, reply.code()), (429, Some("quota_exceeded")), "{:?}", reply.body);
    let retry: u32 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry), "until the UTC day ends: {retry}");
    assert!(reply.message().contains("3 new alerts a day"), "{}", reply.message());
    // Bob is not affected.
    assert_eq!(t.create(&t.bob, json!({"search_phrase": "quota 4", "frequency_minutes": 30})).await.status, 201);

    // At 20 alerts and past the quota: the route's own limit is told.
    let t2 = Alerts::with(|c| c.create_quota.limit = 1).await;
    for i in 0..20 {
        alert(
            &t2,
            &t2.alice.sub,
            &t2.alice.email,
            json!({"search_phrase": format!("many {i}"), "frequency_minutes": 30}),
            shared::time::now(),
        )
        .await;
    }
    let over = || t2.create(&t2.alice, json!({"search_phrase": "one more", "frequency_minutes": 30}));
    assert_eq!(over().await.code(), Some("too_many_alerts"), "under the quota");
    let reply = over().await;
    assert_eq!((reply.status, reply.code()), (422, Some("too_many_alerts")), "past the quota too");
}

#[tokio::test]
async fn past_the_stack_budget_alerts_skip_quietly_say_so_and_run_on_their_cadence() {
    let t = Alerts::with(|c| c.budget = Budget { daily: 2, user_share: 200 }).await;
    let t0 = start();
    let email = unique_email("budget");
    let mut ids = Vec::new();
    for phrase in ["budget one", "budget two", "budget three"] {
        let a = alert(&t, "budget-owner", &email, json!({"search_phrase": phrase, "frequency_minutes": 2}), t0).await;
        ids.push(a.alert_id);
    }
    let before = searches(&t.stats().await);
    let reports: Vec<_> = t.minute(t0 + minutes(1)).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(reports.iter().map(|r| r.sent).sum::<usize>(), 2);
    assert_eq!(reports.iter().map(|r| r.exhausted).sum::<usize>(), 1, "{reports:?}");
    assert_eq!(searches(&t.stats().await) - before, 2, "no search past the budget");
    assert_eq!(outbox(&email).await.len(), 2);
    assert_eq!(t.app.store.counter(STACK_BUDGET.0, STACK_BUDGET.1, t0 + minutes(1)).await.unwrap(), 2);
    let mut outcomes = Vec::new();
    for id in &ids {
        let stored = t.app.store.get("budget-owner", id).await.unwrap().unwrap();
        assert_eq!(stored.next_run_at, t0 + minutes(2), "the next period as usual");
        let view = serde_json::to_value(alerts::entrypoints::http::views::AlertView::from(&stored)).unwrap();
        outcomes.push(view["last_run"]["outcome"].as_str().unwrap().to_owned());
        assert_eq!(view["last_run"]["at"], json!(shared::time::format(t0 + minutes(1))));
    }
    outcomes.sort();
    assert_eq!(outcomes, ["budget_exhausted", "sent", "sent"]);
    // Later runs are not a burst: every alert is just due at its next period; those whose
    // search is cached (60 s) are served, the rest skip again.
    let reports: Vec<_> = t.minute(t0 + minutes(2)).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(reports.iter().map(|r| r.sent + r.exhausted).sum::<usize>(), 3);
    assert_eq!(searches(&t.stats().await) - before, 2);
}

#[tokio::test]
async fn a_users_share_stops_only_their_own_searches_and_shared_searches_serve_everyone() {
    let t = Alerts::with(|c| c.budget = Budget { daily: 100, user_share: 1 }).await;
    let t0 = start();
    let (greedy, other) = (unique_email("greedy"), unique_email("other"));
    // Searched in this order (by phrase): greedy pays "share one" with their one unit; "share two"
    // serves both users and other pays for it, greedy is served too; "share zzz" is greedy's
    // alone, and their share is spent: not searched.
    for phrase in ["share one", "share two", "share zzz"] {
        alert(&t, "greedy", &greedy, json!({"search_phrase": phrase, "frequency_minutes": 10}), t0).await;
    }
    alert(&t, "other", &other, json!({"search_phrase": "share two", "frequency_minutes": 10}), t0).await;
    let reports: Vec<_> = t.minute(t0 + minutes(1)).await.into_iter().map(Result::unwrap).collect();
    let total = |f: fn(&runs::RunReport) -> usize| reports.iter().map(f).sum::<usize>();
    assert_eq!((total(|r| r.sent), total(|r| r.exhausted)), (3, 1), "{reports:?}");
    assert_eq!((outbox(&greedy).await.len(), outbox(&other).await.len()), (2, 1));
    assert_eq!(t.app.store.counter(USER_SHARE, "greedy", t0).await.unwrap(), 1);
    assert_eq!(t.app.store.counter(USER_SHARE, "other", t0).await.unwrap(), 1);
    assert_eq!(t.app.store.counter(STACK_BUDGET.0, STACK_BUDGET.1, t0).await.unwrap(), 2);
}

#[tokio::test]
async fn searches_are_reused_longer_as_the_budget_runs_low_and_the_email_says_when_from() {
    let t = Alerts::with(|c| c.budget = Budget { daily: 4, user_share: 200 }).await;
    let t0 = start();
    let email = unique_email("stretch");
    alert(&t, "stretch-owner", &email, json!({"search_phrase": "stretch lamp", "frequency_minutes": 2}), t0).await;
    t.minute(t0 + minutes(1)).await;
    // Half the budget is spent: 60 s only.
    let before = searches(&t.stats().await);
    t.app.store.spend_counter(STACK_BUDGET.0, STACK_BUDGET.1, 4, t0).await.unwrap();
    t.minute(t0 + minutes(3)).await;
    assert_eq!(searches(&t.stats().await) - before, 1, "a 2-minute-old search is stale at half the budget");
    // All spent but one: the 2-minute-old search is reused (lifetime up to 5 minutes).
    t.app.store.spend_counter(STACK_BUDGET.0, STACK_BUDGET.1, 4, t0).await.unwrap();
    let reports = t.minute(t0 + minutes(5)).await;
    assert!(reports[0].as_ref().unwrap().cached, "{reports:?}");
    assert_eq!(searches(&t.stats().await) - before, 1);
    let sent = outbox(&email).await;
    assert_eq!(sent.len(), 3);
    let raw = sent[0]["raw"].as_str().unwrap();
    let as_of = format!("prices as of {} UTC", (t0 + minutes(3)).format("%Y-%m-%d %H:%M"));
    assert!(raw.contains(&as_of), "{as_of} in the newest email");
}

#[tokio::test]
async fn notify_on_changes_mails_only_new_listings_or_lower_prices() {
    // Searches reused for ten minutes: the same listings twice.
    let t = Alerts::with(|c| c.search_cache = std::time::Duration::from_secs(600)).await;
    let reply = t
        .create(&t.alice, json!({"search_phrase": "changes only", "frequency_minutes": 2, "notify_on": "changes"}))
        .await;
    assert_eq!((reply.status, reply.body["notify_on"].as_str()), (201, Some("changes")), "{:?}", reply.body);
    let id = reply.body["alert_id"].as_str().unwrap().to_owned();
    let plain = t.alert(&t.bob, "changes only", 2).await;
    assert_eq!(t.get(&t.bob, &plain).await.body["notify_on"], "every_run", "the default");
    let now = shared::time::now();
    t.minute(now + minutes(1)).await;
    t.minute(now + minutes(3)).await;
    assert_eq!(outbox(&t.alice.email).await.len(), 1, "the same listings: one email");
    assert_eq!(outbox(&t.bob.email).await.len(), 2, "every run");
    let alert = t.get(&t.alice, &id).await.body;
    assert_eq!(alert["last_run"]["outcome"], "unchanged", "{alert}");
    assert!(alert.get("emailed").is_none(), "the fingerprint is not shown");
    // Back to every run: mailed again at once.
    assert_eq!(t.patch(&t.alice, &id, json!({"notify_on": "every_run"})).await.status, 200);
    t.minute(now + minutes(5)).await;
    assert_eq!(outbox(&t.alice.email).await.len(), 2);
    assert_eq!(t.get(&t.alice, &id).await.body["last_run"]["outcome"], "sent");
    let bad = t.patch(&t.alice, &id, json!({"notify_on": "weekly"})).await;
    assert_eq!((bad.status, bad.code()), (400, Some("invalid_field")));
}

#[tokio::test]
async fn deleting_me_deletes_every_alert_and_the_preferences() {
    let t = Alerts::new().await;
    let a = t.alert(&t.alice, "delete me one", 10).await;
    t.alert(&t.alice, "delete me two", 10).await;
    let bobs = t.alert(&t.bob, "delete me one", 10).await;
    t.minute(shared::time::now() + minutes(1)).await;
    assert_eq!(t.products(&t.alice, &a).await.body["products"].as_array().unwrap().len(), 20);
    let off = system_tests::as_user(
        system_tests::request("PATCH", "/alerts/v1/preferences", Some(json!({"insights": false}))),
        &t.alice,
    );
    assert_eq!(system_tests::call(t.app, alerts::entrypoints::http::update_preferences, off).await.status, 200);

    let reply = t.delete_me(&t.alice).await;
    assert_eq!((reply.status, &reply.body), (200, &json!({"deleted": true})));
    assert!(t.list(&t.alice, "").await.body["alerts"].as_array().unwrap().is_empty());
    assert_eq!(t.get(&t.alice, &a).await.status, 404);
    let get = system_tests::as_user(system_tests::request("GET", "/alerts/v1/preferences", None), &t.alice);
    assert_eq!(system_tests::call(t.app, alerts::entrypoints::http::preferences, get).await.body["insights"], true);
    assert!(t.app.store.profile(&t.alice.sub).await.unwrap().is_none());
    // The same phrase again: the guard went too; Bob's alert stays.
    assert_eq!(
        t.create(&t.alice, json!({"search_phrase": "delete me one", "frequency_minutes": 10})).await.status,
        201
    );
    assert_eq!(t.get(&t.bob, &bobs).await.status, 200);
    // Nothing left to delete is no error.
    assert_eq!(t.delete_me(&t.bob).await.status, 200);
    assert_eq!(t.delete_me(&t.bob).await.body, json!({"deleted": true}));
}
