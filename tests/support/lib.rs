//! Test support: one local AWS endpoint per test binary, a fresh copy of the template's tables
//! and queues per test, and helpers to call handlers in-process with API Gateway-shaped requests.
//!
//! The endpoint is the same emulator `make dev` runs, started from the project's venv on a free
//! port; it exits when the test binary does. Tests never depend on a running `make dev`.

use std::{
    collections::HashMap,
    future::Future,
    path::PathBuf,
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

use aws_config::SdkConfig;
use lambda_http::{Body, RequestExt, http::Method};
use local_stack::{Emulator, Stack, Template, emulator, template};
use serde_json::Value;
use shared::{
    http::{Endpoint, Request, Response},
    routes::Routes,
};

pub use local_stack;

pub mod openapi;
pub mod running;

pub fn workspace() -> PathBuf {
    emulator::workspace_root().expect("tests run inside the workspace")
}

/// The local AWS endpoint of this test binary, started on first use.
pub fn endpoint() -> &'static str {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    &EMULATOR
        .get_or_init(|| {
            let root = workspace();
            let log_dir = root.join(".local");
            std::fs::create_dir_all(&log_dir).expect("create .local");
            let port = emulator::free_port().expect("free port");
            Emulator::start(&root, port, Some(&log_dir.join("test-emulator.log")))
                .unwrap_or_else(|e| panic!("cannot start the local AWS endpoint: {e:#}"))
        })
        .endpoint
}

/// An SDK configuration for the test's own runtime (clients must not outlive their runtime).
pub async fn sdk() -> SdkConfig {
    shared::aws::local_sdk_config(endpoint()).await
}

pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| Template::load(&template::default_path(&workspace())).expect("load the template"))
}

/// Every table and queue of the template, freshly created under a prefix unique to this call.
pub async fn fresh_stack(sdk: &SdkConfig) -> Stack {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let prefix = format!("t{}-{}-", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    local_stack::provision(sdk, template(), &prefix).await.expect("provision the stack")
}

/// Every service's route table: where a test request's path parameters come from.
pub const ROUTE_TABLES: [&Routes; 5] = [
    &walkin::routes::ROUTES,
    &booking::routes::ROUTES,
    &orders::routes::ROUTES,
    &analytics::routes::ROUTES,
    &alerts::routes::ROUTES,
];

/// An API Gateway-like request: method, path (its parameters filled from the route tables, as
/// API Gateway fills them), optional JSON body.
pub fn request(method: &str, path: &str, body: Option<Value>) -> Request {
    let body = body.map_or(Body::Empty, |b| Body::Text(b.to_string()));
    raw_request(method, path, body)
}

pub fn raw_request(method: &str, path: &str, body: Body) -> Request {
    let req = lambda_http::http::Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(path)
        .header("content-type", "application/json")
        .body(body)
        .expect("request")
        .with_raw_http_path(path);
    match ROUTE_TABLES.iter().find_map(|routes| routes.params(path)) {
        Some(params) if !params.is_empty() => req.with_path_parameters(params),
        _ => req,
    }
}

/// The request with the query string `query` (`a=1&b=2`, with or without a leading `?`), as
/// API Gateway passes it: decoded parameters.
pub fn with_query(req: Request, query: &str) -> Request {
    let params: HashMap<String, String> = query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    if params.is_empty() { req } else { req.with_query_string_parameters(params) }
}

/// The request with one more header.
pub fn with_header(mut req: Request, name: &'static str, value: &str) -> Request {
    req.headers_mut().insert(name, value.parse().expect("a valid header value"));
    req
}

pub fn with_path_params(req: Request, params: &[(&str, &str)]) -> Request {
    let params: HashMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    req.with_path_parameters(params)
}

/// The request as Lambda hands it to a function that has `left` before its deadline.
pub fn with_deadline(req: Request, left: std::time::Duration) -> Request {
    let deadline = std::time::SystemTime::now() + left;
    let mut context = lambda_runtime::Context::default();
    context.deadline = deadline.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
    req.with_lambda_context(context)
}

/// A user of a test stack's user pool, signed in.
#[derive(Debug, Clone)]
pub struct User {
    pub sub: String,
    pub email: String,
    /// An ID token (it carries email and groups), as a client sends it.
    pub token: String,
}

/// Creates a user with a verified email in `groups` of the stack's user pool and signs them in
/// through Cognito, as `make dev`'s demo users are.
pub async fn user(stack: &Stack, email: &str, groups: &[&str]) -> User {
    let sdk = sdk().await;
    let (pool, client) = stack.sign_in();
    let password = local_stack::cognito::DEFAULT_DEMO_PASSWORD;
    let sub = local_stack::cognito::add_user(&sdk, pool, email, password, groups).await.expect("a new user");
    let tokens = local_stack::cognito::sign_in(&sdk, client, email, password).await.expect("signed in");
    User { sub, email: email.to_owned(), token: tokens.id_token }
}

/// How the functions of a test stack verify tokens: its pool and app client, keys fetched from
/// the local endpoint.
pub fn auth_config(stack: &Stack) -> shared::auth::AuthConfig {
    let (pool, client) = stack.sign_in();
    shared::auth::AuthConfig::for_pool("us-east-1", pool, client, Some(endpoint()))
}

/// The request as `user` sends it (`Authorization: Bearer <ID token>`).
pub fn as_user(req: Request, user: &User) -> Request {
    with_header(req, "authorization", &format!("Bearer {}", user.token))
}

/// A response as a test sees it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: lambda_http::http::HeaderMap,
}

