//! Structured logs through `tracing`.
//!
//! The runtime's own subscriber follows Lambda's advanced logging controls: the template sets
//! `LoggingConfig.LogFormat: JSON`, which makes every line a JSON object, and the runtime opens
//! one span per invocation carrying the request id. `make dev` sets the same variable.
pub fn init() {
    lambda_runtime::tracing::init_default_subscriber();
}
