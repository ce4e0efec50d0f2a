//! The metrics: the aggregate every processed order added itself to.

use shared::dynamo::StoreError;

use crate::{App, domain::Totals};

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One read of the aggregate, whatever the number of orders.
pub async fn metrics(app: &App) -> Result<Totals, MetricsError> {
    Ok(app.store.totals().await?)
}
