//! A user's alerts: `/alerts/v1/alerts` and `/alerts/v1/alerts/{alert_id}` (with its last
//! products and its insights). What a signed-in user may touch is their own alerts: each op reads
//! them under the caller's `sub`, so someone else's alert is not found.

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
    time,
};

use super::views::{AlertView, AlertsView, DeletedView, EverythingDeletedView, InsightsView, ProductsView};
use crate::{
    App,
    domain::{
        AlertChange, NewAlert,
        request::{AlertChangeBody, NewAlertBody},
    },
    ops::{history, manage},
};

/// Alerts a listing page holds: by default every alert a user may have.
const PAGE_DEFAULT: usize = 20;
const PAGE_MAX: usize = 100;

/// POST /alerts/v1/alerts: a new alert, mailed to the caller's verified email.
pub async fn create(app: &App, caller: Caller, req: Request) -> Outcome {
    let email = match (&caller.email, caller.verified_email()) {
        (_, Some(email)) => email.to_owned(),
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "email_required",
                "alerts are mailed to your email, which this token does not carry: sign in with an ID token",
            ));
        }
        (Some(_), None) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "email_not_verified",
                "verify your email address first: alerts are only mailed to verified addresses",
            ));
        }
    };
    let new: NewAlert = http::parse_json::<NewAlertBody>(&req)?.try_into()?;
    let alert =
        manage::create_within_quota(&app.store, &app.create_quota, &caller.sub, &email, new, time::now()).await?;
    http::created(&AlertView::from(&alert))
}

/// Where a page of alerts ends: the last alert id listed.
#[derive(Serialize, Deserialize)]
struct Mark {
    #[serde(rename = "a")]
    after: String,
}

/// GET /alerts/v1/alerts?limit=&cursor=: the caller's alerts, newest first.
pub async fn list(app: &App, caller: Caller, req: Request) -> Outcome {
    let query: PageQuery = http::parse_query(&req)?;
    let limit = query.limit(PAGE_DEFAULT, PAGE_MAX)?;
    // The listing names its owner, so a cursor is only good for the user it was issued to.
    let listing = format!("alerts/{}", caller.sub);
    let cursors = Cursors::configured(app.cursors.as_ref())?;
    let start = cursors.start::<Mark>(&listing, query.cursor.as_deref())?;
    let page = manage::list(&app.store, &caller.sub, start.as_ref().map(|m| m.after.as_str()), limit).await?;
    let next = page.next.map(|after| Mark { after });
    http::ok(&AlertsView {
        alerts: page.items.iter().map(AlertView::from).collect(),
        next_cursor: cursors.next(&listing, next.as_ref()),
    })
}

fn alert_id(req: &Request) -> Result<String, ApiError> {
    http::path_param(req, "alert_id")
}

/// GET /alerts/v1/alerts/{alert_id}: the caller's alert (someone else's is a 404).
pub async fn get(app: &App, caller: Caller, req: Request) -> Outcome {
    http::ok(&AlertView::from(&manage::get(&app.store, &caller.sub, &alert_id(&req)?).await?))
}

/// PATCH /alerts/v1/alerts/{alert_id}: change the phrase, frequency, prices, or pause/resume.
pub async fn update(app: &App, caller: Caller, req: Request) -> Outcome {
    let id = alert_id(&req)?;
    let change: AlertChange = http::parse_json::<AlertChangeBody>(&req)?.try_into()?;
    http::ok(&AlertView::from(&manage::update(&app.store, &caller.sub, &id, &change).await?))
}

/// DELETE /alerts/v1/alerts/{alert_id}.
pub async fn delete(app: &App, caller: Caller, req: Request) -> Outcome {
    let id = alert_id(&req)?;
    manage::delete(&app.store, &caller.sub, &id).await?;
    http::ok(&DeletedView::of(&id))
}

/// DELETE /alerts/v1/me: every alert of the caller and their preferences (`{deleted: true}`,
/// also when there was nothing to delete).
pub async fn delete_me(app: &App, caller: Caller, _: Request) -> Outcome {
    let items = manage::delete_everything(&app.store, &caller.sub).await?;
    tracing::info!(items, "a user deleted their alerts and preferences");
    http::ok(&EverythingDeletedView { deleted: true })
}

/// GET /alerts/v1/alerts/{alert_id}/products: what the last email carried (none yet: an empty
/// list without `fetched_at`).
pub async fn products(app: &App, caller: Caller, req: Request) -> Outcome {
    let products = manage::products(&app.store, &caller.sub, &alert_id(&req)?).await?;
    http::ok(&ProductsView::from(products.as_ref()))
}

/// Days an insights request may cover.
const MAX_INSIGHT_DAYS: u32 = 90;
/// Days an insights request covers without `days`.
const DEFAULT_INSIGHT_DAYS: u32 = 14;

/// `days` of an insights request: 1 to [`MAX_INSIGHT_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
struct Days(u32);

impl TryFrom<String> for Days {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        match raw.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_INSIGHT_DAYS).contains(&days) => Ok(Self(days)),
            _ => Err(format!("must be an integer from 1 to {MAX_INSIGHT_DAYS}, got {raw:?}")),
        }
    }
}

#[derive(Debug, Deserialize)]
struct InsightsQuery {
    #[serde(default)]
    days: Option<Days>,
}

/// GET /alerts/v1/alerts/{alert_id}/insights?days=14: the price history of the alert's phrase
/// over the last `days` UTC days, today included (no history yet: no days, not an error).
pub async fn insights(app: &App, caller: Caller, req: Request) -> Outcome {
    let query: InsightsQuery = http::parse_query(&req)?;
    let days = query.days.map_or(DEFAULT_INSIGHT_DAYS, |d| d.0);
    let today = time::now().date_naive();
    let insights = history::of_alert(&app.store, &caller.sub, &alert_id(&req)?, days, today).await?;
    http::ok(&InsightsView::from(&insights))
}
