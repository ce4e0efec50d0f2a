//! Product price alerts: users save search phrases; a schedule every minute finds the alerts
//! due, groups them by search and hands the groups to a worker through SQS, which searches the
//! marketplace once per group (cached for `ALERTS_SEARCH_CACHE_SECONDS`) and mails each alert
//! the cheapest listings through SES, at most once per period.
//!
//! Layers, as in every service:
//!
//! - [`entrypoints`]: HTTP, SQS and schedule events in, answers out; op errors become the
//!   contract's status and code there.
//! - [`ops`]: the use cases (manage alerts, dispatch and run them, unsubscribe), each with its
//!   own error enum.
//! - [`domain`]: alerts, money, listings, unsubscribe tokens; pure.
//! - [`email`]: the MIME message (templates, headers); pure. Sent by `shared::mail` (SES).
//! - [`marketplace`]: eBay's Browse API. [`store`]: DynamoDB (keys, conditions, mapping).
//!   [`queue`]: the SQS messages (runs, insight emails, observations).
//! - [`routes`]: the HTTP routes as the template declares them; `bin/`: one thin main per function,
//!   which names the variables of the optional parts its function needs
//!   (`shared::config::require_all`): deployed without one, the function stops at start-up.

pub mod chart;
pub mod domain;
pub mod email;
pub mod entrypoints;
pub mod marketplace;
pub mod ops;
pub mod queue;
pub mod routes;
pub mod store;

use std::time::Duration;

use aws_config::SdkConfig;
use shared::{
    auth::{AuthConfig, Verifier},
    config::{self, ConfigError},
    cursor::Cursors,
    mail::Mailer,
};

use crate::{
    domain::token::Tokens,
    email::Sender,
    marketplace::{CredentialSource, Marketplace},
    ops::{Mail, runs::Worker},
    queue::Queue,
    store::Store,
};

/// The marketplace settings (the worker's).
#[derive(Debug, Clone)]
pub struct MarketplaceConfig {
    /// `EBAY_API_BASE_URL` (`https://api.ebay.com`; locally the stand-in).
    pub base_url: String,
    /// `EBAY_CREDENTIALS_SECRET`: the Secrets Manager secret (ARN or name) with
    /// `{"client_id", "client_secret"}`.
    pub credentials_secret: String,
    /// `EBAY_MARKETPLACE_ID` (`EBAY_US`).
    pub marketplace_id: String,
}

