//! Orders pipeline: orders are generated on a schedule (or posted), queued, processed exactly
//! once into an execution price, and summarised as metrics.
//!
//! Layers, as in every service:
//!
//! - [`entrypoints`]: HTTP, SQS and schedule events in, answers out; op errors become the
//!   contract's status and code there.
//! - [`ops`]: the use cases (read, decide with the domain, commit through the store, retry),
//!   each with its own error enum.
//! - [`domain`]: the entities and their rules (orders, prices, metrics, generated minutes), pure.
//! - [`store`]: DynamoDB (keys, conditions, mapping); [`queue`]: the orders queue's messages.
//! - [`routes`]: the HTTP routes as the template declares them; `bin/`: one thin main per function.

pub mod domain;
pub mod entrypoints;
pub mod ops;
pub mod queue;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use shared::{
    auth::{AuthConfig, Verifier},
    config::{self, ConfigError},
    cursor::Cursors,
    dynamo::Table,
    idempotency::Idempotency,
    queue::Queue,
    quota::{self, Limit, Quota},
};

use crate::{
    domain::{Pace, PriceRange},
    store::Store,
};

/// The variable naming the orders queue.
const QUEUE_URL: &str = "ORDERS_QUEUE_URL";

pub struct Config {
    /// `ORDERS_TABLE`.
    pub table: String,
    /// `ORDERS_QUEUE_URL`: only the functions that enqueue orders get it, and they do not start
    /// without it (`require_all` in their `main`).
    pub queue_url: Option<String>,
    /// `ORDERS_PER_MINUTE` (30): orders the schedule generates each minute while running.
    pub orders_per_minute: u32,
    /// `ORDERS_GENERATION_WINDOW_SECONDS` (60): the span a minute's orders are spread over.
    pub generation_window_seconds: u32,
    /// `ORDER_UNIT_PRICE_MIN` (1.1) and `ORDER_UNIT_PRICE_MAX` (2.0).
    pub prices: PriceRange,
    /// `CURSOR_SIGNING_KEY`: only the listing of a caller's orders gets it (and needs it).
    pub cursors: Option<Cursors>,
    /// `ORDERS_QUOTA_PER_MINUTE` (60): orders one caller may post a minute.
    pub quota: Limit,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: whose tokens the HTTP routes accept.
    pub auth: AuthConfig,
}

/// The name of the orders quota's counters.
pub const ORDERS_QUOTA: &str = "orders";

/// The posting quota from `ORDERS_QUOTA_PER_MINUTE`.
pub fn orders_quota() -> Result<Limit, ConfigError> {
    Limit::from_env(ORDERS_QUOTA, "ORDERS_QUOTA_PER_MINUTE", 60, quota::Window::Minute)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let (min, max) =
            (config::or_default("ORDER_UNIT_PRICE_MIN", 1.1)?, config::or_default("ORDER_UNIT_PRICE_MAX", 2.0)?);
        let prices = PriceRange::new(min, max).map_err(|reason| ConfigError::Invalid {
            name: "ORDER_UNIT_PRICE_MIN/ORDER_UNIT_PRICE_MAX".into(),
            value: format!("{min}/{max}"),
            reason,
        })?;
        let orders_per_minute: u32 = config::or_default("ORDERS_PER_MINUTE", 30)?;
        let window: u32 = config::or_default("ORDERS_GENERATION_WINDOW_SECONDS", 60)?;
        if orders_per_minute > 6000 {
            return Err(ConfigError::Invalid {
                name: "ORDERS_PER_MINUTE".into(),
                value: orders_per_minute.to_string(),
                reason: "at most 6000 (one order every 10 ms)".into(),
            });
        }
        if !(1..=900).contains(&window) {
            return Err(ConfigError::Invalid {
                name: "ORDERS_GENERATION_WINDOW_SECONDS".into(),
                value: window.to_string(),
                reason: "must be between 1 and 900 (SQS's longest delay)".into(),
            });
        }
        Ok(Self {
            table: config::required("ORDERS_TABLE")?,
            queue_url: config::optional(QUEUE_URL),
            orders_per_minute,
            generation_window_seconds: window,
            prices,
            cursors: Cursors::optional_from_env()?,
            quota: orders_quota()?,
            auth: AuthConfig::from_env()?,
        })
    }
}

/// What every orders function holds between invocations.
pub struct App {
    pub store: Store,
    /// `Idempotency-Key`s of `POST /orders`, in the orders table.
    pub idempotency: Idempotency,
    /// The orders queue, for the functions that enqueue orders ([`App::queue`]).
    queue: Option<Queue>,
    /// How much the schedule generates.
    pub pace: Pace,
    /// Where the processor draws unit prices from.
    pub prices: PriceRange,
    /// The cursors of the caller's order listing.
    pub cursors: Option<Cursors>,
    /// The posting quota, counted in the orders table.
    pub quota: Quota,
    /// Verifies callers' tokens; the serve wrapper asks it before every handler (the pool's keys
    /// are fetched on the first request that carries a token and kept).
    pub auth: Verifier,
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
            store: Store::new(dynamodb.clone(), &config.table),
            idempotency: Idempotency::new(Table::new(dynamodb.clone(), &config.table)),
            quota: Quota { table: Table::new(dynamodb, &config.table), limit: config.quota, what: "orders" },
            queue: config.queue_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            pace: Pace {
                orders_per_minute: config.orders_per_minute,
                window_seconds: config.generation_window_seconds,
            },
            prices: config.prices,
            cursors: config.cursors.clone(),
            auth: Verifier::new(config.auth.clone()),
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }

    /// The orders queue. The functions that enqueue orders are built with
    /// `require_all` in their `main`, so they cannot get here without one; a function that does is
    /// deployed wrong (a bug, reported as the missing variable).
    pub fn queue(&self) -> Result<&Queue, ConfigError> {
        self.queue.as_ref().ok_or_else(|| ConfigError::Missing(QUEUE_URL.to_owned()))
    }
}
