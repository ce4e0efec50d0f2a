//! DynamoDB helpers shared by every store: item mapping through `serde_dynamo`, and the one place
//! where SDK errors are sorted into "the database is unreachable" (503), "a condition or a
//! concurrent transaction refused the write" (the caller decides), and "a bug" (500).

mod item;
mod table;

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    error::{BuildError, ProvideErrorMetadata, SdkError},
    operation::transact_write_items::TransactWriteItemsError,
    types::AttributeValue,
};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::http::ApiError;

pub use item::{Item, attr, from_item, item_at, key, n, s, to_item};
pub use table::{Page, Table, one_more};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, timed out, throttled or failing on its side: worth a retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a malformed request or an item that does not map, i.e. a bug.
    #[error("unexpected database error: {0}")]
    Unexpected(String),
}

/// A request that does not build is a bug in the store code.
impl From<BuildError> for StoreError {
    fn from(err: BuildError) -> Self {
        StoreError::Unexpected(format!("invalid request: {err}"))
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                ApiError::unavailable("the database is unavailable; try again shortly")
            }
            StoreError::Unexpected(detail) => {
                tracing::error!(%detail, "database error");
                ApiError::internal()
            }
        }
    }
}

/// Errors worth a retry later. `TransactionConflictException` is a single-item write that met a
/// transaction in progress on its item: the SDK does not retry it, and it is no bug of ours.
const TRANSIENT_CODES: &[&str] = &[
    "TransactionConflictException",
    "InternalServerError",
    "ServiceUnavailable",
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
];

/// Cancellation reasons of a transaction that was refused for capacity, not for its content.
const THROTTLING_REASONS: &[&str] = &["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"];

/// Attempts of a transaction cancelled for throttling, as the SDK's own standard retry mode does
/// for throttled requests.
pub(crate) const THROTTLED_TRANSACTION_ATTEMPTS: u32 = 3;

pub(crate) fn is_throttled_transaction<Rsp>(err: &SdkError<TransactWriteItemsError, Rsp>) -> bool {
    matches!(err.as_service_error(), Some(TransactWriteItemsError::TransactionCanceledException(cancelled))
        if cancelled.cancellation_reasons().iter().any(|reason| reason.code().is_some_and(|c| THROTTLING_REASONS.contains(&c))))
}

/// Sorts any SDK error into unavailable or unexpected.
pub fn classify<E, R>(err: &SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = DisplayErrorContext(err).to_string();
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(detail)
        }
        SdkError::ServiceError(service) if TRANSIENT_CODES.contains(&service.err().code().unwrap_or_default()) => {
            StoreError::Unavailable(detail)
        }
        _ => StoreError::Unexpected(detail),
    }
}

/// `?`-friendly form of [`classify`].
pub fn store_err<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    classify(&err)
}

/// Why a conditional write did not commit, when neither an outage nor a bug is the reason. `R`
/// names the role of each item of a transaction (`()` for a single write), so that the store can
/// say which condition refused it without counting positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal<R = ()> {
    /// The condition of the item playing this role was false: the state is not what the write
    /// expected (taken, already done, changed since it was read).
    Condition(R),
    /// Another transaction touched the same items at the same moment: read again and retry.
    Conflict,
}

/// A conditional write that committed (`Ok`) or was refused (`Err`); outages and bugs are the
/// outer `StoreError`.
pub type Written<R = ()> = Result<(), Refusal<R>>;

/// The outcome of a single conditional write (`PutItem`, `UpdateItem`, `DeleteItem` with a
/// `ConditionExpression`): refused by its condition, or failed as [`classify`] says.
pub fn written<O, E, R>(result: Result<O, SdkError<E, R>>) -> Result<Written, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(Ok(())),
        Err(err) if err.as_service_error().is_some_and(|e| e.code() == Some("ConditionalCheckFailedException")) => {
            Ok(Err(Refusal::Condition(())))
        }
        Err(err) => Err(classify(&err)),
    }
}

/// The outcome of a `TransactWriteItems` whose items play `roles` (in request order): the first
/// item whose condition failed names the refusal; a transaction cancelled by a concurrent one is
/// a conflict; anything else is an error.
pub(crate) fn transaction_outcome<R: Copy, Rsp: std::fmt::Debug>(
    err: SdkError<TransactWriteItemsError, Rsp>,
    roles: &[R],
) -> Result<Written<R>, StoreError> {
    let codes: Vec<&str> = match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            cancelled.cancellation_reasons().iter().map(|reason| reason.code().unwrap_or("None")).collect()
        }
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => return Ok(Err(Refusal::Conflict)),
        _ => return Err(classify(&err)),
    };
    if let Some(role) = codes.iter().position(|code| *code == "ConditionalCheckFailed").and_then(|i| roles.get(i)) {
        return Ok(Err(Refusal::Condition(*role)));
    }
    if codes.contains(&"TransactionConflict") {
        return Ok(Err(Refusal::Conflict));
    }
    let detail = format!("transaction cancelled: {codes:?}");
    if codes.iter().any(|code| THROTTLING_REASONS.contains(code)) {
        return Err(StoreError::Unavailable(detail));
    }
    Err(StoreError::Unexpected(detail))
}

/// A condition expression with its placeholders, for [`Table::put_if`].
#[derive(Debug, Clone, Default)]
pub struct Condition {
    pub(crate) expression: String,
    pub(crate) names: HashMap<String, String>,
    pub(crate) values: HashMap<String, AttributeValue>,
}

impl Condition {
    pub fn new(expression: impl Into<String>) -> Self {
        Self { expression: expression.into(), ..Self::default() }
    }

    /// `#name` stands for the attribute `attribute`.
    pub fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names.insert(placeholder.to_owned(), attribute.to_owned());
        self
    }

    /// `:value` stands for `value`.
    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }
}
