//! Reservations: providers publish availability as time slots; clients reserve a slot at least
//! `BOOKING_MIN_LEAD_SECONDS` ahead (a hold), and confirm within `BOOKING_HOLD_SECONDS` or the
//! hold expires by itself, through a delayed SQS message.
//!
//! Layers, each calling only the ones after it:
//! - [`entrypoints`]: events in, responses out, by trigger ([`entrypoints::http`] for API
//!   Gateway, [`entrypoints::sqs`] for the expiry queue, [`entrypoints::schedule`] for the
//!   sweep); maps each use case's errors to the contract's status and code;
//! - [`ops`]: the use cases (read, decide with the domain, commit through the store, retry),
//!   each with its own error enum and no knowledge of HTTP; each takes the parts it uses (the
//!   store, the expiry queue, the timings), not the whole [`App`];
//! - [`domain`]: the entities and their rules, pure (`now` is a parameter);
//! - [`store`]: DynamoDB (keys, conditions, transactions), nothing else; [`queue`]: the expiry
//!   queue's message, sent through shared's SQS adapter.
//!
//! [`routes`] lists the HTTP routes as the template declares them, with who may call each;
//! `src/bin/` has one thin main per function; a function that needs an optional part of the
//! configuration ([`Need`]) says so there, and stops at start-up without it.
//!
//! Callers sign in with Cognito: a provider's and a client's id is their `sub`. A client holds at
//! most `BOOKING_MAX_HOLDS_PER_CLIENT` unconfirmed reservations at once.

pub mod domain;
pub mod email;
pub mod entrypoints;
pub mod ops;
pub mod queue;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use chrono::Duration;
use shared::{
    auth::{AuthConfig, Verifier},
    config::{self, ConfigError},
    cursor::Cursors,
    dynamo::Table,
    idempotency::Idempotency,
    quota::{Limit, Quota, Window},
};

use crate::{domain::Timings, queue::Queue};

pub use store::Store;

const MAX_HOLD_SECONDS: i64 = 86_400;
const MAX_LEAD_SECONDS: i64 = 365 * 86_400;
/// As the template's `BookingMaxHoldsPerClient` bounds it.
const MAX_HOLDS_PER_CLIENT: u32 = 100;

pub struct Config {
    /// `BOOKING_TABLE`.
    pub table: String,
    /// `BOOKING_EXPIRY_QUEUE_URL`: only the functions that schedule expiries get it.
    pub expiry_queue_url: Option<String>,
    pub timings: Timings,
    /// `CURSOR_SIGNING_KEY`: only the functions that list get it.
    pub cursors: Option<Cursors>,
    /// `BOOKING_MAX_HOLDS_PER_CLIENT` (3): unconfirmed live holds one client may have at once.
    pub max_holds_per_client: u32,
    /// `BOOKING_RESERVE_QUOTA_PER_HOUR` (60): holds one client may make an hour.
    pub reserve_quota: Limit,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: whose tokens the functions accept.
    pub auth: AuthConfig,
    /// `BOOKING_NOTICE_QUEUE_URL`: only the functions that announce changes (and the mailer) get it.
    pub notice_queue_url: Option<String>,
    /// `BOOKING_FROM_EMAIL`: the mailer's sender address.
    pub from_email: Option<String>,
    /// `BOOKING_REMINDER_SECONDS` (86400): how long before a confirmed appointment its client is
    /// reminded.
    pub reminder: Duration,
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
        let retention_days: i64 = config::or_default("BOOKING_RETENTION_DAYS", 730)?;
        if !(1..=3650).contains(&retention_days) {
            return Err(invalid("BOOKING_RETENTION_DAYS", retention_days, "must be between 1 and 3650 (ten years)"));
        }
        let max_holds: i64 = config::or_default("BOOKING_MAX_HOLDS_PER_CLIENT", 3)?;
        if !(1..=i64::from(MAX_HOLDS_PER_CLIENT)).contains(&max_holds) {
            return Err(invalid("BOOKING_MAX_HOLDS_PER_CLIENT", max_holds, "must be between 1 and 100"));
        }
        let reminder: i64 = config::or_default("BOOKING_REMINDER_SECONDS", 86_400)?;
        if !(0..=MAX_LEAD_SECONDS).contains(&reminder) {
            return Err(invalid("BOOKING_REMINDER_SECONDS", reminder, "must be between 0 and 31536000 (a year)"));
        }
        Ok(Self {
            notice_queue_url: config::required("BOOKING_NOTICE_QUEUE_URL").ok(),
            from_email: config::required("BOOKING_FROM_EMAIL").ok(),
            reminder: Duration::seconds(reminder),
            table: config::required("BOOKING_TABLE")?,
            expiry_queue_url: config::required("BOOKING_EXPIRY_QUEUE_URL").ok(),
            cursors: Cursors::optional_from_env()?,
            max_holds_per_client: max_holds as u32,
            reserve_quota: reserve_quota()?,
            auth: AuthConfig::from_env()?,
            timings: Timings {
                hold: Duration::seconds(hold),
                min_lead: Duration::seconds(lead),
                default_slot_minutes: config::or_default(
                    "BOOKING_SLOT_MINUTES",
                    "15".parse().expect("15 divides a day"),
                )?,
                retention: Duration::days(retention_days),
            },
        })
    }
}

