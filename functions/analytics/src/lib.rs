//! Order-event analytics: `order.created` events arrive over HTTP (one or a batch) and through
//! SQS, are validated the same way, and are stored once each, together with the rollups the
//! canned queries read, in one transaction.
//!
//! Layers, as in every service:
//!
//! - [`entrypoints`]: HTTP and SQS events in, answers out; op errors become the contract's
//!   status and code there.
//! - [`ops`]: the use cases (ingest, read an event, list events, the canned queries over the
//!   rollups), each with its own error enum.
//! - [`domain`]: events and their validation, the events as kept, the rollups and how a range sums
//!   them; pure.
//! - [`store`]: DynamoDB (keys, the ingest transaction, mapping).
//! - [`routes`]: the HTTP routes as the template declares them; `bin/`: one thin main per function.

pub mod domain;
pub mod entrypoints;
pub mod ops;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use shared::{
    auth::{AuthConfig, Verifier},
    config::{self, ConfigError},
    cursor::Cursors,
    dynamo::Table,
    queue::Queue,
    quota::{self, Limit, Quota},
};

use crate::store::Store;

pub struct Config {
    /// `ANALYTICS_TABLE`.
    pub table: String,
    /// `ANALYTICS_DLQ_URL`: the events queue's dead-letter queue, where the worker puts messages
    /// that are not valid events or conflict with a stored one. Only the worker gets it.
    pub dlq_url: Option<String>,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: whose tokens the HTTP routes accept.
    pub auth: AuthConfig,
    /// `CURSOR_SIGNING_KEY`: signs the event listing's cursors (only the listing gets it).
    pub cursors: Option<Cursors>,
    /// `ANALYTICS_INGEST_QUOTA_PER_MINUTE` (600): ingestion requests (HTTP) one caller may make a
    /// minute.
    pub quota: Limit,
    /// `ANALYTICS_EVENT_RETENTION_DAYS` (730): days an event is kept after it was received.
    pub retention_days: u32,
}

/// The name of the ingestion quota's counters.
pub const INGEST_QUOTA: &str = "analytics-ingest";

/// The ingestion quota from `ANALYTICS_INGEST_QUOTA_PER_MINUTE`.
pub fn ingest_quota() -> Result<Limit, ConfigError> {
    Limit::from_env(INGEST_QUOTA, "ANALYTICS_INGEST_QUOTA_PER_MINUTE", 600, quota::Window::Minute)
}

/// The event retention from `ANALYTICS_EVENT_RETENTION_DAYS`: at least one day.
pub fn retention_days() -> Result<u32, ConfigError> {
    let days: u32 = config::or_default("ANALYTICS_EVENT_RETENTION_DAYS", store::DEFAULT_RETENTION_DAYS)?;
    if days == 0 {
        return Err(ConfigError::Invalid {
            name: "ANALYTICS_EVENT_RETENTION_DAYS".into(),
            value: "0".into(),
            reason: "must be at least 1".into(),
        });
    }
    Ok(days)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: config::required("ANALYTICS_TABLE")?,
            dlq_url: config::optional("ANALYTICS_DLQ_URL"),
            auth: AuthConfig::from_env()?,
            cursors: Cursors::optional_from_env()?,
            quota: ingest_quota()?,
            retention_days: retention_days()?,
        })
    }
}

/// What every analytics function holds between invocations.
pub struct App {
    pub store: Store,
    /// The events queue's DLQ, for the worker.
    pub dlq: Option<Queue>,
    /// Verifies callers' tokens (the serve wrapper asks it before every HTTP handler).
    pub auth: Verifier,
    /// The listing's cursors, for the function that lists.
    pub cursors: Option<Cursors>,
    /// The ingestion quota (HTTP), counted in the analytics table.
    pub quota: Quota,
}

impl shared::http::Api for App {
    fn routes(&self) -> &'static shared::routes::Routes {
        &routes::ROUTES
    }
    fn verifier(&self) -> &Verifier {
        &self.auth
    }
}

impl App {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
        Self {
            store: Store::new(dynamodb.clone(), &config.table).with_retention(config.retention_days),
            quota: Quota {
                table: Table::new(dynamodb, &config.table),
                limit: config.quota,
                what: "ingestion requests",
            },
            dlq: config.dlq_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            auth: Verifier::new(config.auth.clone()),
            cursors: config.cursors.clone(),
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }
}
