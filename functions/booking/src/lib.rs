//! Reservations: providers publish availability as time slots; clients reserve a slot at least
//! `BOOKING_MIN_LEAD_SECONDS` ahead (a hold), and confirm within `BOOKING_HOLD_SECONDS` or the
//! hold expires by itself, through a delayed SQS message.
//!
//! Layers, each calling only the ones after it:
//! - [`entrypoints`]: events in, responses out, by trigger ([`entrypoints::http`] for API
//!   Gateway, [`entrypoints::sqs`] for the expiry queue, [`entrypoints::schedule`] for the
//!   sweep); maps each use case's errors to the contract's status and code;
//! - [`ops`]: the use cases (read, decide with the domain, commit through the store, retry),
//!   each with its own error enum and no knowledge of HTTP;
//! - [`domain`]: the entities and their rules, pure (`now` is a parameter);
//! - [`store`]: DynamoDB (keys, conditions, transactions), nothing else; [`queue`]: the expiry
//!   queue's message, sent through shared's SQS adapter.
//!
//! [`routes`] lists the HTTP routes as the template declares them; `src/bin/` has one thin main
//! per function.

pub mod domain;
pub mod entrypoints;
pub mod ops;
pub mod queue;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use chrono::Duration;
use shared::{
    config::{self, ConfigError},
    cursor::Cursors,
    dynamo::Table,
    idempotency::Idempotency,
};

use crate::{domain::Timings, queue::Queue};

pub use store::Store;

const MAX_HOLD_SECONDS: i64 = 86_400;
const MAX_LEAD_SECONDS: i64 = 365 * 86_400;

pub struct Config {
    /// `BOOKING_TABLE`.
    pub table: String,
    /// `BOOKING_EXPIRY_QUEUE_URL`: only the functions that schedule expiries get it.
    pub expiry_queue_url: Option<String>,
    pub timings: Timings,
    /// `CURSOR_SIGNING_KEY`: only the functions that list get it.
    pub cursors: Option<Cursors>,
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
        // Bounded as the template's parameters are, so that no `now + hold` or `now + lead` can
        // leave the range of a timestamp.
        if !(1..=MAX_HOLD_SECONDS).contains(&hold) {
            return Err(invalid("BOOKING_HOLD_SECONDS", hold, "must be between 1 and 86400 (a day)"));
        }
        if !(0..=MAX_LEAD_SECONDS).contains(&lead) {
            return Err(invalid("BOOKING_MIN_LEAD_SECONDS", lead, "must be between 0 and 31536000 (a year)"));
        }
        Ok(Self {
            table: config::required("BOOKING_TABLE")?,
            expiry_queue_url: config::required("BOOKING_EXPIRY_QUEUE_URL").ok(),
            cursors: Cursors::optional_from_env()?,
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
    pub expiry: Option<Queue>,
    pub timings: Timings,
    /// `Idempotency-Key`s of reservations, in the booking table.
    pub idempotency: Idempotency,
    pub cursors: Option<Cursors>,
}

impl App {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
        Self {
            store: Store::new(dynamodb.clone(), &config.table),
            expiry: config.expiry_queue_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            timings: config.timings,
            idempotency: Idempotency::new(Table::new(dynamodb, &config.table)),
            cursors: config.cursors.clone(),
        }
    }

    /// Reads the configuration and builds the clients, once per cold start.
    pub async fn from_env() -> Result<&'static App, lambda_http::Error> {
        let config = Config::from_env()?;
        let sdk = shared::aws::sdk_config().await;
        Ok(shared::app::for_process(App::new(&sdk, &config)))
    }
}
