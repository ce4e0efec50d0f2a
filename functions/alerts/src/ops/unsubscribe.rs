//! What an email's unsubscribe link does: a token names one alert of one user; the page shows
//! it, the one-click POST unsubscribes it.

use shared::{dynamo::StoreError, time::Timestamp};

use crate::{
    App,
    domain::{Alert, token::Subject},
};

#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// Forged, altered, truncated, or no token at all.
    #[error("this unsubscribe link is not valid")]
    InvalidToken,
    /// The alert was deleted.
    #[error("this alert no longer exists")]
    NotFound,
    /// The function has no signing key: a deployment bug.
    #[error("unsubscribe links are not configured")]
    NotConfigured,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn subject(app: &App, token: Option<&str>) -> Result<Subject, UnsubscribeError> {
    let tokens = app.tokens.as_ref().ok_or(UnsubscribeError::NotConfigured)?;
    token.and_then(|t| tokens.read(t)).ok_or(UnsubscribeError::InvalidToken)
}

fn alert_of(subject: Subject) -> Result<(String, String), UnsubscribeError> {
    match subject {
        Subject::Alert { owner, alert_id } => Ok((owner, alert_id)),
        Subject::Insights { .. } => Err(UnsubscribeError::InvalidToken),
    }
}

/// The alert a token names, for the confirmation page.
pub async fn preview(app: &App, token: Option<&str>) -> Result<Alert, UnsubscribeError> {
    let (owner, alert_id) = alert_of(subject(app, token)?)?;
    app.store.get(&owner, &alert_id).await?.ok_or(UnsubscribeError::NotFound)
}

/// Unsubscribes the alert a token names (again is harmless).
pub async fn unsubscribe(app: &App, token: Option<&str>, now: Timestamp) -> Result<Alert, UnsubscribeError> {
    let (owner, alert_id) = alert_of(subject(app, token)?)?;
    app.store.unsubscribe(&owner, &alert_id, now).await?.ok_or(UnsubscribeError::NotFound)
}
