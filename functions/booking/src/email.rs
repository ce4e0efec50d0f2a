//! The booking emails, as MIME: HTML and plain text from templates (escaped by the engine, never
//! concatenated), times in the recipient's zone, and the calendar invite attached
//! (`text/calendar; method=...`). Pure: the caller sends the bytes through [`shared::mail`].

use askama::Template;
use mail_builder::{MessageBuilder, headers::content_type::ContentType, mime::MimePart};
use shared::{mail::Email, time::Timestamp};

use crate::domain::{
    CancelledBy, Notice, Parties, Reservation, Side,
    invite::{Invite, Method, Person},
};

#[derive(Template)]
#[template(path = "notice.html")]
struct Html<'a> {
    subject: &'a str,
    heading: &'a str,
    intro: &'a str,
    when: &'a str,
    with: &'a str,
    reason: Option<&'a str>,
    footer: &'a str,
}

#[derive(Template)]
#[template(path = "notice.txt")]
struct Text<'a> {
    heading: &'a str,
    intro: &'a str,
    when: &'a str,
    with: &'a str,
    reason: Option<&'a str>,
    footer: &'a str,
}

#[derive(Debug, thiserror::Error)]
#[error("the email could not be built: {0}")]
pub struct BuildError(String);

/// The email of `event` about `reservation` (as it is after the event; `sequence` its invite's
/// sequence then) to `side`, at `now`; none when that side has no verified email.
pub fn notice_email(
    from: &str,
    event: Notice,
    reservation: &Reservation,
    sequence: u32,
    parties: &Parties,
    side: Side,
    now: Timestamp,
) -> Result<Option<Email>, BuildError> {
    let me = parties.side(side);
    let Some(to) = me.email.as_deref() else { return Ok(None) };
    let other = match side {
        Side::Client => &parties.provider,
        Side::Provider => &parties.client,
    };
    let zone = me.time_zone;
    let when = format!("{} \u{2013} {}", zone.show(reservation.start_time), zone.show_time(reservation.end_time));
    let with = other.name.as_str();
    let (subject, heading, intro) = match event {
        Notice::Confirmed => (
            format!("Confirmed: appointment with {with} on {when}"),
            "Your appointment is confirmed".to_owned(),
            "The calendar invite is attached.".to_owned(),
        ),
        Notice::Rescheduled => (
            format!("Moved: appointment with {with}, now {when}"),
            "Your appointment has moved".to_owned(),
            "It now takes place at the time below; the attached invite updates your calendar.".to_owned(),
        ),
        Notice::Cancelled => {
            let by = match (reservation.cancelled_by, side) {
                (Some(CancelledBy::Client), Side::Client) | (Some(CancelledBy::Provider), Side::Provider) => "you",
                (Some(CancelledBy::Client), Side::Provider) => "the client",
                (Some(CancelledBy::Provider), Side::Client) => "the provider",
                (None, _) => "the service",
            };
            (
                format!("Cancelled: appointment with {with} on {when}"),
                "Your appointment is cancelled".to_owned(),
                format!("It was cancelled by {by}; the attached invite removes it from your calendar."),
            )
        }
        Notice::Reminder => (
            format!("Reminder: appointment with {with} on {when}"),
            "A reminder of your appointment".to_owned(),
            "See you then.".to_owned(),
        ),
    };
    let reason = match event {
        Notice::Cancelled => reservation.cancel_reason.as_ref().map(|r| r.as_str()),
        _ => None,
    };
    let footer = format!("Times are shown in {}; change it in your booking profile.", zone.name());
    let render = |err: askama::Error| BuildError(err.to_string());
    let html = Html { subject: &subject, heading: &heading, intro: &intro, when: &when, with, reason, footer: &footer }
        .render()
        .map_err(render)?;
    let text = Text { heading: &heading, intro: &intro, when: &when, with, reason, footer: &footer }
        .render()
        .map_err(render)?;
    let domain = from.rsplit_once('@').map_or("localhost", |(_, domain)| domain);
    let mut message = MessageBuilder::new()
        .from(("Bookings", from))
        .to(to)
        .subject(subject.as_str())
        .date(now.timestamp())
        .message_id(format!("{}.{}.{sequence}.{}@{domain}", reservation.reservation_id, event.as_str(), side.as_str()));
    let body = MimePart::new(
        "multipart/alternative",
        vec![MimePart::new("text/plain", text), MimePart::new("text/html", html)],
    );
    message = if event == Notice::Reminder {
        message.body(body)
    } else {
        let method = if event == Notice::Cancelled { Method::Cancel } else { Method::Request };
        let summary = format!("Appointment with {with}");
        let description = match reason {
            Some(reason) => format!("{intro} Reason: {reason}"),
            None => intro.clone(),
        };
        let organizer_email = parties.provider.email.as_deref().unwrap_or(from);
        let attendee_email = parties.client.email.as_deref().unwrap_or(from);
        let ics = Invite {
            reservation_id: &reservation.reservation_id,
            sequence,
            method,
            start: reservation.start_time,
            end: reservation.end_time,
            summary: &summary,
            description: &description,
            organizer: Person { name: &parties.provider.name, email: organizer_email },
            attendee: Person { name: &parties.client.name, email: attendee_email },
            stamp: now,
        }
        .render();
        let calendar = MimePart::new(
            ContentType::new("text/calendar").attribute("charset", "utf-8").attribute("method", method.as_str()),
            ics,
        )
        .attachment("invite.ics");
        message.body(MimePart::new("multipart/mixed", vec![body, calendar]))
    };
    let raw = message.write_to_vec().map_err(|err| BuildError(err.to_string()))?;
    Ok(Some(Email { to: to.to_owned(), raw }))
}
