//! Ingesting an event, whichever door it took: stored and counted once.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    domain::{Event, Recorded},
    store::{Part, Store},
};

/// What ingesting an event did; both are successes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Stored and counted now.
    Created,
    /// The same event (same canonical content) was stored before: nothing changed.
    Duplicate,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An event with this id and different content is stored: nothing changed.
    #[error("event {0} was received before with different content")]
    Conflict(String),
    /// Concurrent transactions on the same rollups kept winning past the retries.
    #[error("the rollups stayed contended; try again")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores `event` and adds it to its rollups, once: a repeat with the same content is a
/// [`Ingested::Duplicate`], one with other content an [`IngestError::Conflict`], and neither
/// changes anything. A transaction that lost a race on a rollup item (another event of the same
/// day) is retried.
pub async fn ingest(store: &Store, event: &Event, received_at: Timestamp) -> Result<Ingested, IngestError> {
    let recorded = Recorded::new(event, received_at);
    let mut backoff = Backoff::new(16);
    loop {
        match store.record(&recorded).await? {
            Ok(()) => return Ok(Ingested::Created),
            Err(Refusal::Condition(Part::Event)) => match store.event(&event.event_id).await? {
                Some(stored) if stored.is_repeat_of(event) => return Ok(Ingested::Duplicate),
                Some(_) => return Err(IngestError::Conflict(event.event_id.clone())),
                // Refused by an event that is gone: nothing deletes events, so this is a race
                // with nothing; try again.
                None if backoff.wait().await => {}
                None => return Err(IngestError::Contended),
            },
            Err(Refusal::Condition(Part::Rollup)) | Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(_) => return Err(IngestError::Contended),
        }
    }
}

/// [`ingest`] with the time of receipt now.
pub async fn ingest_now(store: &Store, event: &Event) -> Result<Ingested, IngestError> {
    ingest(store, event, time::now()).await
}
