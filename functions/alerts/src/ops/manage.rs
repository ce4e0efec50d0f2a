//! A user's alerts: create, list, read, change, delete, and what the last email carried.

use shared::{
    dynamo::{Page, Refusal, StoreError},
    quota::{Quota, QuotaError},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    domain::{Alert, AlertChange, NewAlert, Products, alert::MAX_ALERTS_PER_USER},
    store::{Part, Store},
};

/// Attempts of a write that met a concurrent transaction on the same items.
const ATTEMPTS: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("no alert {0}")]
    NotFound(String),
    #[error("you already have an alert for this search phrase")]
    Exists,
    #[error("you have {MAX_ALERTS_PER_USER} alerts, the most allowed; delete one first")]
    TooMany,
    /// Past the user's quota of alerts created a day.
    #[error(transparent)]
    Quota(#[from] QuotaError),
    /// Concurrent changes to the same alert kept winning.
    #[error("the alert was changed at the same moment by another request; try again")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new alert id: its creation time first, so that ids sort newest last (the listing reads
/// them backwards), then randomness.
pub fn new_alert_id(now: Timestamp) -> String {
    let random = shared::ids::new_id().replace('-', "");
    format!("{}-{}", now.format("%Y%m%d%H%M%S%3f"), &random[..12])
}

/// Creates an alert within the user's daily quota of new alerts (`quota`). The route's own limit
/// is told first: a user past the quota who also has the most alerts allowed hears
/// `too_many_alerts` (a read only then). The attempt counts, accepted or not.
pub async fn create_within_quota(
    store: &Store,
    quota: &Quota,
    owner: &str,
    email: &str,
    new: NewAlert,
    now: Timestamp,
) -> Result<Alert, AlertError> {
    match quota.spend(owner, now).await {
        Err(QuotaError::Exceeded(exceeded)) => {
            let alerts = store.profile(owner).await?.map_or(0, |p| p.alerts);
            if alerts >= MAX_ALERTS_PER_USER {
                return Err(AlertError::TooMany);
            }
            return Err(QuotaError::Exceeded(exceeded).into());
        }
        other => other?,
    }
    create(store, owner, email, new, now).await
}

/// Creates an alert (no quota: tools and tests; the route goes through [`create_within_quota`]).
pub async fn create(
    store: &Store,
    owner: &str,
    email: &str,
    new: NewAlert,
    now: Timestamp,
) -> Result<Alert, AlertError> {
    let alert = new.into_alert(new_alert_id(now), owner.to_owned(), email.to_owned(), now);
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        match store.create(&alert).await? {
            Ok(()) => return Ok(alert),
            Err(Refusal::Condition(Part::Phrase)) => return Err(AlertError::Exists),
            Err(Refusal::Condition(Part::Profile)) => return Err(AlertError::TooMany),
            Err(Refusal::Condition(_)) => return Err(AlertError::Contended),
            Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(Refusal::Conflict) => return Err(AlertError::Contended),
        }
    }
}

pub async fn get(store: &Store, owner: &str, alert_id: &str) -> Result<Alert, AlertError> {
    if !shared::ids::is_plausible(alert_id) {
        return Err(AlertError::NotFound(shared::ids::shown(alert_id)));
    }
    store.get(owner, alert_id).await?.ok_or_else(|| AlertError::NotFound(alert_id.to_owned()))
}

/// A page of the owner's alerts, newest first, after the alert `after`.
pub async fn list(store: &Store, owner: &str, after: Option<&str>, limit: usize) -> Result<Page<Alert>, AlertError> {
    Ok(store.list(owner, after, limit).await?)
}

/// Applies `change` to the caller's alert, against what was read (a concurrent change makes it
/// read again and reapply).
pub async fn update(store: &Store, owner: &str, alert_id: &str, change: &AlertChange) -> Result<Alert, AlertError> {
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        let current = get(store, owner, alert_id).await?;
        let next = change.apply(&current, time::now());
        match store.update(&current, &next).await? {
            Ok(()) => return Ok(next),
            Err(Refusal::Condition(Part::Phrase)) => return Err(AlertError::Exists),
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(AlertError::Contended),
        }
    }
}

pub async fn delete(store: &Store, owner: &str, alert_id: &str) -> Result<(), AlertError> {
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        let alert = get(store, owner, alert_id).await?;
        match store.delete_alert(&alert).await? {
            Ok(()) => return Ok(()),
            // Deleted by a concurrent request: gone either way.
            Err(Refusal::Condition(Part::Alert)) => return Err(AlertError::NotFound(alert_id.to_owned())),
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(AlertError::Contended),
        }
    }
}

/// Deletes every alert of the user and their preferences (their whole partition); how many
/// items went. Nothing to delete is no error.
pub async fn delete_everything(store: &Store, owner: &str) -> Result<usize, AlertError> {
    Ok(store.delete_user(owner).await?)
}

/// What the alert's last email carried: `None` before its first email.
pub async fn products(store: &Store, owner: &str, alert_id: &str) -> Result<Option<Products>, AlertError> {
    get(store, owner, alert_id).await?;
    Ok(store.products(owner, alert_id).await?)
}
