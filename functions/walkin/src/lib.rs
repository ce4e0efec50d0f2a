//! Walk-in service queue: customers check in at a service centre and staff call the next one.
//! VIPs and regulars are served two to one, first come first served within each tier.
//!
//! Layers: [`handlers`] (HTTP in and out) → [`ops`] (read, decide, commit, retry) →
//! [`domain`] (pure rules) and [`store`] (DynamoDB).

pub mod domain;
pub mod handlers;
pub mod ops;
pub mod routes;
pub mod store;

use aws_config::SdkConfig;
use shared::config::{self, ConfigError};

pub use store::Store;

pub struct Config {
    /// `WALKIN_TABLE`: the walk-in DynamoDB table.
    pub table: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self { table: config::required("WALKIN_TABLE")? })
    }
}

/// What every walk-in function holds between invocations.
pub struct App {
    pub store: Store,
}

impl App {
    pub fn new(sdk: &SdkConfig, config: &Config) -> Self {
        Self { store: Store::new(aws_sdk_dynamodb::Client::new(sdk), &config.table) }
    }

    /// Reads the configuration and builds the clients, once per cold start. The app lives as long
    /// as the process, so handlers borrow it for `'static`.
    pub async fn from_env() -> Result<&'static App, lambda_http::Error> {
        let config = Config::from_env()?;
        let sdk = shared::aws::sdk_config().await;
        Ok(Box::leak(Box::new(App::new(&sdk, &config))))
    }
}
