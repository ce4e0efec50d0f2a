//! The notices queue's consumer: each message's notices claimed and sent
//! ([`crate::ops::notify`]). A message fails (and comes back) only when the table could not be
//! read or written; a failing SMS or mail service is retried, then the notice given up.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};

use crate::{App, ops::notify, queue::NoticeMessage};

/// Messages handled at once.
const MESSAGES_IN_FLIGHT: usize = 4;

pub async fn notifier(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    let notifier = &app.notifier();
    Ok(shared::lambda::each_record(event, MESSAGES_IN_FLIGHT, |record| async move {
        let message: NoticeMessage = shared::lambda::body(&record)?;
        let report = notify::deliver(notifier, &message).await.map_err(|err| err.to_string())?;
        tracing::info!(?report, "notices");
        Ok(())
    })
    .await)
}
