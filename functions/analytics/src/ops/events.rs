//! Reading events back: one by its id, and a range's events by `occurred_at`, a page at a time.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use shared::dynamo::{Page, StoreError, one_more};

use crate::{
    domain::{DateRange, StoredEvent, event::MAX_EVENT_ID_CHARS, range},
    store::{EventItem, Store},
};

#[derive(Debug, thiserror::Error)]
pub enum GetEventError {
    #[error("there is no event {}", shared::ids::shown(.0))]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stored event `event_id`. Ids longer than an event id may be are not looked up.
pub async fn get(store: &Store, event_id: &str) -> Result<StoredEvent, GetEventError> {
    let plausible = !event_id.is_empty() && event_id.chars().count() <= MAX_EVENT_ID_CHARS;
    if !plausible {
        return Err(GetEventError::NotFound(event_id.to_owned()));
    }
    store.event(event_id).await?.ok_or_else(|| GetEventError::NotFound(event_id.to_owned()))
}

/// Where a page of the event listing starts: a day, and the index position after which it goes
/// on (none: the day's first event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub date: String,
    pub after: Option<String>,
}

/// What a listing's cursor carries: the range, so that a cursor only continues the listing it
/// came from, and where the page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    start: String,
    end: String,
    at: Position,
}

#[derive(Debug, thiserror::Error)]
pub enum ListEventsError {
    /// The mark was issued for another range (or points outside this one).
    #[error("belongs to another range; start again without one")]
    OtherRange,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The bytes of events one page of the listing carries, at most (as kept; the answer adds a few
/// dozen bytes per event, and escaping it in the Lambda response adds more): well under Lambda's
/// 6 MB response, whatever `limit` asks. A page stops before the event that would pass it (the
/// first event always fits: one is at most 32 KB) and carries `next_cursor`.
pub const PAGE_BYTES: usize = 3 * 1024 * 1024;

/// What the answer adds to an event's body: its times and the punctuation around them.
const EVENT_OVERHEAD: usize = 96;

/// How many of `sizes` fit in `budget` bytes (at least one, if there is one).
fn fitting(sizes: impl Iterator<Item = usize>, budget: usize) -> usize {
    let mut used = 0;
    let mut fit = 0;
    for size in sizes {
        if fit > 0 && used + size > budget {
            break;
        }
        used += size;
        fit += 1;
    }
    fit
}

/// Up to `limit` events of the range by `occurred_at`, from `from` (the range's start without
/// it), and the mark of the next page if there may be one. The days are read in order, each one
/// `Query` for as many events as the page still lacks and one more (so a full page knows whether
/// more follow), and a day is only read if the page is not full yet.
pub async fn list(
    store: &Store,
    range: &DateRange,
    from: Option<Mark>,
    limit: usize,
) -> Result<Page<StoredEvent, Mark>, ListEventsError> {
    let (start, end) = (range::key(range.start), range::key(range.end));
    let from = match from {
        None => None,
        Some(mark) if mark.start == start && mark.end == end && mark.at.date >= start && mark.at.date <= end => {
            Some(mark.at)
        }
        Some(_) => return Err(ListEventsError::OtherRange),
    };
    let first = from.as_ref().map_or_else(|| start.clone(), |p| p.date.clone());
    let mut after = from.and_then(|p| p.after);
    // How many events the stream has yielded and how many days it has queried: the next day's
    // `Query` asks only for what the page still lacks.
    let (read, days) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let events: Vec<(String, EventItem)> = stream::iter(range.days().map(range::key).filter(|date| *date >= first))
        .flat_map(|date| {
            days.fetch_add(1, Ordering::Relaxed);
            let page = one_more(limit - read.load(Ordering::Relaxed));
            store.events_of_day(&date, after.take().as_deref(), page).map_ok(move |item| (date.clone(), item))
        })
        .inspect(|_| {
            read.fetch_add(1, Ordering::Relaxed);
        })
        .take(limit + 1)
        .try_collect()
        .await?;
    tracing::info!(query = "list_events", items = events.len(), days = days.into_inner(), "events read");
    // A page stops at its byte budget: the event after the last that fits is the probe of the
    // next page.
    let mut events = events;
    let limit = fitting(events.iter().take(limit).map(|(_, item)| item.event.body.len() + EVENT_OVERHEAD), PAGE_BYTES);
    events.truncate(limit + 1);
    // The next page starts after the page's last event; or, when the one more event read is of a
    // later day (the last one ended its day, and the days between are empty), at that day's first
    // event, so that the next page does not read the empty days again.
    let probe = events.get(limit).map(|(date, _)| date.clone());
    let page = Page::of(events, limit, |(date, item)| {
        let at = match &probe {
            Some(later) if later != date => Position { date: later.clone(), after: None },
            _ => Position { date: date.clone(), after: Some(item.day_sk.clone()) },
        };
        Mark { start: start.clone(), end: end.clone(), at }
    });
    Ok(page.map(|(_, item)| item.event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_stops_before_the_event_that_passes_the_budget() {
        assert_eq!(fitting([10, 10, 10].into_iter(), 25), 2);
        assert_eq!(fitting([10, 10, 10].into_iter(), 30), 3);
        assert_eq!(fitting([40, 10].into_iter(), 25), 1, "the first event always fits");
        assert_eq!(fitting(std::iter::empty(), 25), 0);
        assert_eq!(fitting(std::iter::repeat_n(32 * 1024 + EVENT_OVERHEAD, 500), PAGE_BYTES), 95);
    }
}
