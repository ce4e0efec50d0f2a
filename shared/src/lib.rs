//! What every service shares. Nothing here knows about a particular service.
//!
//! - [`config`]: settings read once from the environment at start-up.
//! - [`auth`]: Cognito tokens verified, and who may call each route.
//! - [`routes`]: a service's route table, matched as API Gateway matches it.
//! - [`aws`]: the one `SdkConfig` every client of a function is built from.
//! - [`cursor`]: opaque, signed pagination cursors.
//! - [`deadline`]: every invocation answers before its deadline (from the Lambda context).
//! - [`http`]: the JSON error shape, request parsing with field-named 400s and a body limit, and
//!   the Lambda HTTP entry point.
//! - [`app`]: the lifetime of a function's state (built once, borrowed by every invocation).
//! - [`dynamo`]: item mapping (through `serde_dynamo`), paginated queries, conditional writes and
//!   transactions with one vocabulary for refusals ([`dynamo::Refusal`]), and the classification
//!   of DynamoDB errors.
//! - [`queue`]: the one SQS adapter (JSON messages, delays, batches).
//! - [`quota`]: per-caller quotas, one conditional counter write each (429 `quota_exceeded`).
//! - [`retry`]: bounded, jittered retries for lost optimistic races.
//! - [`idempotency`]: `Idempotency-Key` (the first answer again, the work done once).
//! - [`mail`]: sending a composed MIME email through SES (errors free of addresses).
//! - [`lambda`]: the entry point of functions triggered by SQS or a schedule.
//! - [`money`]: exact amounts (micros, cents) read from decimals and answered as exact numbers.
//! - [`person`], [`time`] and [`ids`]: small types every service uses.

pub mod app;
pub mod auth;
pub mod aws;
pub mod config;
pub mod cursor;
pub mod deadline;
pub mod dynamo;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod lambda;
pub mod logging;
pub mod mail;
pub mod money;
pub mod person;
pub mod queue;
pub mod quota;
pub mod retry;
pub mod routes;
pub mod secrets;
pub mod time;
pub mod tls;
