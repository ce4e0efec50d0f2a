//! The insights side of the observation channel: the recorder keeps each listing's lowest price
//! per phrase and day, and mails "price drop" notices to the owners of alerts whose target price
//! a fresh observation meets; and the insights of an alert, read from the history by key.

use chrono::{Duration, NaiveDate};
use futures::{StreamExt, stream};
use shared::{
    dynamo::{Refusal, StoreError},
    mail::MailError,
    retry::Backoff,
    time::Timestamp,
};

use super::Mail;
use crate::{
    domain::{
        Alert, Product,
        history::{Observation, lower},
        insights::{self, Insights},
        token::Subject,
    },
    email::{self, Wording},
    ops::manage::{self, AlertError},
    store::Store,
};

/// Attempts of a day's write that met a concurrent recorder.
const ATTEMPTS: u32 = 6;
/// An observation older than this names no listing to anyone: it is history (a backfill), not
/// news.
pub const NEWS_WITHIN: Duration = Duration::minutes(15);
/// A listing is named to an alert's owner at most once in this long.
pub const NOTICE_EVERY: Duration = Duration::hours(24);

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the day's history stayed contended; try again")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some notices could not be sent now (released, to be sent on the redelivery).
    #[error("{0} price drop emails could not be sent now: {1}")]
    Unsent(usize, String),
}

/// What recording an observation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recorded {
    /// The day changed (a listing was new or cheaper than recorded).
    pub changed: bool,
    /// Price drop emails sent.
    pub notices: usize,
}

/// Records `observation` into its day (only ever lowering prices: a repeat or an older
/// observation changes nothing), then, if it is news, mails the target notices it calls for.
/// `history_days` is how long days are kept; `mail` sends the notices.
pub async fn record(
    store: &Store,
    mail: Mail<'_>,
    observation: &Observation,
    now: Timestamp,
    history_days: i64,
) -> Result<Recorded, RecordError> {
    let date = observation.date();
    let ttl = (date + Duration::days(history_days + 1)).and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    let mut backoff = Backoff::new(ATTEMPTS);
    let changed = loop {
        let (mut day, version) = match store.history_day(&observation.currency, &observation.phrase, date).await? {
            Some((day, version)) => (day, Some(version)),
            None => (Default::default(), None),
        };
        if !lower(&mut day, &observation.listings) {
            break false;
        }
        match store.put_history_day(&observation.currency, &observation.phrase, date, &day, version, ttl).await? {
            Ok(()) => break true,
            Err(Refusal::Condition(()) | Refusal::Conflict) if backoff.wait().await => {}
            Err(_) => return Err(RecordError::Contended),
        }
    };
    let notices =
        if observation.observed_at >= now - NEWS_WITHIN { notify_targets(store, mail, observation).await? } else { 0 };
    Ok(Recorded { changed, notices })
}

/// One email per alert whose target the observation meets, naming the listings at or below it
/// that were not named to it in the last 24 hours.
async fn notify_targets(store: &Store, mail: Mail<'_>, observation: &Observation) -> Result<usize, RecordError> {
    let alerts = store.targets(&observation.currency, &observation.phrase).await?;
    if alerts.is_empty() {
        return Ok(0);
    }
    let outcomes: Vec<Result<bool, String>> =
        stream::iter(alerts).map(|alert| notify(store, mail, alert, observation)).buffer_unordered(4).collect().await;
    let mut sent = 0;
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(err) => failures.push(err),
        }
    }
    match failures.first() {
        None => Ok(sent),
        Some(first) => Err(RecordError::Unsent(failures.len(), first.clone())),
    }
}

async fn notify(store: &Store, mail: Mail<'_>, alert: Alert, observation: &Observation) -> Result<bool, String> {
    let Some(target) = alert.target_price else { return Ok(false) };
    let mut candidates: Vec<&Product> = observation.listings.iter().filter(|p| p.total_price <= target).collect();
    candidates.sort_by(|a, b| a.total_price.cmp(&b.total_price).then_with(|| a.item_id.cmp(&b.item_id)));
    candidates.dedup_by(|a, b| a.item_id == b.item_id);
    let now = observation.observed_at;
    let until = now + NOTICE_EVERY;
    let mut named = Vec::new();
    for product in candidates.into_iter().take(crate::domain::product::PER_EMAIL) {
        match store.claim_notice(&alert, &product.item_id, now, until).await {
            Ok(Ok(())) => named.push(product.clone()),
            Ok(Err(_)) => {} // named within the last 24 hours
            Err(err) => {
                release(store, &alert, &named, until).await;
                return Err(err.to_string());
            }
        }
    }
    if named.is_empty() {
        return Ok(false);
    }
    let token = mail.tokens.issue(&Subject::Alert { owner: alert.owner.clone(), alert_id: alert.alert_id.clone() });
    let key = format!("drop.{}.{}", alert.alert_id, now.timestamp_millis());
    let wording = Wording::price_drop(&alert, target, named.len());
    let sent = match email::listing_email(mail.sender, &alert, &wording, &named, &token, &key, now) {
        Ok(message) => mail.mailer.send(&mail.sender.from, &message).await.map(|_| ()),
        Err(err) => Err(MailError::Rejected(err.to_string())),
    };
    match sent {
        Ok(()) => Ok(true),
        Err(MailError::Rejected(reason)) => {
            tracing::error!(alert_id = %alert.alert_id, %reason, "the mail service refused a price drop email");
            Ok(false)
        }
        Err(MailError::Unavailable(reason)) => {
            release(store, &alert, &named, until).await;
            Err(reason)
        }
    }
}

async fn release(store: &Store, alert: &Alert, named: &[Product], until: Timestamp) {
    for product in named {
        if let Err(err) = store.release_notice(alert, &product.item_id, until).await {
            tracing::warn!(alert_id = %alert.alert_id, %err, "a notice claim could not be released");
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InsightsError {
    #[error(transparent)]
    Alert(#[from] AlertError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The insights of the caller's alert over the last `days` UTC days up to `today`, read by key.
pub async fn of_alert(
    store: &Store,
    owner: &str,
    alert_id: &str,
    days: u32,
    today: NaiveDate,
) -> Result<Insights, InsightsError> {
    let alert = manage::get(store, owner, alert_id).await?;
    of_phrase(store, &alert, days, today).await
}

pub async fn of_phrase(store: &Store, alert: &Alert, days: u32, today: NaiveDate) -> Result<Insights, InsightsError> {
    let first = today - Duration::days(i64::from(days) - 1);
    let history = store.history(&alert.currency, &alert.phrase_key(), first, today).await?;
    Ok(insights::compute(&alert.search_phrase, &alert.currency, &history))
}
