//! Walk-in service queue: customers check in at a service centre and staff call the next one to
//! a desk, then mark them served or no-show. VIPs and regulars are served two to one, first come
//! first served within each tier. Waits are estimated from the recent calls, and customers are
//! told by SMS (Amazon SNS) or email (SES) when their turn nears and when they are called.
//!
//! Layers, each calling only the ones after it:
//! - [`entrypoints`]: events in, responses out ([`entrypoints::http`] for API Gateway); maps each
//!   use case's errors to the contract's status and code;
//! - [`ops`]: the use cases (read, decide with the domain, commit through the store, retry), each
//!   with its own error enum and no knowledge of HTTP;
//! - [`domain`]: the entities and their rules, pure (`now` is a parameter);
//! - [`store`]: DynamoDB (keys, conditions, transactions), nothing else; [`queue`]: the notices
//!   queue (SQS); [`sms`]: Amazon SNS. Email goes through `shared::mail`.
//!
//! [`routes`] lists the HTTP routes as the template declares them; `src/bin/` has one thin main
//! per function.

pub mod domain;
pub mod entrypoints;
pub mod ops;
pub mod queue;
pub mod routes;
pub mod sms;
pub mod store;

use aws_config::SdkConfig;
use shared::{
    auth::{AuthConfig, Verifier},
    config::{self, ConfigError},
    cursor::Cursors,
    dynamo::Table,
    idempotency::Idempotency,
    mail::Mailer,
    quota::{Limit, Quota, Window},
};

pub use store::Store;

use crate::{ops::notify::Notifier, queue::Notices, sms::Sms};

pub struct Config {
    /// `WALKIN_TABLE`: the walk-in DynamoDB table.
    pub table: String,
    /// `CURSOR_SIGNING_KEY`: only the functions that list (the queue) get it, and they do not
    /// start without it (`require_all` in their `main`).
    pub cursors: Option<Cursors>,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: whose tokens callers sign in with.
    pub auth: AuthConfig,
    /// `WALKIN_NOTICES_QUEUE_URL`: where calls, check-ins and cancels queue notices (the
    /// functions that do require it in their `main`).
    pub notices_queue_url: Option<String>,
    /// `WALKIN_FROM_EMAIL`: the sender of email notices (the notifier's).
    pub from_email: Option<String>,
    /// `WALKIN_SMS_DEFAULT_COUNTRY_CODE` (default `1`): the country code of phone numbers
    /// registered without one.
    pub sms_country_code: String,
    /// `WALKIN_SMS_MAX_PRICE_USD`: the most one SMS may cost.
    pub sms_max_price: Option<String>,
    /// `WALKIN_RETENTION_DAYS` (default 365): how long customers and tickets are kept after they
    /// were stored (DynamoDB's TTL).
    pub retention_days: i64,
    /// `WALKIN_REFUSED_CHECKIN_QUOTA_PER_HOUR` (default 100): refused check-ins (numbers not
    /// registered) per source address an hour.
    pub refused_check_ins: Limit,
}

/// The name of the refused check-ins quota's counters.
pub const REFUSED_CHECK_INS: &str = "walkin-refused-check-ins";

/// The refused check-ins quota from `WALKIN_REFUSED_CHECKIN_QUOTA_PER_HOUR`.
pub fn refused_check_ins_quota() -> Result<Limit, ConfigError> {
    Limit::from_env(REFUSED_CHECK_INS, "WALKIN_REFUSED_CHECKIN_QUOTA_PER_HOUR", 100, Window::Hour)
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: config::required("WALKIN_TABLE")?,
            cursors: Cursors::optional_from_env()?,
            auth: AuthConfig::from_env()?,
            notices_queue_url: config::optional("WALKIN_NOTICES_QUEUE_URL"),
            from_email: config::optional("WALKIN_FROM_EMAIL"),
            sms_country_code: country_code(config::optional("WALKIN_SMS_DEFAULT_COUNTRY_CODE"))?,
            sms_max_price: config::optional("WALKIN_SMS_MAX_PRICE_USD"),
            retention_days: retention_days(config::or_default(
                "WALKIN_RETENTION_DAYS",
                store::DEFAULT_RETENTION_DAYS,
            )?)?,
            refused_check_ins: refused_check_ins_quota()?,
        })
    }

    /// The configuration with everything optional left out (tests add what they use).
    pub fn new(table: impl Into<String>, auth: AuthConfig) -> Self {
        Self {
            table: table.into(),
            cursors: None,
            auth,
            notices_queue_url: None,
            from_email: None,
            sms_country_code: DEFAULT_COUNTRY_CODE.to_owned(),
            sms_max_price: None,
            retention_days: store::DEFAULT_RETENTION_DAYS,
            refused_check_ins: Limit { name: REFUSED_CHECK_INS, limit: 100, window: Window::Hour },
        }
    }
}

/// The country code of numbers registered without one, unless configured.
pub const DEFAULT_COUNTRY_CODE: &str = "1";

fn retention_days(days: i64) -> Result<i64, ConfigError> {
    if (1..=3660).contains(&days) {
        Ok(days)
    } else {
        Err(ConfigError::Invalid {
            name: "WALKIN_RETENTION_DAYS".to_owned(),
            value: days.to_string(),
            reason: "must be 1 to 3660 days".to_owned(),
        })
    }
}

fn country_code(value: Option<String>) -> Result<String, ConfigError> {
    let raw = value.unwrap_or_else(|| DEFAULT_COUNTRY_CODE.to_owned());
    domain::parse_country_code(&raw).map_err(|reason| ConfigError::Invalid {
        name: "WALKIN_SMS_DEFAULT_COUNTRY_CODE".to_owned(),
        value: raw,
        reason,
    })
}

/// What every walk-in function holds between invocations.
pub struct App {
    pub store: Store,
    /// `Idempotency-Key`s of check-in and next, in the walk-in table.
    pub idempotency: Idempotency,
    pub cursors: Option<Cursors>,
    /// Who is calling: the serve wrapper asks it before every handler, with [`routes::ROUTES`].
    /// The pool's keys are fetched on the first request that carries a token, then kept.
    pub auth: Verifier,
    /// Where notices are queued (nowhere in the functions that send none).
    pub notices: Notices,
    pub sms: Sms,
    pub mailer: Mailer,
    pub from_email: Option<String>,
    pub sms_country_code: String,
    /// Refused check-ins per source address, counted in the walk-in table.
    pub refused_check_ins: Quota,
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
        let client = aws_sdk_dynamodb::Client::new(sdk);
        Self {
            store: Store::new(client.clone(), &config.table).with_retention_days(config.retention_days),
            idempotency: Idempotency::new(Table::new(client.clone(), &config.table)),
            refused_check_ins: Quota {
                table: Table::new(client, &config.table),
                limit: config.refused_check_ins,
                what: "refused check-ins",
            },
            cursors: config.cursors.clone(),
            auth: Verifier::new(config.auth.clone()),
            notices: Notices::new(
                config
                    .notices_queue_url
                    .as_ref()
                    .map(|url| shared::queue::Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            ),
            sms: Sms::new(aws_sdk_sns::Client::new(sdk), config.sms_max_price.clone()),
            mailer: Mailer::new(aws_sdk_sesv2::Client::new(sdk)),
            from_email: config.from_email.clone(),
            sms_country_code: config.sms_country_code.clone(),
        }
    }

    /// What the notifier sends with.
    pub fn notifier(&self) -> Notifier<'_> {
        Notifier {
            store: &self.store,
            sms: &self.sms,
            mailer: &self.mailer,
            from: self.from_email.as_deref(),
            country_code: &self.sms_country_code,
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }
}
