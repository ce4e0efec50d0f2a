//! Warm request latency through `cargo lambda watch`, and the AWS requests each call costs.
//!
//! A scenario (one per service) drives the API with [`Bench::unmeasured`] (set-up and warm-up:
//! the first request to a function starts its process) and [`Bench::measure`] (the timed,
//! sequential loop of one endpoint). Every response must have the expected status, or the run
//! stops: a benchmark of errors is worthless. Around each measured loop the local AWS endpoint's
//! per-operation counters are reset and read.

use std::{collections::BTreeMap, time::Duration};

use anyhow::{Context, Result, bail};
use reqwest::Method;
use serde_json::Value;

use crate::table::{self, Align, Table};

/// One API request: method, path under the API's base URL, optional JSON body.
pub struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
    idempotency_key: Option<String>,
    /// Sent instead of the bench's admin token.
    token: Option<String>,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::GET, path: path.into(), body: None, idempotency_key: None, token: None }
    }

    pub fn post(path: impl Into<String>, body: Option<Value>) -> Self {
        Self { method: Method::POST, path: path.into(), body, idempotency_key: None, token: None }
    }

    pub fn patch(path: impl Into<String>, body: Value) -> Self {
        Self { method: Method::PATCH, path: path.into(), body: Some(body), idempotency_key: None, token: None }
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self { method: Method::DELETE, path: path.into(), body: None, idempotency_key: None, token: None }
    }

    /// The same call, made by the user this token signs in.
    pub fn by(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// The same call with an `Idempotency-Key`.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// The stack's user pool, where the bench makes its users.
pub struct Users {
    pub sdk: aws_config::SdkConfig,
    pub pool: String,
    pub client: String,
}

impl Users {
    /// A new user in `groups`, signed in: their ID token.
    pub async fn sign_up(&self, email: &str, groups: &[&str]) -> Result<String> {
        let password = local_stack::cognito::DEFAULT_DEMO_PASSWORD;
        local_stack::cognito::add_user(&self.sdk, &self.pool, email, password, groups).await?;
        Ok(local_stack::cognito::sign_in(&self.sdk, &self.client, email, password).await?.id_token)
    }
}

/// One endpoint's measured loop.
pub struct Measurement {
    /// As in the template, e.g. `GET /walkin/v1/appointment/{service_id}`.
    pub endpoint: String,
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// AWS operations during the loop (`X-Amz-Target`, e.g. `DynamoDB_20120810.GetItem`).
    pub operations: BTreeMap<String, u64>,
    /// What failed, and after how long: the loop (or its scenario) stopped there.
    pub failure: Option<String>,
}

pub struct Bench {
    client: reqwest::Client,
    /// Where the bench's users sign in: the stack's user pool and app client.
    users: Users,
    /// Every call is made as a signed-in admin (who may call every route), so the scenarios
    /// measure the routes as users call them, token verification included.
    token: String,
    api: String,
    stats: String,
    /// Measured requests per endpoint.
    pub requests: usize,
    measurements: Vec<Measurement>,
}

impl Bench {
    pub fn new(api: String, aws_endpoint: &str, requests: usize, token: String, users: Users) -> Result<Self> {
        // Long enough for a first request that has to (re)build a function.
        let client = reqwest::Client::builder().timeout(Duration::from_secs(300)).build()?;
        Ok(Self {
            client,
            users,
            token,
            api,
            stats: format!("{aws_endpoint}/_local/stats"),
            requests,
            measurements: Vec::new(),
        })
    }

    /// `count` new users in `groups`, signed in: their ID tokens (`<prefix>-<i>@example.com`).
    pub async fn sign_up(&self, prefix: &str, count: usize, groups: &[&str]) -> Result<Vec<String>> {
        let mut tokens = Vec::with_capacity(count);
        for i in 0..count {
            tokens.push(self.users.sign_up(&format!("{prefix}-{i}@example.com"), groups).await?);
        }
        Ok(tokens)
    }

    pub fn measurements(&self) -> &[Measurement] {
        &self.measurements
    }

    /// Records that `what` failed after `elapsed`, as a row of the table.
    pub fn failed(&mut self, what: &str, err: &anyhow::Error, elapsed: Duration) {
        let message: String = format!("{err:#}").chars().take(300).collect();
        eprintln!("bench: {what} FAILED after {:.1} s: {message}", elapsed.as_secs_f64());
        self.measurements.push(Measurement {
            endpoint: what.to_owned(),
            latencies: Vec::new(),
            operations: BTreeMap::new(),
            failure: Some(format!("FAILED after {:.1} s: {message}", elapsed.as_secs_f64())),
        });
    }

    /// Sends `call`; returns the time until the whole response was read, and its JSON body.
    async fn send(&self, call: &Call, expect: u16) -> Result<(Duration, Value)> {
        let token = call.token.as_deref().unwrap_or(&self.token);
        let mut request =
            self.client.request(call.method.clone(), format!("{}{}", self.api, call.path)).bearer_auth(token);
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        if let Some(key) = &call.idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let started = std::time::Instant::now();
        let response = request.send().await.with_context(|| format!("{} {}", call.method, call.path))?;
        let status = response.status().as_u16();
        let text = response.text().await.with_context(|| format!("{} {}: reading the body", call.method, call.path))?;
        let elapsed = started.elapsed();
        if status != expect {
            let sent = call.body.as_ref().map(|b| format!(" {b}")).unwrap_or_default();
            bail!("{} {}{sent} answered {status} after {elapsed:?}, expected {expect}: {text}", call.method, call.path);
        }
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok((elapsed, body))
    }

    /// Resets the local AWS endpoint's per-operation counters.
    pub async fn reset_counters(&self) -> Result<()> {
        self.client.post(&self.stats).send().await?.error_for_status().context("resetting the endpoint's counters")?;
        Ok(())
    }

    /// The local AWS endpoint's per-operation counters since the last reset.
    pub async fn counters(&self) -> Result<BTreeMap<String, u64>> {
        self.client
            .get(&self.stats)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .context("reading the endpoint's counters")
    }

    /// Set-up and warm-up: sends every call, checks its status, returns the bodies.
    pub async fn unmeasured(&self, calls: impl IntoIterator<Item = Call>, expect: u16) -> Result<Vec<Value>> {
        let mut bodies = Vec::new();
        for call in calls {
            bodies.push(self.send(&call, expect).await?.1);
        }
        Ok(bodies)
    }

    /// The measured loop of `endpoint`: `calls` one after the other, each answered with `expect`;
    /// records latencies and AWS operations, returns the bodies.
    pub async fn measure(&mut self, endpoint: &str, expect: u16, calls: Vec<Call>) -> Result<Vec<Value>> {
        eprintln!("bench: {endpoint} x {}", calls.len());
        self.reset_counters().await?;
        let mut latencies = Vec::with_capacity(calls.len());
        let mut bodies = Vec::with_capacity(calls.len());
        let started = std::time::Instant::now();
        for call in &calls {
            match self.send(call, expect).await {
                Ok((elapsed, body)) => {
                    latencies.push(elapsed);
                    bodies.push(body);
                }
                Err(err) => {
                    self.failed(
                        &format!("{endpoint} (call {} of {})", latencies.len() + 1, calls.len()),
                        &err,
                        started.elapsed(),
                    );
                    // Recorded: the scenario stops without recording it again.
                    return Err(err.context(Recorded));
                }
            }
        }
        let operations = self.counters().await?;
        latencies.sort();
        self.measurements.push(Measurement { endpoint: endpoint.to_owned(), latencies, operations, failure: None });
        Ok(bodies)
    }
}

/// Marks an error already recorded as a failed measurement.
#[derive(Debug)]
pub struct Recorded;

impl std::fmt::Display for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("recorded as a failed measurement")
    }
}

