//! Per-caller quotas: how much of what everyone shares one account may spend (orders a minute,
//! holds an hour, alerts a day, ingestion requests a minute, refused check-ins an hour per
//! address). Past its quota a caller is answered `429 quota_exceeded` with `Retry-After` (the
//! seconds until the window ends), and nobody else notices.
//!
//! A quota is a fixed window counted by one conditional `UpdateItem` in the service's own table
//! (`pk = QUOTA#<name>#<who>`, `sk = <window start>`): `ADD used 1` if `used < limit`. One write a
//! request, exact under any concurrency (DynamoDB applies the conditions one at a time), and the
//! counter expires with the table's TTL a day after its window.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use chrono::{DurationRound, TimeDelta};
use lambda_http::http::StatusCode;

use crate::{
    config::{self, ConfigError},
    dynamo::{StoreError, Table, key, n, store_err},
    http::ApiError,
    time::Timestamp,
};

/// The length of a quota's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Minute,
    Hour,
    Day,
}

impl Window {
    fn length(self) -> TimeDelta {
        match self {
            Window::Minute => TimeDelta::minutes(1),
            Window::Hour => TimeDelta::hours(1),
            Window::Day => TimeDelta::days(1),
        }
    }

    fn per(self) -> &'static str {
        match self {
            Window::Minute => "a minute",
            Window::Hour => "an hour",
            Window::Day => "a day",
        }
    }
}

/// One quota's rule: `limit` in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub limit: u32,
    pub window: Window,
}

impl Limit {
    /// The limit from `variable` (a positive integer), `default` without it.
    pub fn from_env(name: &'static str, variable: &str, default: u32, window: Window) -> Result<Self, ConfigError> {
        let limit: u32 = config::or_default(variable, default)?;
        if limit == 0 {
            return Err(ConfigError::Invalid {
                name: variable.to_owned(),
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self { name, limit, window })
    }

    /// Where the window containing `now` starts, and the seconds left in it (at least 1).
    pub fn window_at(&self, now: Timestamp) -> (Timestamp, u32) {
        let length = self.window.length();
        let start = now.duration_trunc(length).unwrap_or(now);
        let left = (start + length - now).num_seconds().clamp(1, i64::from(u32::MAX));
        (start, left as u32)
    }
}

/// A caller past a quota.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("you have used your {limit} {what} {per}; try again in {retry_after} s")]
pub struct Exceeded {
    pub limit: u32,
    pub what: &'static str,
    pub per: &'static str,
    pub retry_after: u32,
}

impl From<Exceeded> for ApiError {
    fn from(err: Exceeded) -> Self {
        let mut api = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "quota_exceeded", err.to_string());
        api.retry_after = Some(err.retry_after);
        api
    }
}

/// Why spending failed: past the quota, or the database (503).
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    #[error(transparent)]
    Exceeded(#[from] Exceeded),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<QuotaError> for ApiError {
    fn from(err: QuotaError) -> Self {
        match err {
            QuotaError::Exceeded(exceeded) => exceeded.into(),
            QuotaError::Store(store) => store.into(),
        }
    }
}

/// A quota counted in a service's table; `what` names its unit in messages ("orders", "holds").
#[derive(Clone)]
pub struct Quota {
    pub table: Table,
    pub limit: Limit,
    pub what: &'static str,
}

impl Quota {
    /// Spends one unit for `who` (a `sub`, a source address) at `now`.
    pub async fn spend(&self, who: &str, now: Timestamp) -> Result<(), QuotaError> {
        spend(&self.table, &self.limit, self.what, who, now).await
    }
}

/// Spends one unit of `limit` for `who` (a `sub`, a source address) at `now`; `what` names the
/// unit in the message ("orders", "holds").
pub async fn spend(
    table: &Table,
    limit: &Limit,
    what: &'static str,
    who: &str,
    now: Timestamp,
) -> Result<(), QuotaError> {
    let (start, retry_after) = limit.window_at(now);
    let expires = (start + limit.window.length() + TimeDelta::days(1)).timestamp();
    let result = table
        .update_item()
        .set_key(Some(key(format!("QUOTA#{}#{who}", limit.name), crate::time::sortable(start))))
        .update_expression("ADD used :one SET #ttl = :ttl")
        .condition_expression("attribute_not_exists(used) OR used < :limit")
        .expression_attribute_names("#ttl", "ttl")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":limit", n(limit.limit))
        .expression_attribute_values(":ttl", n(expires))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.as_service_error().is_some_and(|e| e.code() == Some("ConditionalCheckFailedException")) => {
            Err(Exceeded { limit: limit.limit, what, per: limit.window.per(), retry_after }.into())
        }
        Err(err) => Err(store_err(err).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_their_boundary_and_say_what_is_left() {
        let at = crate::time::parse("2026-12-07T10:41:15Z").unwrap();
        let minute = Limit { name: "m", limit: 1, window: Window::Minute };
        assert_eq!(minute.window_at(at), (crate::time::parse("2026-12-07T10:41:00Z").unwrap(), 45));
        let hour = Limit { name: "h", limit: 1, window: Window::Hour };
        assert_eq!(hour.window_at(at), (crate::time::parse("2026-12-07T10:00:00Z").unwrap(), 1125));
        let day = Limit { name: "d", limit: 1, window: Window::Day };
        assert_eq!(day.window_at(at).0, crate::time::parse("2026-12-07T00:00:00Z").unwrap());
    }

    #[test]
    fn past_the_quota_is_a_429_with_retry_after() {
        let api = ApiError::from(Exceeded { limit: 60, what: "orders", per: "a minute", retry_after: 12 });
        assert_eq!((api.status, api.code.as_ref()), (StatusCode::TOO_MANY_REQUESTS, "quota_exceeded"));
        assert_eq!(api.message, "you have used your 60 orders a minute; try again in 12 s");
        assert_eq!(api.to_response().headers()["retry-after"], "12");
    }
}
