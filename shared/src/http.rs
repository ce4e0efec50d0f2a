//! The HTTP side of every API function: the contract's error shape, JSON bodies in and out, and
//! the Lambda entry point.
//!
//! Handlers return `Result<Response, ApiError>`. Every business outcome, including refusals, is an
//! `ApiError` with the right status; `serve` turns it into the JSON error body, so the Lambda
//! invocation itself only fails on a bug in the runtime plumbing.

use std::{borrow::Cow, future::Future};

use lambda_http::{
    Body, RequestExt,
    http::StatusCode,
    http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;

use crate::deadline;

pub use lambda_http::{Request, Response};

/// Largest JSON body any endpoint accepts. Every request of the contract is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

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
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), allow: None }
    }

    /// 400 for a field that is present but unusable; the message names the field.
    pub fn invalid_field(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", format!("`{field}` {reason}"))
    }

    /// 400 for a field the request must carry.
    pub fn missing_field(field: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "missing_field", format!("missing field `{field}`"))
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
        let mut response = json_response(self.status, &json!({"error": {"code": self.code, "message": self.message}}));
        if let Some(allow) = self.allow.as_deref().and_then(|a| a.parse().ok()) {
            response.headers_mut().insert(ALLOW, allow);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(WWW_AUTHENTICATE, lambda_http::http::HeaderValue::from_static("Bearer"));
        }
        if matches!(self.status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS) {
            response.headers_mut().insert(RETRY_AFTER, RETRY_AFTER_SECONDS.into());
        }
        response
    }
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

/// Parses the JSON body into `T`, which should be built from domain types that cannot hold a bad
/// value: any refusal comes back as a 400 naming the field, a 413 for an oversized body.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    parse_json_bytes(req.body().as_ref())
}

pub fn parse_json_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is {} bytes; the limit is {MAX_BODY_BYTES}", bytes.len()),
        ));
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "request body is empty; expected a JSON object",
            ));
        }
        // Derived structs also accept arrays; a client sending one has misunderstood the API.
        Some(b) if *b != b'{' => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "request body must be a JSON object"));
        }
        Some(_) => {}
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let reason = plain_types(&without_position(&inner.to_string()));
        match inner.classify() {
            // A field given twice (`first_name` and its alias `firstName`) is that field's problem.
            serde_json::error::Category::Data if reason.starts_with("duplicate field") => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", at_path(&path, &reason))
            }
            serde_json::error::Category::Data if reason.starts_with("missing field") => {
                ApiError::new(StatusCode::BAD_REQUEST, "missing_field", at_path(&path, &reason))
            }
            serde_json::error::Category::Data if path == "." => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("request body must be a JSON object: {reason}"),
            ),
            serde_json::error::Category::Data => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", format!("`{path}` {reason}"))
            }
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("request body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// serde_json appends "at line 1 column 42"; for field errors the field name says more.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

/// serde names Rust types ("expected i64"); clients speak JSON.
fn plain_types(message: &str) -> String {
    let mut message = message.to_owned();
    for rust in ["i64", "u64", "i32", "u32", "i16", "u16", "i8", "u8", "usize", "isize"] {
        message = message.replace(&format!("expected {rust}"), "expected an integer");
    }
    message.replace("expected f64", "expected a number").replace("expected f32", "expected a number")
}

fn at_path(path: &str, reason: &str) -> String {
    if path == "." { reason.to_owned() } else { format!("{reason} in `{path}`") }
}

/// A path parameter of the route (`/appointment/{service_id}`).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::invalid_field(name, "is missing from the path"))
}

/// A query string parameter, if present and non-empty.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters().first(name).filter(|value| !value.is_empty()).map(str::to_owned)
}

/// The page size of a paginated listing: `default` without `limit`, else an integer from 1 to
/// `max`; anything else is a 400 naming `limit`.
pub fn limit_param(req: &Request, default: usize, max: usize) -> Result<usize, ApiError> {
    let Some(raw) = req.query_string_parameters().first("limit").map(str::to_owned) else { return Ok(default) };
    match raw.trim().parse::<usize>() {
        Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
        _ => Err(ApiError::invalid_field("limit", format!("must be an integer from 1 to {max}, got {raw:?}"))),
    }
}

