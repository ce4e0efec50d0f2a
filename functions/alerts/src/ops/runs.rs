//! Alert runs. Every minute the dispatcher reads the due alerts (by key, from the due index),
//! groups them by search (normalised phrase, currency, price limit) and puts one message per
//! group on the runs queue. The worker searches once per group (or reuses a search younger than
//! `ALERTS_SEARCH_CACHE_SECONDS`), then for each alert claims its period, sends its email and
//! records what it carried.
//!
//! `now` comes from the scheduled event's time and travels in the message, so tests (and a
//! replayed schedule) drive any clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use futures::{StreamExt, TryStreamExt, stream};
use serde::Serialize;
use shared::{config::ConfigError, dynamo::StoreError, mail::MailError, time::Timestamp};

use super::Mail;
use crate::{
    domain::{Alert, Product, Products, alert::next_period, product::cheapest, token::Subject},
    email::{self, Wording},
    marketplace::{Marketplace, MarketplaceError, Search},
    queue::{Due, ObservationMessage, Queue, QueueError, RunMessage},
    store::{DUE_SHARDS, DueAlert, Store},
};

/// Alerts per runs message: a group larger than this (a popular phrase) is split, each part
/// reusing the first part's cached search.
pub const ALERTS_PER_MESSAGE: usize = 100;
/// Emails of one message sent at once.
const SENDS_IN_FLIGHT: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// What a dispatch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Dispatched {
    pub alerts: usize,
    pub searches: usize,
    pub messages: usize,
}

/// The due alerts at `now`, grouped by search, in messages of at most [`ALERTS_PER_MESSAGE`].
pub fn group(due: Vec<DueAlert>, now: Timestamp) -> Vec<RunMessage> {
    let mut groups: BTreeMap<Search, Vec<Due>> = BTreeMap::new();
    for alert in due {
        let search = Search { phrase: alert.phrase_key, currency: alert.currency, max_price: alert.max_price };
        groups.entry(search).or_default().push(Due {
            owner: alert.owner,
            alert_id: alert.alert_id,
            period: alert.next_run_at,
            frequency_minutes: alert.frequency_minutes,
        });
    }
    groups
        .into_iter()
        .flat_map(|(search, alerts)| {
            alerts
                .chunks(ALERTS_PER_MESSAGE)
                .map(|part| RunMessage { search: search.clone(), now, alerts: part.to_vec() })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Finds the alerts due at `now` and queues their runs. Running twice for the same minute
/// queues the same work twice, which the worker's claims make harmless.
pub async fn dispatch(store: &Store, queue: &Queue, now: Timestamp) -> Result<Dispatched, DispatchError> {
    let shards: Vec<Vec<DueAlert>> =
        stream::iter(0..DUE_SHARDS).then(|shard| store.due(shard, now)).try_collect().await?;
    let due: Vec<DueAlert> = shards.into_iter().flatten().collect();
    let alerts = due.len();
    let messages = group(due, now);
    let searches = messages.iter().map(|m| &m.search).collect::<BTreeSet<_>>().len();
    let batch: Vec<(RunMessage, i32)> = messages.into_iter().map(|m| (m, 0)).collect();
    queue.send_all(&batch).await?;
    Ok(Dispatched { alerts, searches, messages: batch.len() })
}

/// What the worker uses: the store, the marketplace (none: searches only the cache can answer),
/// how long a search is reused, the observation channel (none: nothing published) and the mail.
pub struct Worker<'a> {
    pub store: &'a Store,
    pub marketplace: Option<&'a Marketplace>,
    pub search_cache: std::time::Duration,
    pub observations: Option<&'a Queue>,
    pub mail: Mail<'a>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the worker is not configured: {0}")]
    NotConfigured(#[from] ConfigError),
    #[error(transparent)]
    Marketplace(#[from] MarketplaceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some emails could not be sent now; their alerts were released to be tried again.
    #[error("{failed} of {total} emails could not be sent now: {first}")]
    Unsent { failed: usize, total: usize, first: String },
}

/// What a run did, alert by alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// The search was answered from the cache.
    pub cached: bool,
    pub sent: usize,
    /// Claimed, but the search found nothing to send.
    pub empty: usize,
    /// Not due any more (another delivery had it, or its owner paused, changed or deleted it).
    pub skipped: usize,
    /// Refused by the mail service for good: the period is spent, the alert goes on.
    pub rejected: usize,
}

enum Outcome {
    Sent,
    Empty,
    Skipped,
    Rejected,
}

/// The listings of a search at `now`: the cached ones while fresh, else a new search (cached).
pub async fn search(worker: &Worker<'_>, search: &Search, now: Timestamp) -> Result<(Vec<Product>, bool), RunError> {
    let max_age = Duration::from_std(worker.search_cache).unwrap_or_default();
    if let Some(cached) = worker.store.cached_search(search).await?
        && cached.fetched_at <= now
        && now - cached.fetched_at < max_age
    {
        return Ok((cached.products, true));
    }
    let marketplace = worker.marketplace.ok_or(ConfigError::missing("EBAY_API_BASE_URL"))?;
    let products = marketplace.search(search).await?;
    let result = Products { fetched_at: now, products };
    if let Err(err) = worker.store.cache_search(search, &result).await {
        // Only sharing suffers: the next group searches again.
        tracing::warn!(%err, "could not cache a search result");
    }
    publish(worker.observations, search, &result).await;
    Ok((result.products, false))
}

/// Publishes a search's listings for the price history. Nothing here waits for insights: a
/// failure costs one observation and is logged.
async fn publish(channel: Option<&Queue>, search: &Search, result: &Products) {
    let Some(channel) = channel else { return };
    let message = ObservationMessage {
        search_phrase: &search.phrase,
        currency: &search.currency,
        observed_at: result.fetched_at,
        source: "alerts",
        products: &result.products,
    };
    if let Err(err) = channel.send(&message, 0).await {
        tracing::warn!(%err, "could not publish a search's observation");
    }
}

/// Runs one message: one search, then each alert's email, at most once per period. A search
/// that fails fails the message (retried by SQS, nothing claimed); an email that cannot be sent
/// now releases its alert and fails the message after the others are done, so the redelivery
/// sends only what is still due.
pub async fn run(worker: &Worker<'_>, message: &RunMessage) -> Result<RunReport, RunError> {
    let (products, cached) = search(worker, &message.search, message.now).await?;
    let chosen = cheapest(&products, message.search.max_price);
    let chosen = &chosen;
    let outcomes: Vec<Result<Outcome, String>> = stream::iter(message.alerts.clone())
        .map(|due| run_alert(worker, due, chosen, message.now))
        .buffer_unordered(SENDS_IN_FLIGHT)
        .collect()
        .await;
    let mut report = RunReport { cached, ..RunReport::default() };
    let mut failures = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Outcome::Sent) => report.sent += 1,
            Ok(Outcome::Empty) => report.empty += 1,
            Ok(Outcome::Skipped) => report.skipped += 1,
            Ok(Outcome::Rejected) => report.rejected += 1,
            Err(err) => failures.push(err),
        }
    }
    match failures.first() {
        None => Ok(report),
        Some(first) => {
            Err(RunError::Unsent { failed: failures.len(), total: message.alerts.len(), first: first.clone() })
        }
    }
}

