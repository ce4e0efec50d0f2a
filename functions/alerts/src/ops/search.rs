//! One search of a run: the cached listings while fresh (longer as the day's marketplace budget
//! runs low), else a new marketplace search paid from the stack's budget and the shares of the
//! owners it serves ([`crate::domain::budget`] says how a search is charged), cached and
//! published, signed, to the observation channel. Every search reports its cost as metrics.

use std::collections::BTreeSet;

use chrono::Duration;
use shared::{config::ConfigError, time::Timestamp};

use super::runs::{RunError, Worker};
use crate::{
    domain::{
        Products,
        budget::{STRETCHED_CACHE, cache_lifetime, percent},
    },
    marketplace::{Calls, Search},
    metrics::{self, Metric},
    queue::ObservationMessage,
    store::budget::{STACK_BUDGET, USER_SHARE},
};

/// What a run's search found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// Listings, as fetched at their `fetched_at`; `cached` when reused.
    Listings { result: Products, cached: bool },
    /// Not searched: the stack's budget, or the share of every owner it would serve, is spent.
    BudgetExhausted,
}

/// The listings of `search` at `now` for the alerts of `owners`.
pub async fn find(
    worker: &Worker<'_>,
    search: &Search,
    owners: &BTreeSet<&str>,
    now: Timestamp,
) -> Result<Found, RunError> {
    if let Some(result) = fresh(worker, search, now).await? {
        return Ok(Found::Listings { result, cached: true });
    }
    let store = worker.store;
    let table = store.table.name.as_str();
    // One conditional write per owner, in turn (a message serves at most 100 alerts).
    let mut payers: Vec<&str> = Vec::new();
    for owner in owners {
        if store.spend_counter(USER_SHARE, owner, worker.budget.user_share, now).await?.is_some() {
            payers.push(owner);
        }
    }
    if payers.is_empty() {
        tracing::info!(owners = owners.len(), "every owner's marketplace share is spent: not searched");
        metrics::emit(table, &[Metric::count("MarketplaceBudgetExhausted", 1)]);
        return Ok(Found::BudgetExhausted);
    }
    let Some(used) = store.spend_counter(STACK_BUDGET.0, STACK_BUDGET.1, worker.budget.daily, now).await? else {
        for owner in payers {
            if let Err(err) = store.refund_counter(USER_SHARE, owner, now).await {
                tracing::warn!(%err, "a share unit could not be given back");
            }
        }
        tracing::warn!("the stack's marketplace budget for today is spent: not searched");
        metrics::emit(table, &[Metric::count("MarketplaceBudgetExhausted", 1)]);
        return Ok(Found::BudgetExhausted);
    };
    let marketplace = worker.marketplace.ok_or(ConfigError::missing("EBAY_API_BASE_URL"))?;
    let mut calls = Calls::default();
    let searched = marketplace.search(search, &mut calls).await;
    metrics::emit(
        table,
        &[
            Metric::count("MarketplaceCalls", calls.requests),
            Metric::count("MarketplaceThrottled", calls.throttled),
            Metric::count("MarketplaceBudgetUsed", used),
            Metric::percent("MarketplaceBudgetUsedPercent", percent(used, worker.budget.daily)),
        ],
    );
    let result = Products { fetched_at: now, products: searched? };
    if let Err(err) = store.cache_search(search, &result).await {
        // Only sharing suffers: the next group searches again.
        tracing::warn!(%err, "could not cache a search result");
    }
    publish(worker, search, &result).await;
    Ok(Found::Listings { result, cached: false })
}

/// The cached result of `search` if it is young enough at `now`: younger than
/// `ALERTS_SEARCH_CACHE_SECONDS`, or, past it, younger than the lifetime the day's budget
/// allows (one more read, only then).
async fn fresh(worker: &Worker<'_>, search: &Search, now: Timestamp) -> Result<Option<Products>, RunError> {
    let Some(cached) = worker.store.cached_search(search).await? else { return Ok(None) };
    if cached.fetched_at > now {
        return Ok(None);
    }
    let age = now - cached.fetched_at;
    let lifetime = |d: std::time::Duration| Duration::from_std(d).unwrap_or_default();
    if age < lifetime(worker.search_cache) {
        return Ok(Some(cached));
    }
    if age >= lifetime(STRETCHED_CACHE.max(worker.search_cache)) {
        return Ok(None);
    }
    let used = worker.store.counter(STACK_BUDGET.0, STACK_BUDGET.1, now).await?;
    let allowed = cache_lifetime(worker.search_cache, used, worker.budget.daily);
    Ok((age < lifetime(allowed)).then_some(cached))
}

/// Publishes a search's listings for the price history, signed as our own. Nothing here waits
/// for insights: a failure costs one observation and is logged.
async fn publish(worker: &Worker<'_>, search: &Search, result: &Products) {
    let Some(channel) = worker.observations else { return };
    let message = ObservationMessage {
        search_phrase: &search.phrase,
        currency: &search.currency,
        observed_at: result.fetched_at,
        source: "alerts",
        products: &result.products,
    };
    let body = match serde_json::to_string(&message) {
        Ok(body) => body,
        Err(err) => return tracing::error!(%err, "an observation does not encode"),
    };
    let signature = worker.signer.map(|signer| signer.sign(&body));
    let attributes: Vec<(&str, &str)> = signature.iter().map(|s| ("signature", s.as_str())).collect();
    if let Err(err) = channel.send_text(&body, &attributes).await {
        tracing::warn!(%err, "could not publish a search's observation");
    }
}
