//! Notices: "almost your turn" once per ticket, "please go to desk N" once per call, by SMS
//! (through SNS, into the local outbox) or email, whatever the redeliveries and concurrent
//! calls; none for cancelled tickets or `notify: none`; a failing SMS service retried, then given
//! up without holding anything up.

use futures::future::join_all;
use serde_json::json;
use system_tests::{inject_sms_failures, outbox};

use crate::helpers::{FROM, Walkin, sms_to, unique_phone};

/// Registers `first` with `phone` and checks in; the ticket number.
async fn arrive(w: &Walkin, first: &str, phone: &str) -> u64 {
    w.arrive(first, phone, false).await
}

fn almost(texts: &[String]) -> usize {
    texts.iter().filter(|t| t.contains("almost your turn")).count()
}

fn desk_calls(texts: &[String]) -> Vec<&String> {
    texts.iter().filter(|t| t.contains("please go to desk")).collect()
}

#[tokio::test]
async fn one_almost_and_one_called_notice_per_ticket_whatever_the_redeliveries() {
    let w = Walkin::new().await;
    let phones: Vec<String> = (0..4).map(|_| unique_phone()).collect();
    let mut ids = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        ids.push(arrive(&w, &format!("N{i}"), phone).await);
    }
    // The first two checked in first or second in line: told at once.
    w.deliver_all().await;
    let called = w.next_at("3").await;
    assert_eq!(called.body["service_id"], ids[0]);
    // Every message delivered twice, the copies at once: SQS may deliver a message twice, and
    // two notifiers may run at once.
    let messages = w.notices().await;
    assert!(!messages.is_empty());
    join_all(messages.iter().flat_map(|m| [w.deliver(m), w.deliver(m)])).await;
    join_all(messages.iter().map(|m| w.deliver(m))).await;
    let first = sms_to(&phones[0]).await;
    assert_eq!(almost(&first), 1, "{first:?}");
    assert_eq!(desk_calls(&first), [&format!("Ticket {}: please go to desk 3.", ids[0])], "{first:?}");
    // The second is told once, and the third once it moved up; the fourth not yet.
    for phone in &phones[1..3] {
        let texts = sms_to(phone).await;
        assert_eq!((almost(&texts), desk_calls(&texts).len()), (1, 0), "{phone}: {texts:?}");
    }
    assert!(sms_to(&phones[3]).await.is_empty());
    // The queue moves: the fourth is told, nobody twice.
    w.next_at("3").await;
    w.deliver_all().await;
    assert_eq!(almost(&sms_to(&phones[3]).await), 1);
    assert_eq!(almost(&sms_to(&phones[1]).await), 1);
    assert_eq!(desk_calls(&sms_to(&phones[1]).await).len(), 1);
    let sms = outbox().await.into_iter().find(|m| m["to"][0] == phones[1].as_str()).unwrap();
    assert_eq!(sms["channel"], "sms");
    assert!(sms["sent_at"].is_string() && sms["id"].is_string());
}

#[tokio::test]
async fn concurrent_calls_notify_each_called_ticket_once() {
    let w = Walkin::new().await;
    let phones: Vec<String> = (0..6).map(|_| unique_phone()).collect();
    let mut phone_of = std::collections::HashMap::new();
    for (i, phone) in phones.iter().enumerate() {
        phone_of.insert(arrive(&w, &format!("K{i}"), phone).await, phone.clone());
    }
    let desks: Vec<String> = (1..=6).map(|d| d.to_string()).collect();
    let replies = join_all(desks.iter().map(|d| w.next_at(d))).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    let messages = w.notices().await;
    join_all(messages.iter().chain(messages.iter()).map(|m| w.deliver(m))).await;
    for reply in &replies {
        let texts = sms_to(&phone_of[&reply.body["service_id"].as_u64().unwrap()]).await;
        let desk = reply.body["desk"].as_str().unwrap();
        assert_eq!(desk_calls(&texts), [&format!("Ticket {}: please go to desk {desk}.", reply.body["service_id"])]);
        assert!(almost(&texts) <= 1, "{texts:?}");
    }
}

