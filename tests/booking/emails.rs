//! The booking emails: both sides mailed with a calendar invite when an appointment is confirmed,
//! moved or cancelled (one event per reservation: the same `UID`, a growing `SEQUENCE`), the
//! client's reminder (once, never for a cancelled appointment, following a moved one), nothing
//! sent twice however often a message comes back, and a mail service that is down delaying the
//! emails, never the booking. The notice queue is read by the test and handed to the mailer at a
//! chosen clock, so no test waits for a real delay.

use std::collections::BTreeMap;

use booking::{
    ops::{self, Handled},
    queue::NoticeMessage,
};
use chrono::Utc;
use icalendar::{Calendar, CalendarComponent, Component};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};
use system_tests::{User, endpoint};

use crate::helpers::{Booking, FROM, at};

/// Every message on the notice queue now, deleted.
async fn drain(b: &Booking) -> Vec<NoticeMessage> {
    let sqs = b.sqs();
    let url = &b.stack.queue("BookingNoticeQueue").url;
    let mut messages = Vec::new();
    loop {
        let out = sqs.receive_message().queue_url(url).max_number_of_messages(10).send().await.unwrap();
        let batch = out.messages.unwrap_or_default();
        if batch.is_empty() {
            return messages;
        }
        for m in batch {
            messages.push(serde_json::from_str(m.body().unwrap()).expect("a notice message"));
            sqs.delete_message().queue_url(url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
}

/// The mailer on each message, now.
async fn mail(b: &Booking, messages: &[NoticeMessage]) -> Vec<Handled> {
    let mut handled = Vec::new();
    for message in messages {
        let queue = b.app.notices().unwrap().queue;
        handled.push(
            ops::handle_notice(&b.app.store, queue, &b.app.mailer, FROM, message.clone(), Utc::now()).await.unwrap(),
        );
    }
    handled
}

/// The emails sent to `to`, oldest first, each as (subject, invite's METHOD, UID, SEQUENCE,
/// DTSTART, description) when it carries an invite.
#[derive(Debug, Clone)]
struct Mail {
    subject: String,
    invite: Option<(String, String, u32, String, String)>,
}

async fn inbox(to: &str) -> Vec<Mail> {
    let all: Value = reqwest::get(format!("{}/_local/outbox.json", endpoint())).await.unwrap().json().await.unwrap();
    let mut mails: Vec<Mail> = all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"].as_array().unwrap().iter().any(|t| t == to))
        .map(|m| {
            let raw = m["raw"].as_str().unwrap();
            let parsed = MessageParser::default().parse(raw.as_bytes()).expect("MIME");
            let invite = parsed
                .attachments()
                .find(|a| a.content_type().is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar")))
                .map(|a| {
                    let text = String::from_utf8(a.contents().to_vec()).unwrap();
                    let calendar: Calendar = text.parse().expect("an iCalendar invite");
                    let event = calendar
                        .components
                        .iter()
                        .find_map(|c| if let CalendarComponent::Event(e) = c { Some(e.clone()) } else { None })
                        .expect("an event");
                    (
                        calendar.property_value("METHOD").unwrap().to_owned(),
                        event.get_uid().unwrap().to_owned(),
                        event.get_sequence().unwrap(),
                        event.property_value("DTSTART").unwrap().to_owned(),
                        event.get_description().unwrap_or_default().to_owned(),
                    )
                });
            Mail { subject: m["subject"].as_str().unwrap().to_owned(), invite }
        })
        .collect();
    mails.reverse();
    mails
}

/// A provider and a client with verified emails (the client in Paris), and a confirmed
/// appointment 5 days ahead at 09:00 UTC; the notice queue drained and mailed.
async fn appointment(b: &Booking) -> (User, User, Vec<String>, String) {
    let p = b.provider().await;
    let c = b.client().await;
    let zone =
        b.route("PATCH", "/booking/v1/clients/me", &[], "", Some(json!({"time_zone": "Europe/Paris"})), Some(&c));
    assert_eq!(zone.await.status, 200);
    let slots = b.slots(&p, at(5, 9, 0), at(5, 10, 0)).await;
    let r = b.hold(&c, &slots[0]).await;
    assert_eq!(b.confirm(&c, &r).await.status, 200);
    (p, c, slots, r)
}

fn ics_time(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[tokio::test]
async fn confirm_reschedule_and_provider_cancel_mail_both_sides_one_evolving_invite() {
    let b = Booking::new(1800).await;
    let (p, c, slots, r) = appointment(&b).await;
    let handled = mail(&b, &drain(&b).await).await;
    assert!(handled.contains(&Handled::Sent(2)), "confirmation to both: {handled:?}");

    let (client, provider) = (inbox(&c.email).await, inbox(&p.email).await);
    assert_eq!((client.len(), provider.len()), (1, 1), "{client:?} {provider:?}");
    let (method, uid, sequence, start, _) = client[0].invite.clone().expect("an invite");
    assert_eq!((method.as_str(), sequence, start.clone()), ("REQUEST", 0, ics_time(at(5, 9, 0))));
    assert_eq!(uid, format!("{r}@booking"));
    assert_eq!(provider[0].invite.as_ref().unwrap().1, uid, "one event for both sides");
    assert!(client[0].subject.starts_with("Confirmed: appointment with Pat Provider"), "{:?}", client[0].subject);
    // The body's times in each recipient's zone: Paris for the client, UTC for the provider.
    let paris = (at(5, 9, 0) + chrono::Duration::hours(1)).format("%H:%M").to_string();
    assert!(client[0].subject.contains(&paris) || client[0].subject.contains("11:00"), "{:?}", client[0].subject);
    assert!(!client[0].subject.contains("09:00") && client[0].subject.contains(" CE"), "{:?}", client[0].subject);
    assert!(provider[0].subject.contains("09:00 UTC"), "{:?}", provider[0].subject);

    // Moved: an updated invite, same UID, higher SEQUENCE, the new time.
    assert_eq!(b.reschedule(&c, &r, &slots[2]).await.status, 200);
    mail(&b, &drain(&b).await).await;
    let client = inbox(&c.email).await;
    let moved = client.iter().find(|m| m.subject.starts_with("Moved:")).expect("a move email");
    let (method, moved_uid, moved_sequence, start, _) = moved.invite.clone().unwrap();
    assert_eq!((method.as_str(), moved_uid.as_str(), start), ("REQUEST", uid.as_str(), ics_time(at(5, 9, 30))));
    assert!(moved_sequence > sequence);
    assert!(inbox(&p.email).await.iter().any(|m| m.subject.starts_with("Moved:")));

    // Cancelled by the provider, with the reason: a CANCEL of the same event.
    let reason = "The clinic is closed for repairs.";
    assert_eq!(b.cancel_with(&p, &r, json!({"reason": reason})).await.status, 200);
    mail(&b, &drain(&b).await).await;
    for who in [&c, &p] {
        let mails = inbox(&who.email).await;
        let cancelled = mails.iter().find(|m| m.subject.starts_with("Cancelled:")).expect("a cancellation");
        let (method, cancel_uid, cancel_sequence, _, description) = cancelled.invite.clone().unwrap();
        assert_eq!((method.as_str(), cancel_uid.as_str()), ("CANCEL", uid.as_str()));
        assert!(cancel_sequence > moved_sequence);
        assert!(description.contains(reason), "{description}");
    }
}

#[tokio::test]
async fn redelivered_notices_send_nothing_twice_and_holds_send_nothing() {
    let b = Booking::new(1800).await;
    let (p, c, slots, _) = appointment(&b).await;
    let messages = drain(&b).await;
    mail(&b, &messages).await;
    let again = mail(&b, &messages).await;
    assert!(again.iter().all(|h| matches!(h, Handled::Sent(0) | Handled::Waiting(_))), "{again:?}");
    let subjects = |mails: Vec<Mail>| mails.into_iter().map(|m| m.subject).collect::<Vec<_>>();
    assert_eq!(inbox(&c.email).await.len(), 1, "{:?}", subjects(inbox(&c.email).await));
    assert_eq!(inbox(&p.email).await.len(), 1);

    // A hold cancelled or moved before confirmation is nobody's appointment yet: no email.
    let other = b.client().await;
    let hold = b.hold(&other, &slots[1]).await;
    assert_eq!(b.reschedule(&other, &hold, &slots[3]).await.status, 200);
    assert_eq!(b.cancel(&other, &hold).await.status, 200);
    assert!(drain(&b).await.is_empty());
    assert!(inbox(&other.email).await.is_empty());
}

#[tokio::test]
async fn the_booking_stands_while_the_mail_service_is_down_and_the_emails_follow() {
    let b = Booking::new(1800).await;
    let (p, c, _, r) = appointment(&b).await;
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed", "the booking did not wait for email");
    let messages = drain(&b).await;
    let unreachable = aws_sdk_sesv2::config::Builder::from(&b.sdk).endpoint_url("http://127.0.0.1:9").build();
    let down = shared::mail::Mailer::new(aws_sdk_sesv2::Client::from_conf(unreachable));
    let queue = b.app.notices().unwrap().queue;
    let confirmed = messages.iter().find(|m| m.event == booking::domain::Notice::Confirmed).unwrap();
    let failed = ops::handle_notice(&b.app.store, queue, &down, FROM, confirmed.clone(), Utc::now()).await;
    assert!(matches!(failed, Err(ops::NoticeError::Mail(_))), "reported, so SQS delivers it again: {failed:?}");
    assert!(inbox(&c.email).await.is_empty() && inbox(&p.email).await.is_empty());
    assert_eq!(b.get(&c, &r).await.body["status"], "confirmed", "nothing undone");
    // SES is back: the redelivery sends them, once.
    let handled = mail(&b, std::slice::from_ref(confirmed)).await;
    assert_eq!(handled, vec![Handled::Sent(2)]);
    assert_eq!((inbox(&c.email).await.len(), inbox(&p.email).await.len()), (1, 1));
}

/// A booking app whose reminders are due `reminder` before the appointment.
async fn with_reminder(reminder: chrono::Duration) -> Booking {
    Booking::with(1800, crate::helpers::MAX_HOLDS, |config| config.reminder = reminder).await
}

#[tokio::test]
async fn the_reminder_goes_once_follows_a_move_and_not_a_cancellation() {
    // Reminders 30 days ahead: every appointment of these tests is inside that window, so its
    // reminder is due at once.
    let b = with_reminder(chrono::Duration::days(30)).await;
    let (_, c, slots, r) = appointment(&b).await;
    let messages = drain(&b).await;
    mail(&b, &messages).await;
    mail(&b, &messages).await;
    let reminders =
        |mails: Vec<Mail>| mails.into_iter().filter(|m| m.subject.starts_with("Reminder")).collect::<Vec<_>>();
    let sent = reminders(inbox(&c.email).await);
    assert_eq!(sent.len(), 1, "once: {sent:?}");

    // Moved: the old reminder is stale, the new one names the new time.
    assert_eq!(b.reschedule(&c, &r, &slots[3]).await.status, 200);
    let handled = mail(&b, &drain(&b).await).await;
    assert!(handled.contains(&Handled::Sent(1)), "{handled:?}");
    let stale = mail(&b, &messages).await;
    assert!(stale.contains(&Handled::Stale), "the first reminder is for a time that no longer holds: {stale:?}");
    assert_eq!(reminders(inbox(&c.email).await).len(), 2);

    // Cancelled before its reminder is due: none.
    let c2 = b.client().await;
    let r2 = b.hold(&c2, &slots[1]).await;
    assert_eq!(b.confirm(&c2, &r2).await.status, 200);
    let pending = drain(&b).await;
    assert_eq!(b.cancel(&c2, &r2).await.status, 200);
    let reminder: Vec<_> = pending.into_iter().filter(|m| m.event == booking::domain::Notice::Reminder).collect();
    assert_eq!(mail(&b, &reminder).await, vec![Handled::Stale]);
    assert!(reminders(inbox(&c2.email).await).is_empty());
}

#[tokio::test]
async fn a_reminder_not_yet_due_waits_on_the_queue() {
    let b = with_reminder(chrono::Duration::hours(1)).await;
    let (_, c, _, _) = appointment(&b).await;
    let queued: BTreeMap<_, _> = {
        // The reminder, due 5 days from now, waits (15 minutes at a time): only the
        // confirmation is there to read.
        let visible = drain(&b).await;
        visible.into_iter().map(|m| (m.event.as_str(), m.due_at)).collect()
    };
    assert_eq!(queued.keys().copied().collect::<Vec<_>>(), vec!["confirmed"], "{queued:?}");
    let reservation = b
        .app
        .store
        .reservation(b.my_reservations(&c, "").await.body["reservations"][0]["reservation_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let message = NoticeMessage {
        event: booking::domain::Notice::Reminder,
        reservation: reservation.clone(),
        sequence: 0,
        parties: ops::notices::parties(&b.app.store, &reservation).await.unwrap(),
        due_at: Some(booking::domain::reminder_due(&reservation, chrono::Duration::hours(1))),
    };
    let handled = mail(&b, &[message]).await;
    assert_eq!(handled, vec![Handled::Waiting(900)]);
    assert!(inbox(&c.email).await.iter().all(|m| !m.subject.starts_with("Reminder")));
}
