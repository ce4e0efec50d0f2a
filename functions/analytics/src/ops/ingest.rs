//! Ingesting an event, whichever door it took: stored and counted once.

use shared::{
    dynamo::{Refusal, StoreError},
    retry::Backoff,
    time::{self, Timestamp},
};

use crate::{
    domain::{Event, Recorded},
    store::{Part, Store, chunks},
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
/// day) is retried. An event with more line items than one transaction holds has the rest counted
/// in further transactions before the answer; a repeat finishes what an interrupted first
/// delivery left (each chunk counts once, whoever applies it).
pub async fn ingest(store: &Store, event: &Event, received_at: Timestamp) -> Result<Ingested, IngestError> {
    let recorded = Recorded::new(event, received_at);
    let mut backoff = Backoff::new(16);
    loop {
        match store.record(&recorded).await? {
            Ok(()) => {
                finish_items(store, &recorded, 1).await?;
                return Ok(Ingested::Created);
            }
            Err(Refusal::Condition(Part::Event)) => match store.event_item(&event.event_id).await? {
                Some(stored) if stored.event.is_repeat_of(event) => {
                    if let Some(done) = stored.items_done {
                        // The day it counts on is the stored one's (an event without
                        // `occurred_at` happened when it was first received).
                        let first = Recorded {
                            event,
                            occurred_at: stored.event.occurred_at,
                            received_at: stored.event.received_at,
                        };
                        finish_items(store, &first, done).await?;
                    }
                    return Ok(Ingested::Duplicate);
                }
                Some(_) => return Err(IngestError::Conflict(event.event_id.clone())),
                // Refused by an event that is gone (expired meanwhile): try again.
                None if backoff.wait().await => {}
                None => return Err(IngestError::Contended),
            },
            Err(Refusal::Condition(Part::Rollup)) | Err(Refusal::Conflict) if backoff.wait().await => {}
            Err(_) => return Err(IngestError::Contended),
        }
    }
}

/// Counts the line item chunks of a stored event from chunk `done` on, each in its own
/// transaction that moves the event's progress from `k` to `k + 1`. When another delivery
/// counted a chunk first, the progress is read again and the work goes on from there.
async fn finish_items(store: &Store, recorded: &Recorded<'_>, mut done: usize) -> Result<(), IngestError> {
    let total = chunks(recorded.event.line_items.len());
    let mut backoff = Backoff::new(16);
    while done < total {
        match store.record_chunk(recorded, done).await? {
            Ok(()) => done += 1,
            Err(Refusal::Condition(Part::Event)) => {
                done = match store.event_item(&recorded.event.event_id).await? {
                    Some(item) => item.items_done.unwrap_or(total),
                    None => total,
                };
            }
            Err(_) if backoff.wait().await => {}
            Err(_) => return Err(IngestError::Contended),
        }
    }
    Ok(())
}

/// [`ingest`] with the time of receipt now.
pub async fn ingest_now(store: &Store, event: &Event) -> Result<Ingested, IngestError> {
    ingest(store, event, time::now()).await
}
