//! DynamoDB helpers shared by every store: item mapping through `serde_dynamo`, and the one place
//! where SDK errors are sorted into "the database is unreachable" (503), "a condition or a
//! concurrent transaction refused the write" (the caller decides), and "a bug" (500).

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::{BuildError, ProvideErrorMetadata, SdkError},
    operation::{query::builders::QueryFluentBuilder, transact_write_items::TransactWriteItemsError},
    types::{AttributeValue, TransactWriteItem},
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

/// True when a single conditional write was refused by its condition.
pub fn is_condition_failed<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    err.as_service_error().is_some_and(|e| e.code() == Some("ConditionalCheckFailedException"))
}

/// Why a `TransactWriteItems` did not commit.
#[derive(Debug)]
pub enum TxFailure {
    /// Cancelled: one reason code per item, in request order ("None" for items that were fine).
    Cancelled(Vec<String>),
    Store(StoreError),
}

impl TxFailure {
    /// True when the item at `index` failed its condition.
    pub fn condition_failed_at(&self, index: usize) -> bool {
        matches!(self, TxFailure::Cancelled(codes) if codes.get(index).is_some_and(|c| c == "ConditionalCheckFailed"))
    }

    /// True when another transaction touched the same items at the same time: retry.
    pub fn is_conflict(&self) -> bool {
        matches!(self, TxFailure::Cancelled(codes) if codes.iter().any(|c| c == "TransactionConflict"))
    }

    /// The store error for failures the caller does not handle itself.
    pub fn into_store_error(self) -> StoreError {
        match self {
            TxFailure::Cancelled(codes) => StoreError::Unexpected(format!("transaction cancelled: {codes:?}")),
            TxFailure::Store(err) => err,
        }
    }
}

pub fn tx_failure<R: std::fmt::Debug>(err: SdkError<TransactWriteItemsError, R>) -> TxFailure {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => TxFailure::Cancelled(
            cancelled.cancellation_reasons().iter().map(|reason| reason.code().unwrap_or("None").to_owned()).collect(),
        ),
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => {
            TxFailure::Cancelled(vec!["TransactionConflict".to_owned()])
        }
        _ => TxFailure::Store(classify(&err)),
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

    /// Writes `record` under `key` unless an item is already there; `Ok(false)` if one is.
    pub async fn put_new<T: Serialize>(&self, key: Item, record: &T) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item_at(key, record)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if is_condition_failed(&err) => Ok(false),
            Err(err) => Err(store_err(err)),
        }
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

    /// A strongly consistent `Query` of the base table, every page (or until `limit` items),
    /// mapped to records. `configure` adds the key condition and its values.
    pub async fn query<T: DeserializeOwned>(
        &self,
        configure: impl Fn(QueryFluentBuilder) -> QueryFluentBuilder,
        limit: Option<usize>,
    ) -> Result<Vec<T>, StoreError> {
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let output = configure(self.client.query().table_name(&self.name))
                .consistent_read(true)
                .set_limit(limit.map(|l| (l - records.len()).min(i32::MAX as usize) as i32))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(store_err)?;
            for item in output.items.unwrap_or_default() {
                records.push(from_item(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() || limit.is_some_and(|l| records.len() >= l) {
                return Ok(records);
            }
        }
    }

    /// One `TransactWriteItems`.
    pub async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TxFailure> {
        self.client.transact_write_items().set_transact_items(Some(items)).send().await.map(|_| ()).map_err(tx_failure)
    }
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