pub struct Config {
    /// `ALERTS_TABLE`.
    pub table: String,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`.
    pub auth: AuthConfig,
    /// `CURSOR_SIGNING_KEY` (the listing).
    pub cursors: Option<Cursors>,
    /// `ALERTS_UNSUBSCRIBE_KEY` (the worker, which signs links, and the unsubscribe routes).
    pub unsubscribe_key: Option<Cursors>,
    /// `ALERTS_RUNS_QUEUE_URL` (the dispatcher).
    pub runs_queue_url: Option<String>,
    /// `ALERTS_FROM_EMAIL` and `ALERTS_PUBLIC_BASE_URL` (the worker).
    pub sender: Option<Sender>,
    pub marketplace: Option<MarketplaceConfig>,
    /// `ALERTS_SEARCH_CACHE_SECONDS` (60): how long a search's result is reused.
    pub search_cache: Duration,
    /// `ALERTS_OBSERVATIONS_QUEUE_URL` (the worker): where every search's listings are published.
    pub observations_queue_url: Option<String>,
    /// `ALERTS_OBSERVATIONS_DLQ_URL` (the recorder): where observations that cannot be recorded go.
    pub observations_dlq_url: Option<String>,
    /// `ALERTS_HISTORY_DAYS` (90): how long price history is kept.
    pub history_days: i64,
    /// `ALERTS_INSIGHTS_QUEUE_URL` (the insights dispatcher): one message per user and period.
    pub insights_queue_url: Option<String>,
    /// `ALERTS_INSIGHTS_EVERY_SECONDS` (86400): how often insight emails go out.
    pub insights_every: u64,
}

impl Config {
    /// A table and a user pool, nothing else configured, defaults for the rest (tests, tools).
    pub fn new(table: impl Into<String>, auth: AuthConfig) -> Self {
        Self {
            table: table.into(),
            auth,
            cursors: None,
            unsubscribe_key: None,
            runs_queue_url: None,
            sender: None,
            marketplace: None,
            search_cache: Duration::from_secs(60),
            observations_queue_url: None,
            observations_dlq_url: None,
            history_days: 90,
            insights_queue_url: None,
            insights_every: 86_400,
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let optional = |name: &str| config::required(name).ok();
        let sender = match (optional("ALERTS_FROM_EMAIL"), optional("ALERTS_PUBLIC_BASE_URL")) {
            (Some(from), Some(public_base_url)) => Some(Sender { from, public_base_url }),
            _ => None,
        };
        let marketplace = match (optional("EBAY_API_BASE_URL"), optional("EBAY_CREDENTIALS_SECRET")) {
            (Some(base_url), Some(credentials_secret)) => Some(MarketplaceConfig {
                base_url,
                credentials_secret,
                marketplace_id: optional("EBAY_MARKETPLACE_ID").unwrap_or_else(|| "EBAY_US".into()),
            }),
            _ => None,
        };
        Ok(Self {
            table: config::required("ALERTS_TABLE")?,
            auth: AuthConfig::from_env()?,
            cursors: Cursors::optional_from_env()?,
            unsubscribe_key: optional("ALERTS_UNSUBSCRIBE_KEY")
                .map(|_| Cursors::from_var("ALERTS_UNSUBSCRIBE_KEY"))
                .transpose()?,
            runs_queue_url: optional("ALERTS_RUNS_QUEUE_URL"),
            sender,
            marketplace,
            search_cache: Duration::from_secs(config::or_default("ALERTS_SEARCH_CACHE_SECONDS", 60u64)?),
            observations_queue_url: optional("ALERTS_OBSERVATIONS_QUEUE_URL"),
            observations_dlq_url: optional("ALERTS_OBSERVATIONS_DLQ_URL"),
            history_days: config::or_default("ALERTS_HISTORY_DAYS", 90i64)?,
            insights_queue_url: optional("ALERTS_INSIGHTS_QUEUE_URL"),
            insights_every: config::or_default("ALERTS_INSIGHTS_EVERY_SECONDS", 86_400u64)?.max(60),
        })
    }
}

/// What every alerts function holds between invocations. The parts only some functions use
/// are `None` in the others (their configuration is not given to them).
pub struct App {
    pub store: Store,
    pub auth: Verifier,
    pub cursors: Option<Cursors>,
    pub tokens: Option<Tokens>,
    pub runs: Option<Queue>,
    pub sender: Option<Sender>,
    pub mailer: Mailer,
    pub marketplace: Option<Marketplace>,
    pub search_cache: Duration,
    /// The observation channel (the worker publishes) and its DLQ (the recorder).
    pub observations: Option<Queue>,
    pub observations_dlq: Option<Queue>,
    pub history_days: i64,
    pub insights: Option<Queue>,
    pub insights_every: u64,
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
        Self::with_marketplace(
            sdk,
            config,
            config.marketplace.as_ref().map(|m| {
                let source = CredentialSource::Secret {
                    client: aws_sdk_secretsmanager::Client::new(sdk),
                    secret_id: m.credentials_secret.clone(),
                };
                Marketplace::new(&m.base_url, &m.marketplace_id, source)
            }),
        )
    }

    /// As [`App::new`], with a marketplace client of the caller's (tests give fixed credentials).
    pub fn with_marketplace(sdk: &SdkConfig, config: &Config, marketplace: Option<Marketplace>) -> Self {
        Self {
            store: Store::new(aws_sdk_dynamodb::Client::new(sdk), &config.table),
            auth: Verifier::new(config.auth.clone()),
            cursors: config.cursors.clone(),
            tokens: config.unsubscribe_key.clone().map(Tokens::new),
            runs: config.runs_queue_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            sender: config.sender.clone(),
            mailer: Mailer::new(aws_sdk_sesv2::Client::new(sdk)),
            marketplace,
            search_cache: config.search_cache,
            observations: config
                .observations_queue_url
                .as_ref()
                .map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            observations_dlq: config
                .observations_dlq_url
                .as_ref()
                .map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            history_days: config.history_days,
            insights: config.insights_queue_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            insights_every: config.insights_every,
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }

    /// The unsubscribe links' signing key.
    pub fn tokens(&self) -> Result<&Tokens, ConfigError> {
        self.tokens.as_ref().ok_or(ConfigError::missing("ALERTS_UNSUBSCRIBE_KEY"))
    }

    /// What sends emails: the sender, the links' key and SES.
    pub fn mail(&self) -> Result<Mail<'_>, ConfigError> {
        let sender = self.sender.as_ref().ok_or(ConfigError::missing("ALERTS_FROM_EMAIL"))?;
        Ok(Mail { sender, tokens: self.tokens()?, mailer: &self.mailer })
    }

    /// What the worker runs with.
    pub fn worker(&self) -> Result<Worker<'_>, ConfigError> {
        Ok(Worker {
            store: &self.store,
            marketplace: self.marketplace.as_ref(),
            search_cache: self.search_cache,
            observations: self.observations.as_ref(),
            mail: self.mail()?,
        })
    }

    /// The runs queue (the dispatcher's).
    pub fn runs_queue(&self) -> Result<&Queue, ConfigError> {
        self.runs.as_ref().ok_or(ConfigError::missing("ALERTS_RUNS_QUEUE_URL"))
    }

    /// The insights queue (the insights dispatcher's).
    pub fn insights_queue(&self) -> Result<&Queue, ConfigError> {
        self.insights.as_ref().ok_or(ConfigError::missing("ALERTS_INSIGHTS_QUEUE_URL"))
    }

    /// The observation channel's DLQ (the recorder's).
    pub fn observations_dlq(&self) -> Result<&Queue, ConfigError> {
        self.observations_dlq.as_ref().ok_or(ConfigError::missing("ALERTS_OBSERVATIONS_DLQ_URL"))
    }
}