/// `DynamoDB_20120810.GetItem` → `GetItem`; other services keep a short prefix (`SQS.SendMessage`).
pub fn short_operation(target: &str) -> String {
    let (service, operation) = target.split_once('.').unwrap_or(("", target));
    match service {
        s if s.starts_with("DynamoDB") => operation.to_owned(),
        "ItemsRead" => format!("items read by {operation}"),
        s => format!("{}.{operation}", s.trim_start_matches("Amazon")),
    }
}

fn per_call(count: u64, calls: usize) -> String {
    format!("{:.1}", count as f64 / calls.max(1) as f64)
}

pub fn table(measurements: &[Measurement]) -> Table {
    let mut t = Table::new(&[
        ("endpoint (warm, through cargo lambda watch)", Align::Left),
        ("n", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
        ("mean ms", Align::Right),
        ("DynamoDB req/call", Align::Right),
        ("AWS requests per call", Align::Left),
    ]);
    for m in measurements {
        if let Some(failure) = &m.failure {
            t.row(vec![
                m.endpoint.clone(),
                m.latencies.len().to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                failure.clone(),
            ]);
            continue;
        }
        let calls = m.latencies.len();
        let dynamodb: u64 = m.operations.iter().filter(|(op, _)| op.starts_with("DynamoDB")).map(|(_, n)| n).sum();
        let breakdown: Vec<String> =
            m.operations.iter().map(|(op, n)| format!("{} {}", short_operation(op), per_call(*n, calls))).collect();
        t.row(vec![
            m.endpoint.clone(),
            calls.to_string(),
            table::ms(table::percentile(&m.latencies, 50.0)),
            table::ms(table::percentile(&m.latencies, 99.0)),
            table::ms(table::mean(&m.latencies)),
            per_call(dynamodb, calls),
            if breakdown.is_empty() { "none".to_owned() } else { breakdown.join(", ") },
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names() {
        assert_eq!(short_operation("DynamoDB_20120810.TransactWriteItems"), "TransactWriteItems");
        assert_eq!(short_operation("AmazonSQS.SendMessage"), "SQS.SendMessage");
        assert_eq!(per_call(3, 2), "1.5");
    }
}