#[tokio::test]
async fn a_recall_notifies_again_once() {
    let w = Walkin::new().await;
    let phone = unique_phone();
    let id = arrive(&w, "Rae", &phone).await;
    w.next_at("2").await;
    w.deliver_all().await;
    let recalled = w.recall(id).await;
    assert_eq!(
        (recalled.status, recalled.body["status"].as_str(), recalled.body["desk"].as_str()),
        (200, Some("called"), Some("2"))
    );
    let messages = w.notices().await;
    assert_eq!(messages.len(), 1);
    join_all([w.deliver(&messages[0]), w.deliver(&messages[0]), w.deliver(&messages[0])]).await;
    assert_eq!(desk_calls(&sms_to(&phone).await).len(), 2, "one per call");
    // Served: an old message for its call tells nobody.
    assert_eq!(w.served(id).await.status, 200);
    w.deliver(&messages[0]).await;
    assert_eq!(desk_calls(&sms_to(&phone).await).len(), 2);
}

#[tokio::test]
async fn nobody_is_told_of_a_cancelled_ticket_or_with_notify_none() {
    let w = Walkin::new().await;
    let (quiet, cancelled, emailed) = (unique_phone(), unique_phone(), unique_phone());
    let address = format!("walkin-{}@example.com", &emailed[1..]);
    assert_eq!(w.register_with("Quiet", &quiet, json!({"notify": "none"})).await.body["notify"], "none");
    assert_eq!(w.register_with("Cancelled", &cancelled, json!({})).await.body["notify"], "sms");
    let by_email = w.register_with("Emma", &emailed, json!({"notify": "email", "email": address})).await;
    assert_eq!((by_email.status, by_email.body["notify"].as_str()), (201, Some("email")));
    let quiet_id = w.check_in("Quiet", &quiet).await.body["service_id"].as_u64().unwrap();
    let (cancelled_id, token) = {
        let reply = w.check_in("Cancelled", &cancelled).await;
        (reply.body["service_id"].as_u64().unwrap(), reply.body["cancel_token"].as_str().unwrap().to_owned())
    };
    assert_eq!(w.cancel_as(&cancelled_id.to_string(), None, Some(&token)).await.status, 200);
    w.check_in("Emma", &emailed).await;
    w.deliver_all().await;
    assert_eq!(w.next_at("1").await.body["service_id"], quiet_id);
    w.deliver_all().await;
    assert!(sms_to(&quiet).await.is_empty());
    assert!(sms_to(&cancelled).await.is_empty());
    assert!(sms_to(&emailed).await.is_empty());
    let emails: Vec<String> = outbox()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "email" && m["to"][0] == address.as_str())
        .map(|m| {
            assert_eq!(m["from"], FROM);
            m["subject"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(emails.len(), 1, "{emails:?}");
    assert!(emails[0].ends_with("almost your turn"), "{emails:?}");
    // Email notices need an address.
    let refused = w.register_with("NoMail", &unique_phone(), json!({"notify": "email"})).await;
    assert_eq!((refused.status, refused.code()), (400, Some("invalid_field")));
    assert!(refused.message().contains("notify"));
}

#[tokio::test]
async fn a_failing_sms_service_is_retried_then_given_up_without_holding_anything_up() {
    let w = Walkin::new().await;
    let (flaky, down, next) = (unique_phone(), unique_phone(), unique_phone());
    // One failure: the retry sends it.
    inject_sms_failures(&flaky, 1).await;
    let flaky_id = arrive(&w, "Flaky", &flaky).await;
    let reports = w.deliver_all().await;
    assert_eq!(reports.iter().map(|r| r.sent).sum::<u32>(), 1, "{reports:?}");
    assert_eq!(almost(&sms_to(&flaky).await), 1);
    // A number whose SMS always fail: given up, and the queue goes on.
    inject_sms_failures(&down, 1000).await;
    let down_id = arrive(&w, "Down", &down).await;
    arrive(&w, "Next", &next).await;
    let reports = w.deliver_all().await;
    assert!(reports.iter().map(|r| r.dropped).sum::<u32>() >= 1, "{reports:?}");
    assert_eq!(w.next_at("1").await.body["service_id"], flaky_id);
    assert_eq!(w.next_at("1").await.body["service_id"], down_id, "a call never waits for SMS");
    let reports = w.deliver_all().await;
    assert!(reports.iter().all(|r| r.sent + r.skipped + r.dropped > 0), "{reports:?}");
    assert!(sms_to(&down).await.is_empty());
    assert_eq!(almost(&sms_to(&next).await), 1, "the next customer is told all the same");
    inject_sms_failures(&down, 0).await;
}
