//! The metrics: the aggregate every processed order added itself to.

use shared::dynamo::StoreError;

use crate::{domain::Totals, store::Store};

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One read of the aggregate, whatever the number of orders.
pub async fn metrics(store: &Store) -> Result<Totals, MetricsError> {
    Ok(store.totals().await?)
}
