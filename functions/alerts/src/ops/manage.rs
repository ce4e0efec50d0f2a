//! A user's alerts: create, list, read, change, delete, and what the last email carried.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{Alert, AlertChange, NewAlert, alert::MAX_ALERTS_PER_USER},
    store::{Products, Role},
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

pub async fn create(app: &App, owner: &str, email: &str, new: NewAlert, now: Timestamp) -> Result<Alert, AlertError> {
    let alert = new.into_alert(new_alert_id(now), owner.to_owned(), email.to_owned(), now);
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        match app.store.create(&alert).await? {
            Ok(()) => return Ok(alert),
            Err(Refusal::Condition(Role::Phrase)) => return Err(AlertError::Exists),
            Err(Refusal::Condition(Role::Profile)) => return Err(AlertError::TooMany),
            Err(Refusal::Condition(_)) => return Err(AlertError::Contended),
            Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(Refusal::Conflict) => return Err(AlertError::Contended),
        }
    }
}

pub async fn get(app: &App, owner: &str, alert_id: &str) -> Result<Alert, AlertError> {
    if !shared::ids::is_plausible(alert_id) {
        return Err(AlertError::NotFound(shared::ids::shown(alert_id)));
    }
    app.store.get(owner, alert_id).await?.ok_or_else(|| AlertError::NotFound(alert_id.to_owned()))
}

pub async fn list(
    app: &App,
    owner: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<Alert>, Option<String>), AlertError> {
    Ok(app.store.list(owner, after, limit).await?)
}

/// Applies `change` to the caller's alert, against what was read (a concurrent change makes it
/// read again and reapply).
pub async fn update(app: &App, owner: &str, alert_id: &str, change: &AlertChange) -> Result<Alert, AlertError> {
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        let current = get(app, owner, alert_id).await?;
        let next = change.apply(&current, time::now());
        match app.store.update(&current, &next).await? {
            Ok(()) => return Ok(next),
            Err(Refusal::Condition(Role::Phrase)) => return Err(AlertError::Exists),
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(AlertError::Contended),
        }
    }
}

pub async fn delete(app: &App, owner: &str, alert_id: &str) -> Result<(), AlertError> {
    let mut backoff = Backoff::new(ATTEMPTS);
    loop {
        let alert = get(app, owner, alert_id).await?;
        match app.store.delete_alert(&alert).await? {
            Ok(()) => return Ok(()),
            // Deleted by a concurrent request: gone either way.
            Err(Refusal::Condition(Role::Alert)) => return Err(AlertError::NotFound(alert_id.to_owned())),
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(AlertError::Contended),
        }
    }
}

/// What the alert's last email carried: `None` before its first email.
pub async fn products(app: &App, owner: &str, alert_id: &str) -> Result<Option<Products>, AlertError> {
    get(app, owner, alert_id).await?;
    Ok(app.store.products(owner, alert_id).await?)
}
