//! The alerts service's fixtures: an app over a fresh copy of the template's table and queues,
//! with its own credentials at the stand-in marketplace; signed-in users with unique emails;
//! calls of its handlers; the dispatcher and worker driven at any clock; the outbox and the
//! marketplace's counters read back.

use std::sync::atomic::{AtomicU32, Ordering};

use alerts::{
    App, Config,
    email::Sender,
    entrypoints::http,
    marketplace::{CredentialSource, Marketplace},
    ops::runs::{self, RunReport, Worker},
    queue::RunMessage,
};
use aws_config::SdkConfig;
use chrono::Duration;
use lambda_http::Body;
use local_stack::Stack;
use serde_json::{Value, json};
use shared::time::Timestamp;
use system_tests::{Reply, User, as_user, auth_config, call, endpoint, fresh_stack, request, sdk, user};

pub const CURSOR_KEY: &str = "alerts-test-cursor-key-0000000000";
pub const UNSUBSCRIBE_KEY: &str = "alerts-test-unsubscribe-key-00000000";
pub const OBSERVATIONS_KEY: &str = "alerts-test-observations-key-000000000";
pub const FROM: &str = "alerts@example.com";
pub const PUBLIC_URL: &str = "https://alerts.test";

pub struct Alerts {
    pub app: &'static App,
    pub stack: Stack,
    pub sdk: SdkConfig,
    pub alice: User,
    pub bob: User,
}

/// A unique email for a test user: the outbox is shared by every test of the endpoint.
pub fn unique_email(name: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{name}-{}-{}@example.com", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

pub fn config(stack: &Stack) -> Config {
    Config {
        cursors: Some(shared::cursor::Cursors::new(CURSOR_KEY)),
        unsubscribe_key: Some(shared::cursor::Cursors::new(UNSUBSCRIBE_KEY)),
        runs_queue_url: Some(stack.queue("AlertRunsQueue").url.clone()),
        sender: Some(Sender { from: FROM.into(), public_base_url: PUBLIC_URL.into() }),
        observations_dlq_url: Some(stack.queue("PriceObservationsDeadLetterQueue").url.clone()),
        insights_queue_url: Some(stack.queue("AlertInsightsQueue").url.clone()),
        observations_key: Some(shared::cursor::Cursors::new(OBSERVATIONS_KEY)),
        // The test observations link to example.com.
        marketplace_hosts: alerts::domain::history::Hosts::parse("ebay.com,ebayimg.com,example.com"),
        ..Config::new(stack.table("AlertsTable"), auth_config(stack))
    }
}

/// The app of a stack, searching the stand-in marketplace with the stack's credentials from
/// Secrets Manager.
pub fn app_of(sdk: &SdkConfig, stack: &Stack, config: &Config) -> &'static App {
    let secret = stack.secret_arns.get("EbayCredentials").expect("the stack's marketplace credentials").clone();
    let source = CredentialSource::Secret { client: aws_sdk_secretsmanager::Client::new(sdk), secret_id: secret };
    let marketplace = Marketplace::new(&local_stack::mail::marketplace_url(endpoint()), "EBAY_US", source);
    shared::app::for_process(App::with_marketplace(sdk, config, Some(marketplace)))
}

impl Alerts {
    pub async fn new() -> Self {
        Self::with(|_| ()).await
    }

