//! A user's preferences: their email (the one alerts are mailed to) and whether they get insight
//! emails (on by default, before the user has a profile).

use shared::dynamo::StoreError;

use crate::store::Store;

/// What `/preferences` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The profile's email, else the caller's verified one (none: the token carries none).
    pub email: Option<String>,
    pub insights: bool,
}

/// The caller's preferences; `verified_email` is the caller's token's, if verified.
pub async fn get(store: &Store, owner: &str, verified_email: Option<&str>) -> Result<Preferences, StoreError> {
    let profile = store.profile(owner).await?;
    let email = profile.as_ref().and_then(|p| p.email.clone()).or_else(|| verified_email.map(str::to_owned));
    Ok(Preferences { email, insights: profile.is_none_or(|p| p.insights) })
}

/// Turns the caller's insight emails on or off (making their profile, with their verified email,
/// if they have none).
pub async fn set_insights(
    store: &Store,
    owner: &str,
    verified_email: Option<&str>,
    insights: bool,
) -> Result<Preferences, StoreError> {
    let profile = store.set_insights(owner, verified_email, insights).await?;
    Ok(Preferences { email: profile.email.or_else(|| verified_email.map(str::to_owned)), insights: profile.insights })
}
