//! Insight emails. A schedule fires every minute; the first firing of each period
//! (`ALERTS_INSIGHTS_EVERY_SECONDS`) fans out one message per user with insight emails on. The
//! mailer claims the user's period (one email per user and period, whatever the redeliveries and
//! doubled schedules) and sends one email covering each of their active alerts with at least two
//! days of history: the insights in words and a chart of the daily lowest and median price.

use chrono::Duration;
use serde::Serialize;
use shared::{
    dynamo::{Refusal, StoreError},
    mail::MailError,
    time::Timestamp,
};

use super::Mail;
use crate::{
    chart,
    domain::{Alert, Cents, Status, insights::Insights, token::Subject},
    email::{self, Section},
    ops::history::{self, InsightsError},
    queue::{DigestMessage, Queue, QueueError},
    store::Store,
};

/// The days an insight email looks back over.
pub const INSIGHT_DAYS: u32 = 14;

/// The period `now` falls in.
pub fn period_of(now: Timestamp, every_seconds: u64) -> String {
    format!("P{}", now.timestamp().div_euclid(every_seconds.max(60) as i64))
}

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the insight email could not be sent now: {0}")]
    Unsent(String),
}

impl From<InsightsError> for DigestError {
    fn from(err: InsightsError) -> Self {
        match err {
            InsightsError::Store(err) => DigestError::Store(err),
            InsightsError::Alert(err) => DigestError::Store(StoreError::Unexpected(err.to_string())),
        }
    }
}

/// Fans out the period's insight emails, once per period (the run is marked done); `on_demand`
/// makes a period of its own, now (a newcomer's `make insights`). `every_seconds` is the period.
pub async fn dispatch(
    store: &Store,
    queue: &Queue,
    every_seconds: u64,
    now: Timestamp,
    on_demand: bool,
) -> Result<usize, DigestError> {
    let period = if on_demand { format!("D{}", now.timestamp_millis()) } else { period_of(now, every_seconds) };
    if !on_demand && store.insights_ran(&period).await? {
        return Ok(0);
    }
    let owners = store.insight_subscribers().await?;
    let messages: Vec<(DigestMessage, i32)> =
        owners.into_iter().map(|owner| (DigestMessage { owner, period: period.clone(), now }, 0)).collect();
    queue.send_all(&messages).await?;
    // Marked after the fan-out: a run that failed half-way runs again at the next minute, and
    // the users it reached are not mailed twice (their claims).
    store.mark_insights_run(&period, messages.len(), now + Duration::seconds(2 * every_seconds as i64)).await?;
    Ok(messages.len())
}

/// What one user's insight email came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Digest {
    Sent {
        alerts: usize,
    },
    /// No active alert with two days of history: nothing to say, nothing sent (the period is
    /// spent all the same).
    Nothing,
    /// Claimed before: another delivery sent it.
    AlreadySent,
    /// The user turned insight emails off.
    Off,
    /// The mail service refused it for good (logged).
    Rejected,
}

fn money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round() as i64;
    format!("{} {currency}", Cents(cents))
}

/// The insights of an alert, in words.
pub fn in_words(insights: &Insights) -> Vec<String> {
    let currency = insights.currency.as_str();
    let mut lines = Vec::new();
    if let (Some(first), Some(last), Some(change)) =
        (insights.days.first(), insights.days.last(), insights.median_change_pct)
    {
        let direction = if change > 0.0 {
            "rose"
        } else if change < 0.0 {
            "fell"
        } else {
            "held"
        };
        lines.push(format!(
            "The median of the 20 cheapest {direction} from {} to {} ({change:+.2}%) between {} and {}.",
            money(first.median_price, currency),
            money(last.median_price, currency),
            first.date,
            last.date
        ));
    }
    if let Some(lowest) = &insights.lowest {
        lines.push(format!(
            "Lowest price seen: {} {currency} for \u{201c}{}\u{201d} on {}.",
            lowest.price, lowest.title, lowest.date
        ));
    }
    match insights.price_drops.as_slice() {
        [] => lines.push("No listing seen more than once got cheaper.".into()),
        [first, rest @ ..] => lines.push(format!(
            "{} price {}; the largest: \u{201c}{}\u{201d} from {} to {} {currency} ({:+.2}%).",
            1 + rest.len(),
            if rest.is_empty() { "drop" } else { "drops" },
            first.title,
            first.from_price,
            first.to_price,
            first.change_pct
        )),
    }
    if !insights.at_lowest.is_empty() {
        lines.push(format!("{} listings are at their lowest price of the period now.", insights.at_lowest.len()));
    }
    lines
}

async fn section(store: &Store, alert: &Alert, today: chrono::NaiveDate) -> Result<Option<Section>, DigestError> {
    let insights = history::of_phrase(store, alert, INSIGHT_DAYS, today).await?;
    if insights.days.len() < 2 {
        return Ok(None);
    }
    let chart = match chart::price_chart(&insights.days, insights.currency.as_str()) {
        Ok(png) => Some(png),
        Err(err) => {
            tracing::warn!(alert_id = %alert.alert_id, %err, "the email goes without its chart");
            None
        }
    };
    Ok(Some(Section { phrase: alert.search_phrase.clone(), lines: in_words(&insights), chart }))
}

/// Sends one user's insight email of a period, at most once. `every_seconds` is the period.
pub async fn send(
    store: &Store,
    mail: Mail<'_>,
    every_seconds: u64,
    message: &DigestMessage,
) -> Result<Digest, DigestError> {
    let Some(profile) = store.profile(&message.owner).await? else { return Ok(Digest::Nothing) };
    let Some(to) = profile.email.clone() else { return Ok(Digest::Nothing) };
    if !profile.insights {
        return Ok(Digest::Off);
    }
    // Claimed before the history is read: a redelivered message costs one refused write, not
    // every alert's insights and charts again.
    let expires = message.now + Duration::seconds(2 * every_seconds as i64).max(Duration::days(2));
    match store.claim_insights(&message.owner, &message.period, expires).await? {
        Ok(()) => {}
        Err(Refusal::Condition(()) | Refusal::Conflict) => return Ok(Digest::AlreadySent),
    }
    let alerts: Vec<Alert> =
        store.alerts_of(&message.owner).await?.into_iter().filter(|a| a.status == Status::Active).collect();
    let today = message.now.date_naive();
    let mut sections = Vec::new();
    for alert in &alerts {
        if let Some(section) = section(store, alert, today).await? {
            sections.push(section);
        }
    }
    if sections.is_empty() {
        return Ok(Digest::Nothing);
    }
    let token = mail.tokens.issue(&Subject::Insights { owner: message.owner.clone() });
    let key = format!("insights.{}", message.period);
    let built = email::insights_email(mail.sender, &to, &sections, every_seconds, &token, &key, "alerts", message.now);
    let sent = match built {
        Ok(email) => mail.mailer.send(&mail.sender.from, &email).await.map(|_| ()),
        Err(err) => Err(MailError::Rejected(err.to_string())),
    };
    match sent {
        Ok(()) => Ok(Digest::Sent { alerts: sections.len() }),
        Err(MailError::Rejected(reason)) => {
            tracing::error!(%reason, "the mail service refused an insight email; this period is skipped");
            Ok(Digest::Rejected)
        }
        Err(MailError::Unavailable(reason)) => {
            if let Err(err) = store.release_insights(&message.owner, &message.period).await {
                tracing::warn!(%err, "an insight claim could not be released; this period is lost");
            }
            Err(DigestError::Unsent(reason))
        }
    }
}
