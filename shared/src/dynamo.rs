//! DynamoDB helpers shared by every store: item mapping through `serde_dynamo`, and the one place
//! where SDK errors are sorted into "the database is unreachable" (503), "a condition or a
//! concurrent transaction refused the write" (the caller decides), and "a bug" (500).

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::{BuildError, ProvideErrorMetadata, SdkError},
    operation::{query::builders::QueryFluentBuilder, transact_write_items::TransactWriteItemsError},
    types::{AttributeValue, Select, TransactWriteItem},
};
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::{Serialize, de::DeserializeOwned};

use crate::http::ApiError;

pub type Item = HashMap<String, AttributeValue>;

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
const THROTTLED_TRANSACTION_ATTEMPTS: u32 = 3;

fn is_throttled_transaction<Rsp>(err: &SdkError<TransactWriteItemsError, Rsp>) -> bool {
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
fn transaction_outcome<R: Copy, Rsp: std::fmt::Debug>(
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
    expression: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
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

/// One table and the client to reach it: the operations every store does the same way.
#[derive(Clone)]
pub struct Table {
    pub client: Client,
    pub name: String,
}

impl Table {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self { client, name: name.into() }
    }

    /// A strongly consistent read of one item.
    pub async fn get<T: DeserializeOwned>(&self, key: Item) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_err)?;
        output.item.map(from_item).transpose()
    }

    /// Writes `record` under `key` unless an item is already there (refused if one is).
    pub async fn insert<T: Serialize>(&self, key: Item, record: &T) -> Result<Written, StoreError> {
        self.put_if(key, record, Condition::new("attribute_not_exists(pk)")).await
    }

    /// Writes `record` under `key` if `condition` holds of what is there.
    pub async fn put_if<T: Serialize>(
        &self,
        key: Item,
        record: &T,
        condition: Condition,
    ) -> Result<Written, StoreError> {
        written(
            self.client
                .put_item()
                .table_name(&self.name)
                .set_item(Some(item_at(key, record)?))
                .condition_expression(condition.expression)
                .set_expression_attribute_names((!condition.names.is_empty()).then_some(condition.names))
                .set_expression_attribute_values((!condition.values.is_empty()).then_some(condition.values))
                .send()
                .await,
        )
    }

    /// Writes `record` under `key`, whatever was there.
    pub async fn put<T: Serialize>(&self, key: Item, record: &T) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item_at(key, record)?))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    /// A strongly consistent `Query` of the base table, through the SDK's paginator: every page,
    /// or the first `limit` items (as one page when they fit), mapped to records. `configure` adds
    /// the key condition and its values.
    pub async fn query<T: DeserializeOwned>(
        &self,
        configure: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
        limit: Option<usize>,
    ) -> Result<Vec<T>, StoreError> {
        let mut items = configure(self.client.query().table_name(&self.name))
            .consistent_read(true)
            .set_limit(limit.map(|l| l.min(i32::MAX as usize) as i32))
            .into_paginator()
            .items()
            .send();
        let mut records = Vec::new();
        while limit.is_none_or(|l| records.len() < l) {
            match items.next().await {
                Some(item) => records.push(from_item(item.map_err(store_err)?)?),
                None => break,
            }
        }
        Ok(records)
    }

    /// How many items a strongly consistent `Query` matches, every page counted: nothing but the
    /// number comes back.
    pub async fn count(
        &self,
        configure: impl FnOnce(QueryFluentBuilder) -> QueryFluentBuilder,
    ) -> Result<usize, StoreError> {
        let mut pages = configure(self.client.query().table_name(&self.name))
            .select(Select::Count)
            .consistent_read(true)
            .into_paginator()
            .send();
        let mut count = 0;
        while let Some(page) = pages.next().await {
            count += page.map_err(store_err)?.count as usize;
        }
        Ok(count)
    }

    /// One `TransactWriteItems` of `(role, item)` pairs: committed, or refused as
    /// [`Refusal`] says, naming the role of the item whose condition failed.
    pub async fn commit<R: Copy>(&self, items: Vec<(R, TransactWriteItem)>) -> Result<Written<R>, StoreError> {
        let (roles, items): (Vec<R>, Vec<TransactWriteItem>) = items.into_iter().unzip();
        // The SDK retries a throttled request, but not a transaction cancelled because one of its
        // items was throttled: that is retried here, within the retry budget, then a 503.
        let mut backoff = crate::retry::Backoff::new(THROTTLED_TRANSACTION_ATTEMPTS);
        loop {
            match self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await {
                Ok(_) => return Ok(Ok(())),
                Err(err) if is_throttled_transaction(&err) && backoff.wait().await => {
                    tracing::debug!(attempt = backoff.attempts(), "transaction throttled; retrying");
                }
                Err(err) => return transaction_outcome(err, &roles),
            }
        }
    }
}

/// The value a field of a record is stored as: the same serde mapping as whole items, so that a
/// condition or an update names a status (`"queued"`) exactly as the item holds it.
pub fn attr<T: Serialize + ?Sized>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|err| StoreError::Unexpected(format!("cannot map a value to an attribute: {err}")))
}

/// A record as an item stored under `key` (the key attributes are added to the record's).
pub fn item_at<T: Serialize>(key: Item, record: &T) -> Result<Item, StoreError> {
    let mut item = to_item(record)?;
    item.extend(key);
    Ok(item)
}

/// A record as a DynamoDB item.
pub fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|err| StoreError::Unexpected(format!("cannot map record to an item: {err}")))
}

/// A DynamoDB item as a record.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|err| StoreError::Unexpected(format!("cannot read item: {err}")))
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The key of an item in a table with a `pk`/`sk` composite key (every table of this project).
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}
