//! The emails of a reservation's changes. A change that commits hands its notice to the notice
//! queue (with both sides as they are now) and, when it confirms or moves an appointment, the
//! reminder too, delayed until it is due; the booking never waits for the mail service, and a
//! failing one never undoes it: the mailer sends from the queue, and a message whose email could
//! not go is delivered again later. Each email is claimed (one conditional write) before it is
//! sent, so no redelivery sends it twice.

use chrono::Duration;
use shared::{
    dynamo::StoreError,
    mail::{Email, MailError, Mailer},
    retry::Backoff,
    time::Timestamp,
};

use crate::{
    Store,
    domain::{
        ExpiryStep, Notice, Parties, Party, Reservation, Side, Status, claim_key, expiry_step, notices_of, reminder_due,
    },
    email,
    queue::{NoticeMessage, Queue, QueueError},
};

/// Where notices go and when reminders are due.
#[derive(Clone, Copy)]
pub struct Notices<'a> {
    pub queue: &'a Queue,
    /// `BOOKING_REMINDER_SECONDS` (86400): how long before an appointment the client is reminded.
    pub reminder: Duration,
}

/// Both sides of `reservation` as their profiles are now (a missing profile: a nameless side
/// without an email).
pub async fn parties(store: &Store, reservation: &Reservation) -> Result<Parties, StoreError> {
    let (client, provider) =
        futures::try_join!(store.client(&reservation.client_id), store.provider(&reservation.provider_id))?;
    let unknown = |what: &str| Party { name: what.to_owned(), email: None, time_zone: Default::default() };
    Ok(Parties {
        client: client.map_or_else(
            || unknown("the client"),
            |c| Party {
                name: format!("{} {}", c.first_name.as_str(), c.last_name.as_str()),
                email: c.email,
                time_zone: c.time_zone,
            },
        ),
        provider: provider.map_or_else(
            || unknown("the provider"),
            |p| Party { name: p.name(), email: p.email, time_zone: p.time_zone },
        ),
    })
}

impl Notices<'_> {
    /// Announces `event`, which just changed `before` (the status it had) into `after`: queues
    /// its emails, and the reminder of an appointment confirmed or moved. Nothing is sent about a
    /// hold's own changes. A failure is logged, never the booking's: the booking stands.
    pub async fn announce(&self, store: &Store, event: Notice, before: Status, after: &Reservation, now: Timestamp) {
        if !notices_of(before, event) {
            return;
        }
        let parties = match parties(store, after).await {
            Ok(parties) => parties,
            Err(error) => {
                tracing::error!(reservation_id = %after.reservation_id, %error, "no notice: the profiles could not be read");
                return;
            }
        };
        self.announce_to(event, after, parties, now).await;
    }

    /// As [`Notices::announce`], with both sides given (read before a profile is deleted).
    pub async fn announce_to(&self, event: Notice, after: &Reservation, parties: Parties, now: Timestamp) {
        let mut messages = vec![NoticeMessage {
            event,
            reservation: after.clone(),
            sequence: after.sequence,
            parties: parties.clone(),
            due_at: None,
        }];
        if matches!(event, Notice::Confirmed | Notice::Rescheduled) && after.status == Status::Confirmed {
            messages.push(NoticeMessage {
                event: Notice::Reminder,
                reservation: after.clone(),
                sequence: after.sequence,
                parties,
                due_at: Some(reminder_due(after, self.reminder)),
            });
        }
        for message in messages {
            let delay = match message.due_at.map(|due| expiry_step(due, now)) {
                Some(ExpiryStep::Requeue(delay)) => delay,
                _ => 0,
            };
            if let Err(error) = send(self.queue, &message, delay).await {
                tracing::error!(reservation_id = %after.reservation_id, event = message.event.as_str(), %error, "notice not queued");
            }
        }
    }
}

/// Sends with a few retries: a notice lost here is an email never sent.
async fn send(queue: &Queue, message: &NoticeMessage, delay: i32) -> Result<(), QueueError> {
    let mut backoff = Backoff::new(4);
    loop {
        match queue.send(message, delay).await {
            Ok(()) => return Ok(()),
            Err(_) if backoff.wait().await => {}
            Err(error) => return Err(error),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Some email could not go now; the message is delivered again and sends what is left.
    #[error(transparent)]
    Mail(MailError),
    #[error(transparent)]
    Build(#[from] email::BuildError),
}

/// What one notice message did.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    /// A reminder not yet due, sent again with this delay.
    Waiting(i32),
    /// Nothing to send: a reminder of an appointment cancelled, moved or already begun.
    Stale,
    /// How many emails went now (claimed earlier ones are not sent again).
    Sent(usize),
}

/// The mailer: sends the emails of one notice message from `from`, each at most once.
pub async fn handle_notice(
    store: &Store,
    queue: &Queue,
    mailer: &Mailer,
    from: &str,
    mut message: NoticeMessage,
    now: Timestamp,
) -> Result<Handled, NoticeError> {
    if let Some(due) = message.due_at
        && let ExpiryStep::Requeue(delay) = expiry_step(due, now)
    {
        queue.send(&message, delay).await?;
        return Ok(Handled::Waiting(delay));
    }
    if message.event == Notice::Reminder {
        // Due: only for the appointment as it still is (not cancelled, not moved since).
        let current = store.reservation(&message.reservation.reservation_id).await?;
        match current {
            Some(r) if r.status == Status::Confirmed && r.sequence == message.sequence && r.start_time > now => {
                message.reservation = r;
            }
            _ => return Ok(Handled::Stale),
        }
        // The client's email and zone as they are now.
        if let Ok(parties) = parties(store, &message.reservation).await {
            message.parties.client = parties.client;
        }
    }
    let mut sent = 0;
    let mut unavailable = None;
    for &side in message.event.recipients() {
        let Some(email) = email::notice_email(
            from,
            message.event,
            &message.reservation,
            message.sequence,
            &message.parties,
            side,
            now,
        )?
        else {
            continue;
        };
        match send_once(store, mailer, from, &message, side, &email, now).await? {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(error) => unavailable = Some(error),
        }
    }
    match unavailable {
        Some(error) => Err(NoticeError::Mail(error)),
        None => Ok(Handled::Sent(sent)),
    }
}

/// Claims and sends one email: `Ok(true)` sent now, `Ok(false)` claimed before (or refused for
/// good by the mail service), `Err` the mail service is unavailable (the claim given up).
async fn send_once(
    store: &Store,
    mailer: &Mailer,
    from: &str,
    message: &NoticeMessage,
    side: Side,
    email: &Email,
    now: Timestamp,
) -> Result<Result<bool, MailError>, StoreError> {
    let claim = claim_key(&message.reservation.reservation_id, message.event, message.sequence, side);
    if store.claim_notice(&claim, now).await?.is_err() {
        return Ok(Ok(false));
    }
    match mailer.send(from, email).await {
        Ok(_) => {
            store.settle_notice(&claim, "sent").await?;
            Ok(Ok(true))
        }
        Err(MailError::Rejected(reason)) => {
            tracing::warn!(claim, %reason, "email refused by the mail service; not retried");
            store.settle_notice(&claim, "rejected").await?;
            Ok(Ok(false))
        }
        Err(error) => {
            store.release_notice(&claim).await?;
            Ok(Err(error))
        }
    }
}