impl Reply {
    pub fn from_response(response: Response<Body>) -> Self {
        let status = response.status().as_u16();
        let body = match response.body() {
            Body::Empty => Value::Null,
            body => serde_json::from_slice(body.as_ref()).expect("responses are JSON"),
        };
        Self { status, body, headers: response.headers().clone() }
    }

    /// A header's value, if the response has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The contract's error code, if this is an error.
    pub fn code(&self) -> Option<&str> {
        shared::http::error_code(&self.body)
    }

    pub fn message(&self) -> &str {
        self.body.pointer("/error/message").and_then(Value::as_str).unwrap_or_default()
    }
}

/// Runs a handler the way its Lambda function does (the caller resolved from the route table
/// first) and returns what the client would see.
pub async fn call<S, M, E: Endpoint<S, M>>(state: S, handler: E, req: Request) -> Reply {
    let (method, path) = (req.method().to_string(), req.raw_http_path().to_owned());
    let response = shared::http::handle(state, &handler, req).await;
    described(&method, &path, &response);
    Reply::from_response(response)
}

/// Fails the test when `response` to `method path` is not what the API description foresees.
pub fn described(method: &str, path: &str, response: &Response<Body>) {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok());
    openapi::assert_described(method, path, response.status().as_u16(), content_type, response.body().as_ref());
}

type BoxedHandler =
    Box<dyn Fn(Value) -> std::pin::Pin<Box<dyn Future<Output = Result<Value, String>> + Send>> + Send + Sync>;

/// Invokes functions in-process: the local stack's triggers (SQS pollers, schedules) call the
/// handlers registered here, by function name, with real event payloads.
#[derive(Default)]
pub struct InProcess {
    handlers: HashMap<String, BoxedHandler>,
}

impl InProcess {
    /// Registers `handler` for `function`; the payload is deserialised as its event type.
    pub fn on<E, R, F, Fut>(mut self, function: &str, handler: F) -> Self
    where
        E: serde::de::DeserializeOwned + Send + 'static,
        R: serde::Serialize + 'static,
        F: Fn(E) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, lambda_runtime::Error>> + Send + 'static,
    {
        let handler = std::sync::Arc::new(handler);
        self.handlers.insert(
            function.to_owned(),
            Box::new(move |payload| {
                let handler = handler.clone();
                Box::pin(async move {
                    let event: E = serde_json::from_value(payload).map_err(|e| format!("bad event: {e}"))?;
                    let response = handler(event).await.map_err(|e| e.to_string())?;
                    serde_json::to_value(response).map_err(|e| e.to_string())
                })
            }),
        );
        self
    }
}

impl local_stack::invoke::Invoker for InProcess {
    async fn invoke(&self, function: &str, payload: Value) -> Result<Value, String> {
        let handler = self.handlers.get(function).ok_or_else(|| format!("no in-process handler for {function}"))?;
        handler(payload).await
    }
}

/// Makes the next `count` `operation` requests (`TransactWriteItems`, `PutItem`, `UpdateItem`,
/// `DeleteItem`) on `table` fail the way DynamoDB fails them when a concurrent transaction holds
/// their items. The local endpoint applies requests one at a time, so without this no test
/// could meet a conflict. A count of 0 clears the fault.
pub async fn inject_conflicts(table: &str, operation: &str, count: u32) {
    inject_fault(serde_json::json!({"table": table, "operation": operation, "count": count})).await;
}

/// Makes the next `count` `operation` requests (any DynamoDB operation) on `table` fail as
/// DynamoDB fails them over capacity: `ProvisionedThroughputExceededException`, or for
/// `TransactWriteItems` a cancellation whose reasons are `ThrottlingError`.
pub async fn inject_throttling(table: &str, operation: &str, count: u32) {
    inject_fault(serde_json::json!({"table": table, "operation": operation, "count": count, "kind": "throttle"})).await;
}

/// Makes the next `count` `operation` requests on `table` answer `delay` late.
pub async fn inject_delay(table: &str, operation: &str, count: u32, delay: std::time::Duration) {
    let body = serde_json::json!({
        "table": table, "operation": operation, "count": count, "kind": "delay", "delay_ms": delay.as_millis() as u64,
    });
    inject_fault(body).await;
}

/// Makes the next `count` SMS (SNS `Publish`) to `phone_number` (E.164) fail as an SNS outage
/// does (500 `InternalError`).
pub async fn inject_sms_failures(phone_number: &str, count: u32) {
    inject_fault(serde_json::json!({"operation": "Publish", "phone_number": phone_number, "count": count})).await;
}

/// The local outbox's messages (`/_local/outbox.json`), emails and SMS, newest first.
pub async fn outbox() -> Vec<Value> {
    let body: Value = reqwest::get(format!("{}/_local/outbox.json", endpoint()))
        .await
        .expect("the local outbox answers")
        .json()
        .await
        .expect("the outbox is JSON");
    body["messages"].as_array().cloned().unwrap_or_default()
}

async fn inject_fault(body: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/_local/faults", endpoint()))
        .json(&body)
        .send()
        .await
        .expect("the local endpoint takes faults");
    assert!(response.status().is_success(), "fault refused: {}", response.text().await.unwrap_or_default());
}

/// Polls `check` until it returns `Some`, or panics with `what` after `within`.
pub async fn eventually<T, F, Fut>(what: &str, within: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