/// The name of the holds quota's counters.
pub const RESERVE_QUOTA: &str = "holds";

/// The holds quota from `BOOKING_RESERVE_QUOTA_PER_HOUR`.
pub fn reserve_quota() -> Result<Limit, ConfigError> {
    Limit::from_env(RESERVE_QUOTA, "BOOKING_RESERVE_QUOTA_PER_HOUR", 60, Window::Hour)
}

/// What every reservation function holds between invocations.
pub struct App {
    pub store: Store,
    pub expiry: Option<Queue>,
    pub timings: Timings,
    /// `Idempotency-Key`s of reservations, in the booking table.
    pub idempotency: Idempotency,
    pub cursors: Option<Cursors>,
    pub max_holds_per_client: u32,
    /// Holds a client may make an hour, counted in the booking table.
    pub reserve_quota: Quota,
    /// Verifies callers' tokens; every HTTP entry point asks it first.
    pub auth: Verifier,
    /// The notice queue (emails and reminders), for the functions that announce or mail.
    pub notice_queue: Option<Queue>,
    pub reminder: Duration,
    /// Sends the emails (the mailer function).
    pub mailer: shared::mail::Mailer,
    pub from_email: Option<String>,
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
        let sqs = aws_sdk_sqs::Client::new(sdk);
        Self {
            notice_queue: config.notice_queue_url.as_ref().map(|url| Queue::new(sqs.clone(), url)),
            reminder: config.reminder,
            mailer: shared::mail::Mailer::new(aws_sdk_sesv2::Client::new(sdk)),
            from_email: config.from_email.clone(),
            store: Store::new(dynamodb.clone(), &config.table),
            expiry: config.expiry_queue_url.as_ref().map(|url| Queue::new(sqs.clone(), url)),
            timings: config.timings,
            idempotency: Idempotency::new(Table::new(dynamodb.clone(), &config.table)),
            reserve_quota: Quota {
                table: Table::new(dynamodb, &config.table),
                limit: config.reserve_quota,
                what: "holds",
            },
            cursors: config.cursors.clone(),
            max_holds_per_client: config.max_holds_per_client,
            auth: Verifier::new(config.auth.clone()),
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }

    /// Where this function's changes are announced, which `main` requires of the functions
    /// that announce.
    pub fn notices(&self) -> Result<ops::Notices<'_>, ConfigError> {
        let queue =
            self.notice_queue.as_ref().ok_or_else(|| ConfigError::Missing("BOOKING_NOTICE_QUEUE_URL".to_owned()))?;
        Ok(ops::Notices { queue, reminder: self.reminder })
    }

    /// The mailer's sender address, which `main` requires of the mailer.
    pub fn from_email(&self) -> Result<&str, ConfigError> {
        self.from_email.as_deref().ok_or_else(|| ConfigError::Missing("BOOKING_FROM_EMAIL".to_owned()))
    }

    /// The expiry queue, which `main` requires of the functions that send to it.
    pub fn expiry_queue(&self) -> Result<&Queue, ConfigError> {
        self.expiry.as_ref().ok_or_else(|| ConfigError::Missing("BOOKING_EXPIRY_QUEUE_URL".to_owned()))
    }
}
