//! The whole stack running as `make dev` runs it: the template's tables and queues on the test
//! binary's endpoint, every function under `cargo lambda watch` with the generated router on a
//! free port, called over real HTTP ([`Api`]); the SQS triggers and schedules on demand.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use local_stack::{
    Stack,
    dev::{WatchProcess, function_environment},
    emulator::free_port,
    invoke::WatchInvoker,
    triggers::{ScheduleSource, SqsSource},
};
use serde_json::Value;

use crate::{User, endpoint, fresh_stack, sdk, template, workspace};

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    /// The same API, called by `user` (signed in through the local Cognito).
    pub fn as_user(&self, user: &User) -> Api {
        Api { token: Some(user.token.clone()), ..self.clone() }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = response.text().await.unwrap();
        let url = format!("{}{path}", self.base);
        let route = url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..])).unwrap_or("/");
        let route = route.split('?').next().unwrap_or(route);
        crate::openapi::assert_described(method, route, status, content_type.as_deref(), text.as_bytes());
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path} -> {status}: not JSON: {text}")),
        )
    }
}

/// Builds every function binary once, so that the first request through `cargo lambda watch`
/// does not wait for a compile.
pub fn build_functions() {
    let mut command = std::process::Command::new("cargo");
    for name in local_stack::dev::cargo_package_vars() {
        command.env_remove(name);
    }
    let status = command
        .args(["build", "--workspace", "--bins", "--quiet"])
        .current_dir(workspace())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building the functions failed");
}

/// The template's stack on the test binary's endpoint, every function under `cargo lambda watch`
/// on a free port, with `overrides` added to the functions' environment.
pub struct Running {
    pub stack: Stack,
    watch: WatchProcess,
    pub port: u16,
    env_file: std::path::PathBuf,
}

impl Running {
    pub async fn start(overrides: &[(&str, &str)]) -> Self {
        build_functions();
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let mut env: BTreeMap<String, String> = function_environment(template(), &stack, endpoint()).unwrap();
        env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let port = free_port().unwrap();
        let local = workspace().join(".local");
        let env_file = local.join(format!("e2e-{port}.env"));
        let log = local.join(format!("e2e-watch-{port}.log"));
        let mut watch = WatchProcess::spawn(&workspace(), "127.0.0.1", port, &env, &env_file, Some(&log), &[]).unwrap();
        watch.ready(port, Duration::from_secs(300)).await.unwrap();
        Self { stack, watch, port, env_file }
    }

    pub fn api(&self, prefix: &str) -> Api {
        Api {
            client: reqwest::Client::builder().timeout(Duration::from_secs(300)).build().unwrap(),
            base: format!("http://127.0.0.1:{}{prefix}", self.port),
            token: None,
        }
    }

    pub async fn stop(mut self) {
        self.watch.stop().await;
        let _ = std::fs::remove_file(&self.env_file);
    }

    /// The template's SQS event sources, and its schedules of the functions in `fast` fired every
    /// second instead of at their rate, invoking the functions through `cargo lambda watch`.
    pub async fn triggers(&self, fast: &[&str]) -> Triggers {
        let sdk = sdk().await;
        let invoker = Arc::new(WatchInvoker::new(self.port));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks: Vec<_> = SqsSource::from_template(template(), &self.stack, &sdk)
            .unwrap()
            .into_iter()
            .map(|source| tokio::spawn(source.run(invoker.clone(), stopped.clone())))
            .collect();
        for mut schedule in ScheduleSource::from_template(template()).unwrap() {
            if fast.contains(&schedule.function.as_str()) {
                schedule.every = Duration::from_secs(1);
                tasks.push(tokio::spawn(schedule.run(invoker.clone(), stopped.clone())));
            }
        }
        Triggers { stop, tasks }
    }
}

/// Running triggers; [`Triggers::stop`] stops them and waits for them.
pub struct Triggers {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Triggers {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            task.await.unwrap();
        }
    }
}