async fn run_alert(worker: &Worker<'_>, due: Due, products: &[Product], now: Timestamp) -> Result<Outcome, String> {
    let next = next_period(due.period, due.frequency_minutes, now);
    let Some(alert) = worker
        .store
        .claim(&due.owner, &due.alert_id, due.period, next, due.frequency_minutes)
        .await
        .map_err(|err| err.to_string())?
    else {
        return Ok(Outcome::Skipped);
    };
    if products.is_empty() {
        return Ok(Outcome::Empty);
    }
    match send(worker.mail, &alert, products, due.period, now).await {
        Ok(()) => {
            if let Err(err) = worker.store.sent(&alert, now, products).await {
                // The email went; only `last_sent_at` and the products listing lag.
                tracing::warn!(alert_id = %alert.alert_id, %err, "email sent but not recorded");
            }
            Ok(Outcome::Sent)
        }
        Err(MailError::Rejected(reason)) => {
            tracing::error!(alert_id = %alert.alert_id, %reason, "the mail service refused the email; this period is skipped");
            Ok(Outcome::Rejected)
        }
        Err(MailError::Unavailable(reason)) => {
            match worker.store.release(&due.owner, &due.alert_id, due.period, next).await {
                Ok(true) => {}
                Ok(false) => tracing::info!(alert_id = %alert.alert_id, "not released: the alert changed meanwhile"),
                Err(err) => {
                    tracing::warn!(alert_id = %alert.alert_id, %err, "could not release the alert; this period is lost")
                }
            }
            Err(reason)
        }
    }
}

async fn send(
    mail: Mail<'_>,
    alert: &Alert,
    products: &[Product],
    period: Timestamp,
    now: Timestamp,
) -> Result<(), MailError> {
    let token = mail.tokens.issue(&Subject::Alert { owner: alert.owner.clone(), alert_id: alert.alert_id.clone() });
    let key = format!("alert.{}.{}", alert.alert_id, period.timestamp());
    let message =
        email::listing_email(mail.sender, alert, &Wording::alert(alert, products.len()), products, &token, &key, now)
            .map_err(|err| MailError::Rejected(err.to_string()))?;
    mail.mailer.send(&mail.sender.from, &message).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Currency, Frequency};

    fn due(owner: &str, phrase: &str, max: Option<i64>) -> DueAlert {
        DueAlert {
            owner: owner.into(),
            alert_id: format!("{owner}-{phrase}"),
            phrase_key: phrase.into(),
            currency: Currency::usd(),
            max_price: max.map(crate::domain::Cents),
            frequency_minutes: Frequency::try_from(10).unwrap(),
            next_run_at: shared::time::parse("2026-11-24T10:00:00Z").unwrap(),
        }
    }

    #[test]
    fn alerts_are_grouped_by_search() {
        let now = shared::time::parse("2026-11-24T10:00:30Z").unwrap();
        let mut alerts: Vec<DueAlert> = (0..250).map(|i| due(&format!("u{i}"), "lego", None)).collect();
        alerts.push(due("a", "lego", Some(5000)));
        alerts.push(due("b", "switch", None));
        let messages = group(alerts, now);
        // 250 of one search in three messages, and one message for each of the two others.
        assert_eq!(messages.len(), 5);
        assert_eq!(messages.iter().map(|m| m.alerts.len()).sum::<usize>(), 252);
        assert!(messages.iter().all(|m| m.alerts.len() <= ALERTS_PER_MESSAGE && m.now == now));
    }
}
