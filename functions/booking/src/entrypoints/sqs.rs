//! The expiry queue's consumer.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use shared::time;

use crate::{
    App, ops,
    queue::{ExpiryMessage, NoticeMessage},
};

/// Each message either waits another step or expires its hold. Malformed messages and failures
/// are reported individually, so they are retried (and end in the dead-letter queue) without
/// holding up the rest of the batch.
pub async fn expiry_worker(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    let queue = app.expiry_queue()?;
    Ok(shared::lambda::each_record(event, 10, |record| async move {
        let message: ExpiryMessage = shared::lambda::body(&record)?;
        ops::handle_expiry_message(&app.store, queue, &message, time::now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await)
}

/// The notice queue's consumer: each message either waits another step (a reminder not yet due)
/// or sends its emails, each at most once. A message whose email could not go (the mail service
/// unavailable) is reported failed, so that SQS delivers it again later and it sends what is
/// left; the booking it is about stands either way.
pub async fn mailer(app: &App, event: SqsEvent) -> Result<SqsBatchResponse, shared::lambda::Error> {
    let queue = app.notices()?.queue;
    let from = app.from_email()?;
    Ok(shared::lambda::each_record(event, 10, |record| async move {
        let message: NoticeMessage = shared::lambda::body(&record)?;
        ops::handle_notice(&app.store, queue, &app.mailer, from, message, time::now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await)
}
