//! `/alerts/v1/preferences`: the caller's email and whether they get insight emails.

use shared::{
    auth::Caller,
    http::{self, Outcome, Request},
};

use super::views::PreferencesView;
use crate::{App, domain::request::PreferencesBody, ops::preferences};

/// GET /alerts/v1/preferences: `{email, insights}` (insight emails are on by default).
pub async fn preferences(app: &App, caller: Caller, _: Request) -> Outcome {
    let preferences = preferences::get(&app.store, &caller.sub, caller.verified_email()).await?;
    http::ok(&PreferencesView::from(&preferences))
}

/// PATCH /alerts/v1/preferences `{"insights": bool}`.
pub async fn update_preferences(app: &App, caller: Caller, req: Request) -> Outcome {
    let insights = http::parse_json::<PreferencesBody>(&req)?.insights()?;
    let preferences = preferences::set_insights(&app.store, &caller.sub, caller.verified_email(), insights).await?;
    http::ok(&PreferencesView::from(&preferences))
}
