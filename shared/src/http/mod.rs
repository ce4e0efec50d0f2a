//! The HTTP side of every API function: the contract's error shape, JSON answers, typed
//! requests ([`parse`]) and the Lambda entry point ([`serve`]).
//!
//! Handlers return `Result<Response, ApiError>`. Every business outcome, including refusals, is an
//! `ApiError` with the right status; `serve` turns it into the JSON error body, so the Lambda
//! invocation itself only fails on a bug in the runtime plumbing.

mod parse;
mod serve;

use std::borrow::Cow;

use lambda_http::{
    Body,
    http::StatusCode,
    http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE},
};
use serde::Serialize;

pub use lambda_http::{Request, Response};
pub use parse::{MAX_BODY_BYTES, PageQuery, parse_json, parse_json_bytes, parse_json_limited, parse_query, path_param};
pub use serve::{Api, Endpoint, FromCaller, Outcome, handle, respond, serve, serve_deferred, unmatched};

/// What a 503 or a 429 tells the client to wait before trying again: throttling and conflicts
/// clear within a second or two, and an outage is not helped by a client retrying faster.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// `{"error": {"code": ..., "message": ...}}` with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    /// The methods a path allows, sent as the `Allow` header of a 405.
    pub allow: Option<String>,
    /// `Retry-After` of a 429 or 503, when the error knows it (else [`RETRY_AFTER_SECONDS`]).
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), allow: None, retry_after: None }
    }

    /// 400 for a field that is present but unusable; the message names the field.
    pub fn invalid_field(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", format!("`{field}` {reason}"))
    }

    /// 400 for a field the request must carry (the contract's code is `invalid_field` for a
    /// missing field too; the message says which).
    pub fn missing_field(field: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", format!("missing field `{field}`"))
    }

    /// 400 for a body that is not the JSON object the route takes.
    pub fn malformed_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_json", message)
    }

    /// The same error with another message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn not_found(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn conflict(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unprocessable(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 503: a dependency (DynamoDB, SQS) is unreachable or kept refusing; the client may retry.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", message)
    }

    /// 500: a bug. The detail goes to the log, not to the client.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an unexpected error occurred; it has been logged",
        )
    }

    pub fn to_response(&self) -> Response<Body> {
        let body = ErrorBody { error: ErrorDetail { code: &self.code, message: &self.message } };
        let mut response = json_response(self.status, &body);
        if let Some(allow) = self.allow.as_deref().and_then(|a| a.parse().ok()) {
            response.headers_mut().insert(ALLOW, allow);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, lambda_http::http::HeaderValue::from_static("Bearer"));
        }
        if matches!(self.status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS) {
            response.headers_mut().insert(RETRY_AFTER, self.retry_after.unwrap_or(RETRY_AFTER_SECONDS).into());
        }
        response
    }
}

/// A part of the configuration a function uses but was deployed without: `main` refuses to start
/// such a function ([`crate::config::require_all`]), so a handler meets it only in a test's app.
/// A bug of the deployment: logged, 500.
impl From<crate::config::ConfigError> for ApiError {
    fn from(err: crate::config::ConfigError) -> Self {
        tracing::error!(%err, "the function is deployed without part of its configuration");
        ApiError::internal()
    }
}

/// The contract's error body.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// A JSON response with the given status.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    let body = serde_json::to_string(body).unwrap_or_else(|_| "null".to_owned());
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Body::Text(body))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

pub fn ok<T: Serialize + ?Sized>(body: &T) -> Result<Response<Body>, ApiError> {
    Ok(json_response(StatusCode::OK, body))
}

pub fn created<T: Serialize + ?Sized>(body: &T) -> Result<Response<Body>, ApiError> {
    Ok(json_response(StatusCode::CREATED, body))
}

pub fn accepted<T: Serialize + ?Sized>(body: &T) -> Result<Response<Body>, ApiError> {
    Ok(json_response(StatusCode::ACCEPTED, body))
}

/// Reads the JSON error of a response: for tests and tools.
pub fn error_code(body: &serde_json::Value) -> Option<&str> {
    body.pointer("/error/code").and_then(|code| code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_405_carries_an_allow_header() {
        let mut err = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "no");
        err.allow = Some("GET, POST".into());
        assert_eq!(err.to_response().headers()[ALLOW], "GET, POST");
    }

    #[test]
    fn unavailable_says_when_to_retry() {
        let response = ApiError::unavailable("try later").to_response();
        assert_eq!(response.headers()[RETRY_AFTER], RETRY_AFTER_SECONDS.to_string().as_str());
        assert!(ApiError::internal().to_response().headers().get(RETRY_AFTER).is_none());
        let unauthenticated = ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in");
        assert_eq!(unauthenticated.to_response().headers()[WWW_AUTHENTICATE], "Bearer");
    }

    #[test]
    fn error_body_has_the_contract_shape() {
        let response = ApiError::not_found("queue_empty", "nobody is waiting").to_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        assert_eq!(body, serde_json::json!({"error": {"code": "queue_empty", "message": "nobody is waiting"}}));
    }
}
