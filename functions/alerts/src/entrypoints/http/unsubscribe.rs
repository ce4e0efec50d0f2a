//! `/alerts/v1/unsubscribe?token=`: the link of every email. The GET shows a page naming what
//! the link unsubscribes from, with one button; the POST (the button, or a mail provider's
//! RFC 8058 one-click) unsubscribes. Both answer HTML pages, errors included.

use lambda_http::{
    Body,
    http::{StatusCode, header::CONTENT_TYPE},
};
use serde::Deserialize;
use shared::{
    auth::Caller,
    http::{self, Outcome, Request, Response},
    time,
};

use crate::{
    App,
    domain::Status,
    email::Page,
    ops::unsubscribe::{self, Target, UnsubscribeError},
};

/// The link's query string.
#[derive(Debug, Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: Option<String>,
}

/// What a token names, read with the function's key.
async fn preview(app: &App, token: Option<&str>) -> Result<Target, UnsubscribeError> {
    unsubscribe::preview(&app.store, app.tokens()?, token).await
}

/// Unsubscribes what a token names, read with the function's key.
async fn apply(app: &App, token: Option<&str>) -> Result<Target, UnsubscribeError> {
    unsubscribe::unsubscribe(&app.store, app.tokens()?, token, time::now()).await
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
        UnsubscribeError::NotConfigured(_) | UnsubscribeError::Store(_) => {
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
    let token = http::parse_query::<TokenQuery>(&req)?.token;
    let target = match preview(app, token.as_deref()).await {
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
    let token = http::parse_query::<TokenQuery>(&req)?.token;
    Ok(match apply(app, token.as_deref()).await {
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