    /// An alerts app whose configuration `change` adjusts (a quota, the budget, ...).
    pub async fn with(change: impl FnOnce(&mut Config)) -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let mut config = config(&stack);
        change(&mut config);
        let app = app_of(&sdk, &stack, &config);
        let (alice, bob) = (unique_email("alice"), unique_email("bob"));
        let (alice, bob) = tokio::join!(user(&stack, &alice, &[]), user(&stack, &bob, &[]));
        Self { app, stack, sdk, alice, bob }
    }

    pub fn client_id(&self) -> &str {
        self.stack.marketplace_client_id.as_deref().expect("a marketplace client")
    }

    pub async fn create(&self, who: &User, body: Value) -> Reply {
        call(self.app, http::create, as_user(request("POST", "/alerts/v1/alerts", Some(body)), who)).await
    }

    /// Creates an alert that must be accepted; its id.
    pub async fn alert(&self, who: &User, phrase: &str, frequency: u32) -> String {
        let reply = self.create(who, json!({"search_phrase": phrase, "frequency_minutes": frequency})).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        reply.body["alert_id"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, who: &User, id: &str) -> Reply {
        let path = format!("/alerts/v1/alerts/{id}");
        call(self.app, http::get, as_user(request("GET", &path, None), who)).await
    }

    pub async fn patch(&self, who: &User, id: &str, body: Value) -> Reply {
        let path = format!("/alerts/v1/alerts/{id}");
        call(self.app, http::update, as_user(request("PATCH", &path, Some(body)), who)).await
    }

    pub async fn delete(&self, who: &User, id: &str) -> Reply {
        let path = format!("/alerts/v1/alerts/{id}");
        call(self.app, http::delete, as_user(request("DELETE", &path, None), who)).await
    }

    pub async fn products(&self, who: &User, id: &str) -> Reply {
        let path = format!("/alerts/v1/alerts/{id}/products");
        call(self.app, http::products, as_user(request("GET", &path, None), who)).await
    }

    pub async fn delete_me(&self, who: &User) -> Reply {
        call(self.app, http::delete_me, as_user(request("DELETE", "/alerts/v1/me", None), who)).await
    }

    pub async fn list(&self, who: &User, query: &str) -> Reply {
        let req = system_tests::with_query(request("GET", "/alerts/v1/alerts", None), query);
        call(self.app, http::list, as_user(req, who)).await
    }

    /// The dispatcher's minute at `now`: the messages it queued, taken off the runs queue.
    pub async fn dispatch(&self, now: Timestamp) -> Vec<RunMessage> {
        runs::dispatch(&self.app.store, self.app.runs_queue().unwrap(), now).await.expect("dispatch");
        self.drain().await
    }

    /// Every message on the runs queue, deleted.
    pub async fn drain(&self) -> Vec<RunMessage> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let url = &self.stack.queue("AlertRunsQueue").url;
        let mut messages = Vec::new();
        loop {
            let out = sqs.receive_message().queue_url(url).max_number_of_messages(10).send().await.unwrap();
            let batch = out.messages.unwrap_or_default();
            if batch.is_empty() {
                return messages;
            }
            for m in batch {
                messages.push(serde_json::from_str(m.body().unwrap()).expect("a run message"));
                sqs.delete_message().queue_url(url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
            }
        }
    }

    /// The dispatcher then the worker at `now`: each message run once.
    pub async fn minute(&self, now: Timestamp) -> Vec<Result<RunReport, String>> {
        let mut reports = Vec::new();
        for message in self.dispatch(now).await {
            reports.push(runs::run(&worker(self.app), &message).await.map_err(|e| e.to_string()));
        }
        reports
    }

    pub async fn stats(&self) -> Value {
        marketplace_stats(self.client_id()).await
    }

    pub async fn fault(&self, kind: &str, count: u32) {
        marketplace_fault(self.client_id(), kind, count).await;
    }
}

/// The worker of an app: its store, marketplace, search cache, observation channel and mail.
pub fn worker(app: &App) -> Worker<'_> {
    app.worker().expect("the worker's configuration")
}

pub async fn marketplace_stats(client_id: &str) -> Value {
    reqwest::get(format!("{}/_local/marketplace/stats?client_id={client_id}", endpoint()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn marketplace_fault(client_id: &str, kind: &str, count: u32) {
    let reply = reqwest::Client::new()
        .post(format!("{}/_local/marketplace/faults", endpoint()))
        .json(&json!({"client_id": client_id, "kind": kind, "count": count}))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{kind}: {}", reply.text().await.unwrap());
}

/// Searches the marketplace counted for the client.
pub fn searches(stats: &Value) -> u64 {
    stats["searches"].as_u64().unwrap_or_default()
}

/// The emails sent to `to`, newest first.
pub async fn outbox(to: &str) -> Vec<Value> {
    let all: Value = reqwest::get(format!("{}/_local/outbox.json", endpoint())).await.unwrap().json().await.unwrap();
    all["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"].as_array().unwrap().iter().any(|t| t == to))
        .cloned()
        .collect()
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// A response with an HTML body, as a browser sees it: status and text.
pub async fn call_html<M, E>(app: &'static App, handler: E, req: lambda_http::Request) -> (u16, String)
where
    E: shared::http::Endpoint<&'static App, M>,
{
    let (method, path) = (req.method().to_string(), lambda_http::RequestExt::raw_http_path(&req).to_owned());
    let response = shared::http::handle(app, &handler, req).await;
    system_tests::described(&method, &path, &response);
    let status = response.status().as_u16();
    let text = match response.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Body::Empty => String::new(),
        _ => String::new(),
    };
    (status, text)
}
