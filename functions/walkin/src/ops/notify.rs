//! The notifier: what a notices message asks for, claimed and sent. "Almost your turn" goes to
//! whoever is first or second in line when the message is handled, once per ticket; "please go
//! to desk N" to the called ticket, once per call. Each is claimed on its ticket before it is
//! sent ([`Store::claim_almost`], [`Store::claim_call`]): a redelivered message or two messages
//! handled at once send nothing twice, and a ticket no longer waiting or called (cancelled,
//! served) is told nothing. A failing SMS or mail service is retried a few times, then the
//! notice is given up (logged): it never holds up the queue or the next notice.

use shared::{
    dynamo::StoreError,
    mail::{Email, MailError, Mailer},
    retry::Backoff,
    time,
};

use super::ALMOST_POSITION;
use crate::{
    domain::{self, Channel, Notice, Ticket, TicketStatus, Tier},
    queue::{CallNotice, NoticeMessage},
    sms::{Sms, SmsError},
    store::Store,
};

/// Attempts at sending one notice (each SDK call retries on its own too).
pub const SEND_ATTEMPTS: u32 = 3;

/// What the notifier sends with.
pub struct Notifier<'a> {
    pub store: &'a Store,
    pub sms: &'a Sms,
    pub mailer: &'a Mailer,
    /// The sender address of email notices; without it, customers who chose email are not told.
    pub from: Option<&'a str>,
    /// `WALKIN_SMS_DEFAULT_COUNTRY_CODE`, for numbers registered without one.
    pub country_code: &'a str,
}

/// What became of a message's notices.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub sent: u32,
    /// Already sent, no longer due, or nobody to tell (`notify: none`).
    pub skipped: u32,
    /// Given up after the service failed or refused.
    pub dropped: u32,
}

/// Handles one notices message. A store error is returned (the message comes back); a failed
/// send is not.
pub async fn deliver(notifier: &Notifier<'_>, message: &NoticeMessage) -> Result<Report, StoreError> {
    let mut report = Report::default();
    if let Some(call) = message.called {
        called(notifier, call, &mut report).await?;
    }
    if message.almost {
        for ticket in front(notifier.store).await? {
            almost(notifier, &ticket, &mut report).await?;
        }
    }
    Ok(report)
}

/// The first [`ALMOST_POSITION`] waiting tickets in serving order.
async fn front(store: &Store) -> Result<Vec<Ticket>, StoreError> {
    let head = Some(ALMOST_POSITION);
    let (state, vips, regulars) =
        tokio::try_join!(store.queue_state(), store.waiting(Tier::Vip, head), store.waiting(Tier::Regular, head))?;
    Ok(domain::serving_order(state.ratio, vips, regulars).into_iter().take(ALMOST_POSITION).collect())
}

async fn almost(notifier: &Notifier<'_>, waiting: &Ticket, report: &mut Report) -> Result<(), StoreError> {
    let Some(channel) = channel(notifier, waiting).await? else {
        report.skipped += 1;
        return Ok(());
    };
    if notifier.store.claim_almost(waiting.service_id, time::now()).await?.is_err() {
        report.skipped += 1;
        return Ok(());
    }
    send(notifier, &channel, &Notice::Almost { service_id: waiting.service_id }, report).await;
    Ok(())
}

async fn called(notifier: &Notifier<'_>, call: CallNotice, report: &mut Report) -> Result<(), StoreError> {
    let ticket = notifier.store.ticket(call.service_id).await?;
    let Some(ticket) = ticket.filter(|t| t.status == TicketStatus::Called && t.calls == call.call) else {
        report.skipped += 1;
        return Ok(());
    };
    let Some(channel) = channel(notifier, &ticket).await? else {
        report.skipped += 1;
        return Ok(());
    };
    if notifier.store.claim_call(call.service_id, call.call).await?.is_err() {
        report.skipped += 1;
        return Ok(());
    }
    let desk = ticket.desk.clone().unwrap_or_default();
    send(notifier, &channel, &Notice::Called { service_id: ticket.service_id, desk }, report).await;
    Ok(())
}

/// Where the ticket's customer is told, if anywhere (a customer since deleted: nowhere).
async fn channel(notifier: &Notifier<'_>, ticket: &Ticket) -> Result<Option<Channel>, StoreError> {
    let customer = notifier.store.customer(&ticket.phone_number).await?;
    let channel = customer.and_then(|c| domain::channel(&c, notifier.country_code));
    Ok(match channel {
        Some(Channel::Email(_)) if notifier.from.is_none() => {
            tracing::warn!(service_id = ticket.service_id, "no sender address for email notices; not told");
            None
        }
        other => other,
    })
}

/// A failure worth another attempt, or not.
enum Failure {
    Transient(String),
    Final(String),
}

async fn send(notifier: &Notifier<'_>, channel: &Channel, notice: &Notice, report: &mut Report) {
    let mut backoff = Backoff::new(SEND_ATTEMPTS);
    loop {
        match send_once(notifier, channel, notice).await {
            Ok(()) => {
                report.sent += 1;
                return;
            }
            Err(Failure::Transient(reason)) if backoff.wait().await => {
                tracing::warn!(%reason, attempt = backoff.attempts(), "a notice failed; retrying");
            }
            Err(Failure::Transient(reason) | Failure::Final(reason)) => {
                tracing::error!(%reason, "a notice could not be sent; it is given up");
                report.dropped += 1;
                return;
            }
        }
    }
}

async fn send_once(notifier: &Notifier<'_>, channel: &Channel, notice: &Notice) -> Result<(), Failure> {
    match channel {
        Channel::Sms(to) => match notifier.sms.send(to, &notice.text()).await {
            Ok(_) => Ok(()),
            Err(SmsError::Unavailable(reason)) => Err(Failure::Transient(reason)),
            Err(SmsError::Rejected(reason)) => Err(Failure::Final(reason)),
        },
        Channel::Email(to) => {
            let from = notifier.from.unwrap_or_default();
            let raw = mail_builder::MessageBuilder::new()
                .from(from)
                .to(to.as_str())
                .subject(notice.subject())
                .text_body(notice.text())
                .write_to_vec()
                .map_err(|err| Failure::Final(err.to_string()))?;
            match notifier.mailer.send(from, &Email { to: to.clone(), raw }).await {
                Ok(_) => Ok(()),
                Err(MailError::Unavailable(reason)) => Err(Failure::Transient(reason)),
                Err(MailError::Rejected(reason)) => Err(Failure::Final(reason)),
            }
        }
    }
}
