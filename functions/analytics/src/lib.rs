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
    queue::Queue,
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
}

/// A part of the configuration that only some functions get, and that those cannot work without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The listing's cursors: `CURSOR_SIGNING_KEY`.
    Cursors,
    /// The worker's dead-letter queue: `ANALYTICS_DLQ_URL`.
    DeadLetterQueue,
}

impl Need {
    /// The variable that gives it.
    pub fn variable(self) -> &'static str {
        match self {
            Need::Cursors => "CURSOR_SIGNING_KEY",
            Need::DeadLetterQueue => "ANALYTICS_DLQ_URL",
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table: config::required("ANALYTICS_TABLE")?,
            dlq_url: config::optional("ANALYTICS_DLQ_URL"),
            auth: AuthConfig::from_env()?,
            cursors: Cursors::optional_from_env()?,
        })
    }

    /// Refuses a configuration without what a function `needs`, naming the variable: such a
    /// function stops at start-up instead of failing every request.
    pub fn require(&self, needs: &[Need]) -> Result<(), ConfigError> {
        let missing = needs.iter().find(|need| match need {
            Need::Cursors => self.cursors.is_none(),
            Need::DeadLetterQueue => self.dlq_url.is_none(),
        });
        missing.map_or(Ok(()), |need| Err(ConfigError::Missing(need.variable().to_owned())))
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
        Self {
            store: Store::new(aws_sdk_dynamodb::Client::new(sdk), &config.table),
            dlq: config.dlq_url.as_ref().map(|url| Queue::new(aws_sdk_sqs::Client::new(sdk), url)),
            auth: Verifier::new(config.auth.clone()),
            cursors: config.cursors.clone(),
        }
    }

    /// The function's state, built at its first invocation; the configuration is read now, so
    /// a malformed variable stops the function at start-up ([`shared::app::Deferred`]).
    pub fn deferred() -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        Self::deferred_requiring(&[])
    }

    /// [`App::deferred`] for a function that `needs` a part of the configuration only some get:
    /// without it, the function stops at start-up with the variable named.
    pub fn deferred_requiring(needs: &[Need]) -> Result<&'static shared::app::Deferred<App>, ConfigError> {
        let config = Config::from_env()?;
        config.require(needs)?;
        Ok(shared::app::Deferred::new(move |sdk| App::new(sdk, &config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dlq_url: Option<&str>, cursors: Option<Cursors>) -> Config {
        Config {
            table: "t".into(),
            dlq_url: dlq_url.map(str::to_owned),
            auth: AuthConfig { issuer: "i".into(), client_id: "c".into(), jwks_url: "j".into() },
            cursors,
        }
    }

    #[test]
    fn a_function_without_what_it_needs_is_refused_naming_the_variable() {
        let bare = config(None, None);
        assert!(bare.require(&[]).is_ok());
        let err = bare.require(&[Need::Cursors]).unwrap_err();
        assert!(err.to_string().contains("CURSOR_SIGNING_KEY"), "{err}");
        let err = bare.require(&[Need::DeadLetterQueue]).unwrap_err();
        assert!(err.to_string().contains("ANALYTICS_DLQ_URL"), "{err}");
        let full = config(Some("https://dlq"), Some(Cursors::new("k".repeat(32))));
        assert!(full.require(&[Need::Cursors, Need::DeadLetterQueue]).is_ok());
    }
}
