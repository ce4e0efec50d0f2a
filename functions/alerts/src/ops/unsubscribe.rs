//! What an email's unsubscribe link does: a token names one alert of one user; the page shows
//! it, the one-click POST unsubscribes it.

use shared::{config::ConfigError, dynamo::StoreError, time::Timestamp};

use crate::{
    domain::{
        Alert,
        token::{Subject, Tokens},
    },
    store::Store,
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
    #[error("unsubscribe links are not configured: {0}")]
    NotConfigured(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn subject(tokens: &Tokens, token: Option<&str>) -> Result<Subject, UnsubscribeError> {
    token.and_then(|t| tokens.read(t)).ok_or(UnsubscribeError::InvalidToken)
}

/// What a link unsubscribes from, as its page names it.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// One alert's emails.
    Alert(Box<Alert>),
    /// The user's insight emails; `true` while they are on.
    Insights(bool),
}

/// What a token names, for the confirmation page.
pub async fn preview(store: &Store, tokens: &Tokens, token: Option<&str>) -> Result<Target, UnsubscribeError> {
    match subject(tokens, token)? {
        Subject::Alert { owner, alert_id } => {
            store.get(&owner, &alert_id).await?.map(|a| Target::Alert(Box::new(a))).ok_or(UnsubscribeError::NotFound)
        }
        Subject::Insights { owner } => Ok(Target::Insights(store.profile(&owner).await?.is_none_or(|p| p.insights))),
    }
}

/// Unsubscribes what a token names (again is harmless).
pub async fn unsubscribe(
    store: &Store,
    tokens: &Tokens,
    token: Option<&str>,
    now: Timestamp,
) -> Result<Target, UnsubscribeError> {
    match subject(tokens, token)? {
        Subject::Alert { owner, alert_id } => store
            .unsubscribe(&owner, &alert_id, now)
            .await?
            .map(|a| Target::Alert(Box::new(a)))
            .ok_or(UnsubscribeError::NotFound),
        Subject::Insights { owner } => {
            store.set_insights(&owner, None, false).await?;
            Ok(Target::Insights(false))
        }
    }
}
