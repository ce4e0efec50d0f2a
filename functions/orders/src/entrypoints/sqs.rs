//! The orders queue's consumer.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};

use crate::{App, ops, queue::OrderMessage};

/// Records are handled one after another: they all add to the same aggregate, and concurrent
/// transactions on one item would only conflict and retry.
pub async fn processor(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    Ok(shared::lambda::each_record(event, 1, |record| async move {
        let message: OrderMessage = shared::lambda::body(&record)?;
        ops::process(&app.store, app.prices, &message.order_id).await.map(|_| ()).map_err(|error| error.to_string())
    })
    .await)
}
