//! The search cache: a search's listings kept for the next alerts of the same search, so that a
//! popular phrase costs one marketplace call per `ALERTS_SEARCH_CACHE_SECONDS`.

use serde::Serialize;
use shared::dynamo::StoreError;

use super::{Store, search_key};
use crate::{domain::Products, marketplace::Search};

/// How long a cached result stays in the table (DynamoDB's TTL): long after it is stale.
const KEPT_SECONDS: i64 = 86_400;

impl Store {
    /// A cached search result, if any (the caller decides whether it is fresh enough).
    pub async fn cached_search(&self, search: &Search) -> Result<Option<Products>, StoreError> {
        self.table.get(search_key(search)).await
    }

    /// Caches a search result; DynamoDB's TTL removes it a day later.
    pub async fn cache_search(&self, search: &Search, result: &Products) -> Result<(), StoreError> {
        #[derive(Serialize)]
        struct Cached<'a> {
            #[serde(flatten)]
            result: &'a Products,
            ttl: i64,
        }
        let ttl = result.fetched_at.timestamp() + KEPT_SECONDS;
        self.table.put(search_key(search), &Cached { result, ttl }).await
    }
}
