//! Settings come from the environment, once, at start-up: a missing or malformed value stops the
//! function before it takes traffic instead of failing the first request.

use std::{fmt::Display, str::FromStr};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(String),
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid { name: String, value: String, reason: String },
}

impl ConfigError {
    /// A variable a function needs and was deployed without.
    pub fn missing(name: &str) -> Self {
        ConfigError::Missing(name.to_owned())
    }
}

/// A variable that may be absent (the local endpoint's URL); set to blanks counts as absent.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// A variable the function cannot work without (a table name, a queue URL).
pub fn required(name: &str) -> Result<String, ConfigError> {
    optional(name).ok_or_else(|| ConfigError::Missing(name.to_owned()))
}

/// The variables a function cannot work without although its service's other functions can (a
/// queue only the producers send to, the cursor key only the listings sign with): called by its
/// `main`, so a function deployed without them stops at start-up, naming the variable, instead
/// of failing each request.
/// A key may be given as the secret holding it (`<NAME>_SECRET_ARN`, [`crate::secrets`]).
pub fn require_all(names: &[&str]) -> Result<(), ConfigError> {
    names.iter().try_for_each(|name| match crate::secrets::is_configured(name) {
        true => Ok(()),
        false => Err(ConfigError::missing(name)),
    })
}

/// A variable with a documented default (business timings, rates).
pub fn or_default<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    optional(name).map_or(Ok(default), |value| parse(name, &value))
}

/// Parses one value, naming the variable in the error.
pub fn parse<T>(name: &str, value: &str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: Display,
{
    value.trim().parse().map_err(|err: T::Err| ConfigError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_the_variable() {
        let err = parse::<u32>("BOOKING_HOLD_SECONDS", "soon").unwrap_err();
        assert!(err.to_string().contains("BOOKING_HOLD_SECONDS"));
        assert_eq!(parse::<u32>("X", " 30 ").unwrap(), 30);
    }
}
