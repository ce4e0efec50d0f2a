//! The HTTP endpoints (API Gateway): parse the request into typed values, call the op, answer
//! with a typed view of the contract's JSON (or, for the unsubscribe link, a small HTML page).
//! The serve wrapper has resolved the caller from [`crate::routes::ROUTES`] before a handler
//! runs: signed-in routes get a `Caller`, the public unsubscribe link an `Option<Caller>`. Each
//! op's error enum becomes the contract's status and code here, in one `From` per enum.
//!
//! - [`alerts`]: create, list, read, change, delete; the last products; the insights; deleting
//!   everything of the caller.
//! - [`preferences`]: the caller's email and insight emails.
//! - [`unsubscribe`]: the link of an email (HTML pages).
//! - [`views`]: the answers' bodies.

use shared::http::{self, ApiError, Outcome, Request};

use crate::{
    domain::request::{Invalid, REQUIRED},
    ops::{history::InsightsError, manage::AlertError},
    routes,
};

pub mod alerts;
pub mod preferences;
pub mod unsubscribe;
pub mod views;

pub use alerts::{create, delete, delete_me, get, insights, list, products, update};
pub use preferences::{preferences, update_preferences};
pub use unsubscribe::{unsubscribe, unsubscribe_page};

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        if err.reason == REQUIRED {
            ApiError::missing_field(&err.field)
        } else {
            ApiError::invalid_field(&err.field, &err.reason)
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
            AlertError::Quota(err) => err.into(),
            AlertError::Store(err) => err.into(),
        }
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

/// Anything no alerts route matched: 405 for a known path, 404 otherwise.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}
