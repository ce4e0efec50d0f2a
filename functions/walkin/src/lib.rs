//! Walk-in service queue: customers check in at a service centre and staff call the next one.
//! VIPs and regulars are served two to one, first come first served within each tier.
//!
//! Layers, each calling only the ones after it:
//! - [`entrypoints`]: events in, responses out ([`entrypoints::http`] for API Gateway); maps each
//!   use case's errors to the contract's status and code;
//! - [`ops`]: the use cases (read, decide with the domain, commit through the store, retry), each
//!   with its own error enum and no knowledge of HTTP;
//! - [`domain`]: the entities and their rules, pure (`now` is a parameter);
//! - [`store`]: DynamoDB (keys, conditions, transactions), nothing else.
//!
//! [`routes`] lists the HTTP routes as the template declares them; `src/bin/` has one thin main
//! per function.

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
    idempotency::Idempotency,
};

pub use store::Store;

pub struct Config {
    /// `WALKIN_TABLE`: the walk-in DynamoDB table.
    pub table: String,
    /// `CURSOR_SIGNING_KEY`: only the functions that list (the queue) get it, and they do not
    /// start without it (`require_all` in their `main`).
    pub cursors: Option<Cursors>,
    /// `COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`: whose tokens callers sign in with.
    pub auth: AuthConfig,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: config::required("WALKIN_TABLE")?,
            cursors: Cursors::optional_from_env()?,
            auth: AuthConfig::from_env()?,
        })
    }
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
            store: Store::new(client.clone(), &config.table),
            idempotency: Idempotency::new(Table::new(client, &config.table)),
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
}