/// The error for a request no route matched (the per-service `ANY /<prefix>/{proxy+}` route):
/// 405 naming the allowed methods when the path exists, 404 otherwise. `routes` are
/// `(method, path)` pairs in API Gateway syntax.
pub fn unmatched(routes: &[crate::auth::Route], req: &Request) -> ApiError {
    let method = req.method().as_str();
    let path = req.raw_http_path();
    let pairs: Vec<(&str, &str)> = routes.iter().map(|r| (r.method, r.path)).collect();
    let allowed = allowed_methods(&pairs, path);
    if allowed.is_empty() {
        return ApiError::not_found("route_not_found", format!("no route for {method} {path}"));
    }
    let allowed = allowed.join(", ");
    let mut err = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {path}; allowed: {allowed}"),
    );
    err.allow = Some(allowed);
    err
}

/// The methods routed for `path`, each once. A literal route (`/appointment/next`) shadows a
/// parameter route of the same shape (`/appointment/{service_id}`), as in API Gateway.
fn allowed_methods<'a>(routes: &[(&'a str, &str)], path: &str) -> Vec<&'a str> {
    let matching: Vec<&(&str, &str)> = routes.iter().filter(|(_, pattern)| path_matches(pattern, path)).collect();
    let literal = matching.iter().any(|(_, pattern)| !pattern.contains('{'));
    let mut methods: Vec<&str> = matching
        .into_iter()
        .filter(|(_, pattern)| !literal || !pattern.contains('{'))
        .map(|(method, _)| *method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// Whether `path` matches a route pattern whose `{name}` segments match any one segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern.iter().zip(&path).all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
}

/// Runs an HTTP handler as a Lambda function. `state` is built once before the loop (clients,
/// configuration) and handed to every invocation.
pub async fn serve<S, F, Fut>(state: S, handler: F) -> Result<(), lambda_http::Error>
where
    S: Copy + Send + Sync + 'static,
    F: Fn(S, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        Ok::<_, std::convert::Infallible>(handle(state, handler, req).await)
    }))
    .await
}

/// As [`serve`], with the state built at the first invocation ([`crate::app::Deferred`]).
pub async fn serve_deferred<S, F, Fut>(
    state: &'static crate::app::Deferred<S>,
    handler: F,
) -> Result<(), lambda_http::Error>
where
    S: Send + Sync + 'static,
    F: Fn(&'static S, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(move |req: Request| async move {
        let state = state.get().await;
        Ok::<_, std::convert::Infallible>(handle(state, handler, req).await)
    }))
    .await
}

/// One invocation: the handler runs within the invocation's deadline (from the Lambda context
/// the request carries) and whatever it ends with becomes the response; work that would outlast
/// the deadline is cut off and answered `503`.
pub async fn handle<S, F, Fut>(state: S, handler: F, req: Request) -> Response<Body>
where
    F: FnOnce(S, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let deadline = req
        .lambda_context_ref()
        .map_or_else(|| deadline::from_epoch_millis(0), |context| deadline::from_epoch_millis(context.deadline));
    let outcome = deadline::scope(deadline, handler(state, req)).await.unwrap_or_else(|deadline::OutOfTime| {
        Err(ApiError::unavailable("the request ran out of time waiting for the database; try again"))
    });
    respond(outcome)
}

/// The response for a handler's outcome; server-side failures are logged here, once.
pub fn respond(outcome: Result<Response<Body>, ApiError>) -> Response<Body> {
    match outcome {
        Ok(response) => response,
        Err(err) => {
            if err.status.is_server_error() {
                tracing::error!(code = %err.code, message = %err.message, "request failed");
            }
            err.to_response()
        }
    }
}

