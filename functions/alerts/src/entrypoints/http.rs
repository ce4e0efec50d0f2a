//! The HTTP endpoints (API Gateway): check the caller, parse the request, call the op, answer
//! with the contract's JSON (or, for the unsubscribe link, a small HTML page). Every handler
//! first asks [`shared::auth::Verifier::caller`] with [`routes::ROUTES`].

use lambda_http::{
    Body,
    http::{StatusCode, header::CONTENT_TYPE},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Request, Response},
    time,
};

use crate::{
    App,
    domain::{Alert, AlertChange, NewAlert, Status, alert::Invalid},
    email::Page,
    ops::{
        history::{self, InsightsError},
        manage::{self, AlertError},
        unsubscribe::{self, Target, UnsubscribeError},
    },
    routes,
};

type Outcome = Result<Response<Body>, ApiError>;

/// Alerts a listing page holds: by default every alert a user may have.
const PAGE_DEFAULT: usize = 20;
const PAGE_MAX: usize = 100;

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        if err.reason == "is required" {
            ApiError::missing_field(err.field)
        } else {
            ApiError::invalid_field(err.field, &err.reason)
        }
    }
}

impl From<AlertError> for ApiError {
    fn from(err: AlertError) -> Self {
        match err {
            AlertError::NotFound(_) => ApiError::not_found("alert_not_found", err.to_string()),
            AlertError::Exists => ApiError::conflict("alert_exists", err.to_string()),
            AlertError::TooMany => ApiError::unprocessable("too_many_alerts", err.to_string()),
            AlertError::Contended => ApiError::unavailable(err.to_string()),
            AlertError::Store(err) => err.into(),
        }
    }
}

/// An alert as the API shows it (without the owner's id).
fn view(alert: &Alert) -> Value {
    let mut value = serde_json::to_value(alert).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("owner");
    }
    value
}

fn body_json(req: &Request) -> Result<Value, ApiError> {
    http::parse_json::<Value>(req)
}

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
    let new = NewAlert::from_json(&body_json(&req)?)?;
    let alert = manage::create(app, &caller.sub, &email, new, time::now()).await?;
    http::created(&view(&alert))
}

/// Where a page of alerts ends: the last alert id listed.
#[derive(Serialize, Deserialize)]
struct Mark {
    #[serde(rename = "a")]
    after: String,
}

/// GET /alerts/v1/alerts?limit=&cursor=: the caller's alerts, newest first.
pub async fn list(app: &App, caller: Caller, req: Request) -> Outcome {
    let limit = http::limit_param(&req, PAGE_DEFAULT, PAGE_MAX)?;
    // The listing names its owner, so a cursor is only good for the user it was issued to.
    let listing = format!("alerts/{}", caller.sub);
    let after = http::query_param(&req, "cursor")
        .map(|cursor| Cursors::configured(app.cursors.as_ref())?.read::<Mark>(&listing, &cursor))
        .transpose()?;
    let (alerts, last) = manage::list(app, &caller.sub, after.as_ref().map(|m| m.after.as_str()), limit).await?;
    let mut body = json!({"alerts": alerts.iter().map(view).collect::<Vec<_>>()});
    if let Some(after) = last {
        body["next_cursor"] = Cursors::configured(app.cursors.as_ref())?.issue(&listing, &Mark { after }).into();
    }
    http::ok(&body)
}

fn alert_id(req: &Request) -> Result<String, ApiError> {
    http::path_param(req, "alert_id")
}

/// GET /alerts/v1/alerts/{alert_id}: the caller's alert (someone else's is a 404).
pub async fn get(app: &App, caller: Caller, req: Request) -> Outcome {
    http::ok(&view(&manage::get(app, &caller.sub, &alert_id(&req)?).await?))
}

/// PATCH /alerts/v1/alerts/{alert_id}: change the phrase, frequency, prices, or pause/resume.
pub async fn update(app: &App, caller: Caller, req: Request) -> Outcome {
    let id = alert_id(&req)?;
    let change = AlertChange::from_json(&body_json(&req)?)?;
    http::ok(&view(&manage::update(app, &caller.sub, &id, &change).await?))
}

/// DELETE /alerts/v1/alerts/{alert_id}.
pub async fn delete(app: &App, caller: Caller, req: Request) -> Outcome {
    let id = alert_id(&req)?;
    manage::delete(app, &caller.sub, &id).await?;
    http::ok(&json!({"alert_id": id, "status": "deleted"}))
}

/// GET /alerts/v1/alerts/{alert_id}/products: what the last email carried (none yet: an empty
/// list without `fetched_at`).
pub async fn products(app: &App, caller: Caller, req: Request) -> Outcome {
    match manage::products(app, &caller.sub, &alert_id(&req)?).await? {
        Some(products) => http::ok(&products),
        None => http::ok(&json!({"products": []})),
    }
}

impl From<InsightsError> for ApiError {
    fn from(err: InsightsError) -> Self {
        match err {
            InsightsError::Alert(err) => err.into(),
            InsightsError::Store(err) => err.into(),
        }
    }
}

/// Days an insights request may cover.
const MAX_INSIGHT_DAYS: u32 = 90;

/// GET /alerts/v1/alerts/{alert_id}/insights?days=14: the price history of the alert's phrase
/// over the last `days` UTC days, today included (no history yet: no days, not an error).
pub async fn insights(app: &App, caller: Caller, req: Request) -> Outcome {
    let days = match http::query_param(&req, "days") {
        None => 14,
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_INSIGHT_DAYS).contains(&days) => days,
            _ => {
                return Err(ApiError::invalid_field(
                    "days",
                    format!("must be an integer from 1 to {MAX_INSIGHT_DAYS}, got {raw:?}"),
                ));
            }
        },
    };
    let today = time::now().date_naive();
    http::ok(&history::of_alert(app, &caller.sub, &alert_id(&req)?, days, today).await?)
}

