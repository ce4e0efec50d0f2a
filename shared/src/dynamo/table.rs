//! One table and the client to reach it: the reads and writes every store does the same way, and
//! builders already bound to the table for the ones a store writes itself.

use aws_sdk_dynamodb::{
    Client,
    operation::{
        delete_item::builders::DeleteItemFluentBuilder, put_item::builders::PutItemFluentBuilder,
        query::builders::QueryFluentBuilder, update_item::builders::UpdateItemFluentBuilder,
    },
    types::{
        ConditionCheck, Delete, DeleteRequest, Put, Select, TransactWriteItem, Update, WriteRequest,
        builders::{ConditionCheckBuilder, DeleteBuilder, PutBuilder, UpdateBuilder},
    },
};
use futures::{Stream, TryStreamExt, stream};
use serde::{Serialize, de::DeserializeOwned};

use super::{
    Condition, Item, StoreError, THROTTLED_TRANSACTION_ATTEMPTS, Written, from_item, is_throttled_transaction, item_at,
    store_err, transaction_outcome, written,
};

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
            self.put_item()
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
        self.put_item().set_item(Some(item_at(key, record)?)).send().await.map_err(store_err)?;
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
        let mut items = configure(self.query_items())
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
        let mut pages =
            configure(self.query_items()).select(Select::Count).consistent_read(true).into_paginator().send();
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

    /// A `PutItem` of this table, for a store that sets its own condition.
    pub fn put_item(&self) -> PutItemFluentBuilder {
        self.client.put_item().table_name(&self.name)
    }

    /// An `UpdateItem` of this table.
    pub fn update_item(&self) -> UpdateItemFluentBuilder {
        self.client.update_item().table_name(&self.name)
    }

    /// A `DeleteItem` of this table.
    pub fn delete_item(&self) -> DeleteItemFluentBuilder {
        self.client.delete_item().table_name(&self.name)
    }

    /// A `Query` of this table (or, with `index_name`, of one of its indexes).
    pub fn query_items(&self) -> QueryFluentBuilder {
        self.client.query().table_name(&self.name)
    }

    /// The put of a transaction on this table.
    pub fn tx_put(&self) -> PutBuilder {
        Put::builder().table_name(&self.name)
    }

    /// The update of a transaction on this table.
    pub fn tx_update(&self) -> UpdateBuilder {
        Update::builder().table_name(&self.name)
    }

    /// The delete of a transaction on this table.
    pub fn tx_delete(&self) -> DeleteBuilder {
        Delete::builder().table_name(&self.name)
    }

    /// The condition check of a transaction on this table.
    pub fn tx_check(&self) -> ConditionCheckBuilder {
        ConditionCheck::builder().table_name(&self.name)
    }

    /// The keys (`pk`, `sk`) of every item `query` matches, every page read; on an index too,
    /// whose projection always holds the table's keys.
    pub async fn keys(&self, query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
        let pages = query.projection_expression("pk, sk").into_paginator().items().send();
        let items: Vec<Item> = stream::unfold(pages, |mut pages| async move { Some((pages.next().await?, pages)) })
            .map_err(store_err)
            .try_collect()
            .await?;
        Ok(items
            .into_iter()
            .map(|mut item| {
                let mut key = Item::new();
                for name in ["pk", "sk"] {
                    if let Some(value) = item.remove(name) {
                        key.insert(name.to_owned(), value);
                    }
                }
                key
            })
            .collect())
    }

    /// Deletes the items of `keys`, 25 to a `BatchWriteItem`, retrying what DynamoDB leaves
    /// unprocessed. Deleting a missing item is no error, so a retry after a failure finishes the work.
    pub async fn delete_all(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|key| {
                    let delete = DeleteRequest::builder().set_key(Some(key.clone())).build()?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<_, StoreError>>()?;
            let mut backoff = crate::retry::Backoff::new(8);
            while !requests.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.name, requests)
                    .send()
                    .await
                    .map_err(store_err)?;
                requests = out.unprocessed_items.and_then(|mut m| m.remove(&self.name)).unwrap_or_default();
                if !requests.is_empty() && !backoff.wait().await {
                    return Err(StoreError::Unavailable("deletes left unprocessed".into()));
                }
            }
        }
        Ok(())
    }

    /// The items `query` returns, mapped to records, as a stream: each page is one `Query`, sent
    /// only when the stream reaches it, so a listing that stops early reads no further.
    pub fn stream<T: DeserializeOwned + Send + 'static>(
        query: QueryFluentBuilder,
    ) -> impl Stream<Item = Result<T, StoreError>> + Send + use<T> {
        let items = query.into_paginator().items().send();
        stream::unfold(items, move |mut items| async move {
            let item = items.next().await?.map_err(store_err).and_then(from_item);
            Some((item, items))
        })
    }
}

/// One page of a listing, and where the next page starts (none on the last page): a position the
/// listing chooses (a sort key, a ticket), which the HTTP layer signs into `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, P = String> {
    pub items: Vec<T>,
    pub next: Option<P>,
}

impl<T, P> Page<T, P> {
    /// The first `limit` of `items`, read one more than that so that a full last page is known
    /// to be the last: the next page starts after the `limit`-th item, at `position(item)`.
    pub fn of(mut items: Vec<T>, limit: usize, position: impl Fn(&T) -> P) -> Self {
        let next = (limit > 0 && items.len() > limit).then(|| position(&items[limit - 1]));
        items.truncate(limit);
        Self { items, next }
    }

    /// The same page with each item mapped (records into views).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, P> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// The page size to ask DynamoDB for, to know whether `limit` items are the last.
pub fn one_more(limit: usize) -> i32 {
    i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_knows_whether_more_follow() {
        let page = Page::of(vec![1, 2, 3], 2, |n| n * 10);
        assert_eq!(page, Page { items: vec![1, 2], next: Some(20) });
        let last = Page::of(vec![1, 2], 2, |n| n * 10);
        assert_eq!(last, Page { items: vec![1, 2], next: None });
        assert_eq!(Page::of(Vec::<u8>::new(), 5, |n| *n).next, None);
        assert_eq!(one_more(usize::MAX), i32::MAX);
    }
}
