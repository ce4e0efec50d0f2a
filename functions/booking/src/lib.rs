//! Reservations: providers publish availability as time slots; clients reserve a slot at least
//! `BOOKING_MIN_LEAD_SECONDS` ahead (a hold), and confirm within `BOOKING_HOLD_SECONDS` or the
//! hold expires by itself, through a delayed SQS message.
//!
//! Layers: [`handlers`] (HTTP, SQS, schedule in and out) → [`ops`] (read, decide, commit, retry)
//! → [`domain`] (pure rules) and [`store`] (DynamoDB) / [`expiry`] (the SQS queue).

pub mod domain;
pub mod expiry;
pub mod handlers;
pub mod ops;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use chrono::Duration;
use shared::config::{self, ConfigError};

use crate::{domain::Timings, expiry::ExpiryQueue, store::Store};

pub struct Config {
    /// `BOOKING_TABLE`.
    pub table: String,
    /// `BOOKING_EXPIRY_QUEUE_URL`: only the functions that schedule expiries get it.
    pub expiry_queue_url: Option<String>,
    pub timings: Timings,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let hold: i64 = config::or_default("BOOKING_HOLD_SECONDS", 1800)?;
        let lead: i64 = config::or_default("BOOKING_MIN_LEAD_SECONDS", 86_400)?;
        let invalid = |name: &str, value: i64, reason: &str| ConfigError::Invalid {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
        };
        if hold <= 0 {
            return Err(invalid("BOOKING_HOLD_SECONDS", hold, "must be positive"));
        }
        if lead < 0 {
            return Err(invalid("BOOKING_MIN_LEAD_SECONDS", lead, "must not be negative"));
        }
        Ok(Self {
            table: config::required("BOOKING_TABLE")?,
            expiry_queue_url: config::required("BOOKING_EXPIRY_QUEUE_URL").ok(),
            timings: Timings {
                hold: Duration::seconds(hold),
                min_lead: Duration::seconds(lead),
                default_slot_minutes: config::or_default(
                    "BOOKING_SLOT_MINUTES",
                    "15".parse().expect("15 divides a day"),
                )?,
            },
        })
    }
}

/// What every reservation function holds between invocations.
pub struct App {
    pub store: Store,
    pub expiry: Option<ExpiryQueue>,
    pub timings: Timings,
}

impl App {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        Self {
            store: Store::new(aws_sdk_dynamodb::Client::new(sdk), &config.table),
            expiry: config.expiry_queue_url.as_ref().map(|url| ExpiryQueue::new(aws_sdk_sqs::Client::new(sdk), url)),
            timings: config.timings,
        }
    }

    /// Reads the configuration and builds the clients, once per cold start.
    pub async fn from_env() -> Result<&'static App, lambda_http::Error> {
        let config = Config::from_env()?;
        let sdk = shared::aws::sdk_config().await;
        Ok(Box::leak(Box::new(App::new(&sdk, &config))))
    }
}