/// The caller's settings as `/preferences` shows them.
fn preferences_view(email: Option<String>, insights: bool) -> Value {
    json!({"email": email, "insights": insights})
}

/// GET /alerts/v1/preferences: `{email, insights}` (insight emails are on by default).
pub async fn preferences(app: &App, caller: Caller, _: Request) -> Outcome {
    let profile = app.store.profile(&caller.sub).await?;
    let email = profile.as_ref().and_then(|p| p.email.clone()).or_else(|| caller.verified_email().map(str::to_owned));
    http::ok(&preferences_view(email, profile.is_none_or(|p| p.insights)))
}

/// PATCH /alerts/v1/preferences `{"insights": bool}`.
pub async fn update_preferences(app: &App, caller: Caller, req: Request) -> Outcome {
    let body = body_json(&req)?;
    let fields = body.as_object().ok_or_else(|| ApiError::invalid_field("body", "must be a JSON object"))?;
    if let Some(unknown) = fields.keys().find(|k| *k != "insights") {
        return Err(ApiError::invalid_field(
            "body",
            format!("has an unknown field {unknown:?}; the field is insights"),
        ));
    }
    let insights = match fields.get("insights") {
        None => return Err(ApiError::missing_field("insights")),
        Some(value) => value.as_bool().ok_or_else(|| ApiError::invalid_field("insights", "must be true or false"))?,
    };
    let profile = app.store.set_insights(&caller.sub, caller.verified_email(), insights).await?;
    http::ok(&preferences_view(profile.email.or_else(|| caller.verified_email().map(str::to_owned)), profile.insights))
}

/// Anything no alerts route matched: 405 for a known path, 404 otherwise.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

fn html(status: StatusCode, page: &Page<'_>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(Body::Text(page.html()))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

fn error_page(err: UnsubscribeError) -> Response<Body> {
    let (status, title, message) = match &err {
        UnsubscribeError::InvalidToken => (
            StatusCode::FORBIDDEN,
            "This link is not valid",
            "This unsubscribe link is incomplete or was altered. Use the link in the latest email, or manage your alerts in the app.",
        ),
        UnsubscribeError::NotFound => {
            (StatusCode::NOT_FOUND, "Alert not found", "This alert was deleted: it sends nothing any more.")
        }
        UnsubscribeError::NotConfigured | UnsubscribeError::Store(_) => {
            tracing::error!(%err, "unsubscribe failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "We could not unsubscribe you just now. Please try again in a minute.",
            )
        }
    };
    let mut response = html(status, &Page { title, message, action: None, button: "" });
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert("Retry-After", 2.into());
    }
    response
}

/// GET /alerts/v1/unsubscribe?token=: a page naming the alert, with one button (a POST).
/// Mail scanners follow links: the GET changes nothing.
pub async fn unsubscribe_page(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let token = http::query_param(&req, "token");
    let target = match unsubscribe::preview(app, token.as_deref()).await {
        Ok(target) => target,
        Err(err) => return Ok(error_page(err)),
    };
    let action = format!("?token={}", token.unwrap_or_default());
    let page = match target {
        Target::Alert(alert) if alert.status == Status::Unsubscribed => {
            let message = format!("Your alert for \u{201c}{}\u{201d} is already unsubscribed.", alert.search_phrase);
            html(StatusCode::OK, &Page { title: "Already unsubscribed", message: &message, action: None, button: "" })
        }
        Target::Alert(alert) => {
            let message = format!(
                "Stop the emails of your alert for \u{201c}{}\u{201d} (every {} minutes)?",
                alert.search_phrase,
                alert.frequency_minutes.minutes()
            );
            html(
                StatusCode::OK,
                &Page { title: "Unsubscribe", message: &message, action: Some(&action), button: "Unsubscribe" },
            )
        }
        Target::Insights(false) => {
            let message = "Insight emails are already off. Your alerts still send their listings.";
            html(StatusCode::OK, &Page { title: "Already unsubscribed", message, action: None, button: "" })
        }
        Target::Insights(true) => {
            let message = "Stop the price insight emails? Your alerts still send their listings.";
            html(
                StatusCode::OK,
                &Page { title: "Unsubscribe", message, action: Some(&action), button: "Stop insight emails" },
            )
        }
    };
    Ok(page)
}

/// POST /alerts/v1/unsubscribe?token=: unsubscribes at once (RFC 8058 one-click: mail
/// providers post `List-Unsubscribe=One-Click`; the page's button posts the same).
pub async fn unsubscribe(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let token = http::query_param(&req, "token");
    Ok(match unsubscribe::unsubscribe(app, token.as_deref(), time::now()).await {
        Ok(Target::Alert(alert)) => {
            let message = format!(
                "Your alert for \u{201c}{}\u{201d} sends no more emails. You can resume it in the app.",
                alert.search_phrase
            );
            html(StatusCode::OK, &Page { title: "Unsubscribed", message: &message, action: None, button: "" })
        }
        Ok(Target::Insights(_)) => {
            let message = "You get no more insight emails. You can turn them on again in the app.";
            html(StatusCode::OK, &Page { title: "Unsubscribed", message, action: None, button: "" })
        }
        Err(err) => error_page(err),
    })
}