/// Reads the JSON error of a response: for tests and tools.
pub fn error_code(body: &serde_json::Value) -> Option<&str> {
    body.pointer("/error/code").and_then(|code| code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        count: u8,
        #[serde(default)]
        vip: bool,
    }

    fn parse(body: &str) -> Result<Input, ApiError> {
        parse_json_bytes(body.as_bytes())
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse(r#"{"count": 1}"#).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::BAD_REQUEST, "missing_field"));
        assert!(err.message.contains("`name`"), "{}", err.message);
    }

    #[test]
    fn wrong_type_is_named() {
        let err = parse(r#"{"name": "a", "count": 1, "vip": "yes"}"#).unwrap_err();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`vip`"), "{}", err.message);
        let err = parse(r#"{"name": "a", "count": 300}"#).unwrap_err();
        assert!(err.message.starts_with("`count`"), "{}", err.message);
    }

    #[test]
    fn malformed_and_empty_bodies() {
        assert_eq!(parse(r#"{"name": "#).unwrap_err().code, "malformed_json");
        assert_eq!(parse("").unwrap_err().code, "malformed_json");
        assert_eq!(parse("[1, 2]").unwrap_err().code, "malformed_json");
    }

    #[test]
    fn oversized_body_is_413() {
        let body = format!(r#"{{"name": "{}", "count": 1}}"#, "x".repeat(MAX_BODY_BYTES));
        let err = parse(&body).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    }

    #[test]
    fn allowed_methods_prefer_literal_routes_and_name_each_once() {
        let routes = [
            ("POST", "/w/appointment/next"),
            ("GET", "/w/appointment/next"),
            ("GET", "/w/appointment/{service_id}"),
            ("DELETE", "/w/appointment/{service_id}"),
        ];
        assert_eq!(allowed_methods(&routes, "/w/appointment/next"), ["GET", "POST"]);
        assert_eq!(allowed_methods(&routes, "/w/appointment/7"), ["DELETE", "GET"]);
        assert!(allowed_methods(&routes, "/w/queue").is_empty());
    }

    #[test]
    fn a_405_carries_an_allow_header() {
        let mut err = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "no");
        err.allow = Some("GET, POST".into());
        assert_eq!(err.to_response().headers()[ALLOW], "GET, POST");
    }

    #[test]
    fn types_are_named_as_json_and_duplicates_name_the_field() {
        let err = parse(r#"{"name": "a", "count": "1"}"#).unwrap_err();
        assert!(err.message.ends_with("expected an integer"), "{}", err.message);
        let err = parse(r#"{"name": "a", "name": "b", "count": 1}"#).unwrap_err();
        assert_eq!(err.code, "invalid_field", "{}", err.message);
        assert!(err.message.contains("`name`"), "{}", err.message);
    }

    #[test]
    fn route_patterns() {
        assert!(path_matches("/walkin/v1/appointment/{service_id}", "/walkin/v1/appointment/12"));
        assert!(!path_matches("/walkin/v1/queue", "/walkin/v1/queue/"));
        assert!(!path_matches("/walkin/v1/appointment/{service_id}", "/walkin/v1/appointment/"));
        assert!(!path_matches("/walkin/v1/appointment/{service_id}", "/walkin/v1/appointment/1/x"));
    }

    #[test]
    fn limits_are_bounded() {
        let with = |query: &str| {
            let req = Request::default().with_query_string_parameters(
                query
                    .split_once('=')
                    .map(|(k, v)| std::collections::HashMap::from([(k.to_owned(), v.to_owned())]))
                    .unwrap_or_default(),
            );
            limit_param(&req, 100, 500)
        };
        assert_eq!(with("").unwrap(), 100);
        assert_eq!(with("limit=500").unwrap(), 500);
        for bad in ["limit=0", "limit=-1", "limit=501", "limit=ten", "limit="] {
            let err = with(bad).unwrap_err();
            assert!(err.message.starts_with("`limit`"), "{bad}: {}", err.message);
        }
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
        assert_eq!(body, json!({"error": {"code": "queue_empty", "message": "nobody is waiting"}}));
    }
}
