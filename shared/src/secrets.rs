//! Keys kept in Secrets Manager and read at a function's first invocation, not from its
//! environment: a function's configuration is readable by whoever may read the function
//! (`lambda:GetFunctionConfiguration`), a secret only by the roles its policy names.
//!
//! A key variable `NAME` (the cursor key, the unsubscribe key) is deployed as `NAME_SECRET_ARN`,
//! the ARN of the secret that holds it. Start-up reads the variables as before and registers the
//! secrets it will need ([`Secret::from_env`]); [`crate::app::Deferred`] fetches them with the
//! SDK client it builds anyway, before the state is built, so handlers use the key without
//! waiting. A failed fetch fails that invocation (a 503, or the batch back on its queue) and the
//! next one fetches again. `NAME` itself, when set, is the key (tests and local tools).

use std::sync::{Mutex, OnceLock};

use aws_config::SdkConfig;

use crate::config::{self, ConfigError};

/// The variable naming the secret that holds variable `name`'s value.
pub fn arn_variable(name: &str) -> String {
    format!("{name}_SECRET_ARN")
}

/// Whether `name` is configured, directly or as a secret.
pub fn is_configured(name: &str) -> bool {
    config::optional(name).is_some() || config::optional(&arn_variable(name)).is_some()
}

/// A key held by Secrets Manager, fetched once per process.
pub struct Secret {
    variable: String,
    arn: String,
    value: OnceLock<String>,
}

/// The secrets this process registered at start-up, for [`fetch_all`].
static REGISTERED: Mutex<Vec<&'static Secret>> = Mutex::new(Vec::new());

#[derive(Debug, thiserror::Error)]
#[error("could not read the secret of {variable} from Secrets Manager: {reason}")]
pub struct FetchError {
    variable: String,
    reason: String,
}

impl Secret {
    /// The secret that `NAME_SECRET_ARN` names, registered to be fetched before the first
    /// invocation; `None` without that variable.
    pub fn from_env(name: &str) -> Option<&'static Secret> {
        let arn = config::optional(&arn_variable(name))?;
        let secret = crate::app::for_process(Secret { variable: name.to_owned(), arn, value: OnceLock::new() });
        REGISTERED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(secret);
        Some(secret)
    }

    /// The value, once fetched ([`fetch_all`] runs before any handler).
    pub fn value(&self) -> Result<&str, ConfigError> {
        self.value.get().map(String::as_str).ok_or_else(|| ConfigError::missing(&arn_variable(&self.variable)))
    }
}

/// The value of key variable `name`: the variable itself, else its secret once fetched.
pub fn resolved(name: &str) -> Option<String> {
    config::optional(name).or_else(|| {
        let registered = REGISTERED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        registered.iter().find(|secret| secret.variable == name).and_then(|secret| secret.value.get().cloned())
    })
}

/// Fetches every secret not fetched yet: those registered at start-up and any other
/// `<NAME>_SECRET_ARN` of the environment (read by [`resolved`] once the state is built).
pub async fn fetch_all(sdk: &SdkConfig) -> Result<(), FetchError> {
    let unregistered: Vec<String> = std::env::vars()
        .filter_map(|(var, _)| var.strip_suffix("_SECRET_ARN").map(str::to_owned))
        .filter(|name| {
            let registered = REGISTERED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            !registered.iter().any(|secret| &secret.variable == name)
        })
        .collect();
    for name in unregistered {
        Secret::from_env(&name);
    }
    let pending: Vec<&'static Secret> = REGISTERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .copied()
        .filter(|secret| secret.value.get().is_none())
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    for secret in pending {
        let fetched = client.get_secret_value().secret_id(&secret.arn).send().await.map_err(|err| FetchError {
            variable: secret.variable.clone(),
            reason: aws_sdk_secretsmanager::error::DisplayErrorContext(&err).to_string(),
        })?;
        let value = fetched.secret_string.ok_or_else(|| FetchError {
            variable: secret.variable.clone(),
            reason: "the secret has no string value".into(),
        })?;
        let _ = secret.value.set(value);
    }
    Ok(())
}
