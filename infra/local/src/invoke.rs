//! How the local triggers call a function. Under `make dev` that is `cargo lambda watch`'s
//! invoke API; tests substitute an in-process dispatcher.

use std::future::Future;

use serde_json::Value;

pub trait Invoker: Send + Sync + 'static {
    /// Invokes `function` with `payload`; `Err` when the function failed (its error, or the
    /// runtime's), which is what decides whether the trigger deletes the messages.
    fn invoke(&self, function: &str, payload: Value) -> impl Future<Output = Result<Value, String>> + Send;
}

/// Invokes functions through `cargo lambda watch` (the Lambda Invoke API on its port).
pub struct WatchInvoker {
    client: reqwest::Client,
    base: String,
}

impl WatchInvoker {
    pub fn new(port: u16) -> Self {
        Self { client: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}") }
    }
}

impl Invoker for WatchInvoker {
    async fn invoke(&self, function: &str, payload: Value) -> Result<Value, String> {
        let response = self
            .client
            .post(format!("{}/2015-03-31/functions/{function}/invocations", self.base))
            .json(&payload)
            .send()
            .await
            .map_err(|e| format!("invoke {function}: {e}"))?;
        let status = response.status();
        let failed = response.headers().contains_key("x-amz-function-error");
        let body = response.text().await.map_err(|e| format!("invoke {function}: {e}"))?;
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::String(body.clone()));
        // A function error comes back as {"errorType", "errorMessage"}, with or without a
        // non-2xx status depending on the runtime emulator's version.
        if !status.is_success() || failed || value.get("errorType").is_some() {
            return Err(format!("{function} failed ({status}): {body}"));
        }
        Ok(value)
    }
}
