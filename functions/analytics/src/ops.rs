//! The use cases: ingest an event (from either door), read one back.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::Event,
    store::{Part, Recorded, StoredEvent},
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
pub async fn ingest(app: &App, event: &Event, received_at: Timestamp) -> Result<Ingested, IngestError> {
    let recorded = Recorded { event, occurred_at: event.occurred_at.unwrap_or(received_at), received_at };
    let mut backoff = Backoff::new(16);
    loop {
        match app.store.record(&recorded).await? {
            Ok(()) => return Ok(Ingested::Created),
            Err(Refusal::Condition(Part::Event)) => match app.store.event(&event.event_id).await? {
                Some(stored) if stored.fingerprint == event.fingerprint() => return Ok(Ingested::Duplicate),
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
pub async fn ingest_now(app: &App, event: &Event) -> Result<Ingested, IngestError> {
    ingest(app, event, time::now()).await
}

#[derive(Debug, thiserror::Error)]
pub enum GetEventError {
    #[error("there is no event {}", shared::ids::shown(.0))]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stored event `event_id`. Ids longer than an event id may be are not looked up.
pub async fn get(app: &App, event_id: &str) -> Result<StoredEvent, GetEventError> {
    let plausible = !event_id.is_empty() && event_id.chars().count() <= crate::domain::event::MAX_EVENT_ID_CHARS;
    if !plausible {
        return Err(GetEventError::NotFound(event_id.to_owned()));
    }
    app.store.event(event_id).await?.ok_or_else(|| GetEventError::NotFound(event_id.to_owned()))
}
