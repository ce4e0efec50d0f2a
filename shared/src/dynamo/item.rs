//! Records as DynamoDB items and back, through `serde_dynamo`, and the small constructors every
//! store's keys use.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;

pub type Item = HashMap<String, AttributeValue>;

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
