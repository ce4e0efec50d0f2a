//! A provider's availability: publishing slots, listing the bookable ones, removing one.

use chrono::Duration;
use futures::{StreamExt, TryStreamExt};
use shared::{
    dynamo::{Page, StoreError, one_more},
    ids,
    retry::Backoff,
    time::Timestamp,
};

use super::plausible;
use crate::{
    Store,
    domain::{RangeProblem, Slot, SlotId, SlotMinutes, Timings, cut_range, listing_window, overlaps},
};

/// Creations of one provider's slots commit one at a time, so a provider posting several ranges
/// at once queues them: each loser reads again and retries, and needs more turns than a
/// reservation that merely met a conflict.
const AVAILABILITY_ATTEMPTS: u32 = 10;
/// The longest slot (a whole day): a slot overlapping a new range starts at most this early.
const LONGEST_SLOT: Duration = Duration::days(1);

#[derive(Debug, thiserror::Error)]
pub enum AddAvailabilityError {
    #[error("there is no provider {}", ids::shown(.0))]
    ProviderNotFound(String),
    #[error(transparent)]
    Range(#[from] RangeProblem),
    #[error(
        "too many concurrent changes to this provider's availability; try again \
         (the slots created so far are kept)"
    )]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Cuts the range into slots and creates those that do not overlap an existing slot.
///
/// Two requests for one provider could otherwise both read no slots and both create theirs,
/// overlapping (30-minute slots from 10:00 and 15-minute slots from 10:15 have different keys).
/// So the provider's availability version is read before its slots, and the creation commits
/// only if the version is still the one read; a request that loses the race reads again and
/// creates what is still missing (its own earlier chunks are then simply existing slots, and
/// still reported as created).
pub async fn add_availability(
    store: &Store,
    timings: &Timings,
    provider_id: &str,
    start: Timestamp,
    end: Timestamp,
    minutes: Option<SlotMinutes>,
    now: Timestamp,
) -> Result<Vec<Slot>, AddAvailabilityError> {
    plausible(provider_id, AddAvailabilityError::ProviderNotFound)?;
    let minutes = minutes.unwrap_or(timings.default_slot_minutes);
    let wanted = cut_range(provider_id, start, end, minutes, now)?;
    let mut created = Vec::new();
    let mut backoff = Backoff::new(AVAILABILITY_ATTEMPTS);
    loop {
        // The version first: a creation that commits after this read moves it and refuses
        // ours; one that committed before it is in the (strongly consistent) query below.
        // The profile also names the provider on every slot created.
        let provider = store
            .provider(provider_id)
            .await?
            .ok_or_else(|| AddAvailabilityError::ProviderNotFound(provider_id.to_owned()))?;
        let name = provider.name();
        let existing = store.slots(provider_id, start - LONGEST_SLOT, end).await?;
        let missing: Vec<Slot> = wanted
            .iter()
            .filter(|id| !existing.iter().any(|slot| overlaps((id.start, id.end()), (slot.start_time, slot.end_time))))
            .map(|id| Slot::named(id, &name))
            .collect();
        let creation = store.create_slots(provider_id, &missing, provider.availability_version).await?;
        created.extend(creation.created);
        if creation.complete {
            return Ok(created);
        }
        if !backoff.wait().await {
            return Err(AddAvailabilityError::Busy);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListAvailabilityError {
    #[error("there is no provider {}", ids::shown(.0))]
    ProviderNotFound(String),
    /// Said of `to`.
    #[error("must be after `from`")]
    ToNotAfterFrom,
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn provider_exists(store: &Store, provider_id: &str) -> Result<(), ListAvailabilityError> {
    if store.provider_exists(provider_id).await? {
        Ok(())
    } else {
        Err(ListAvailabilityError::ProviderNotFound(provider_id.to_owned()))
    }
}

/// Fills in `provider_name` on slots created before slots carried it, from the provider's
/// profile (read only if one lacks it).
async fn named(store: &Store, provider_id: &str, slots: &mut [Slot]) -> Result<(), StoreError> {
    if slots.iter().all(|slot| slot.provider_name.is_some()) {
        return Ok(());
    }
    let name = store.provider(provider_id).await?.map(|provider| provider.name());
    for slot in slots.iter_mut().filter(|slot| slot.provider_name.is_none()) {
        slot.provider_name.clone_from(&name);
    }
    Ok(())
}

/// The provider's bookable slots starting in `[from, to)` and after `after` (the last start time
/// of the previous page, as the page says where the next continues), by start time, `limit` at
/// most: far enough ahead and not held by a live
/// reservation. Slots that are not bookable are skipped as they are read, so the store is read
/// until the page is full (and one more slot, to know whether another page follows) or the range
/// ends; since a page continues strictly after the previous one's last start time, a slot is
/// never listed twice, whatever is added or booked meanwhile.
pub async fn list_availability(
    store: &Store,
    timings: &Timings,
    provider_id: &str,
    window: (Option<Timestamp>, Option<Timestamp>),
    after: Option<Timestamp>,
    limit: usize,
    now: Timestamp,
) -> Result<Page<Slot, Timestamp>, ListAvailabilityError> {
    plausible(provider_id, ListAvailabilityError::ProviderNotFound)?;
    let (from, to) = window;
    if let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        return Err(ListAvailabilityError::ToNotAfterFrom);
    }
    let empty = Page { items: Vec::new(), next: None };
    let Some((from, to)) = listing_window(from, to, now, timings) else {
        provider_exists(store, provider_id).await?;
        return Ok(empty);
    };
    let start = match after {
        Some(after) => from.max(after + Duration::seconds(1)),
        None => from,
    };
    if start > to {
        return Ok(empty);
    }
    let slots: Vec<Slot> = store
        .slots_from(provider_id, start, to, one_more(limit))
        .try_filter(|s| std::future::ready(s.start_time >= start && s.start_time < to && s.is_free(now)))
        .take(limit + 1)
        .try_collect()
        .await?;
    if slots.is_empty() && after.is_none() {
        // Nothing listed: say whether the provider exists at all (only then is a read spent).
        provider_exists(store, provider_id).await?;
    }
    let mut page = Page::of(slots, limit, |slot| slot.start_time);
    named(store, provider_id, &mut page.items).await?;
    Ok(page)
}

/// Parses a slot id of `provider_id` (if given); an id that cannot be one is simply not found
/// (`None`).
pub(super) fn slot_id(raw: &str, provider_id: Option<&str>) -> Option<SlotId> {
    raw.parse::<SlotId>().ok().filter(|id| provider_id.is_none_or(|p| p == id.provider_id))
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteSlotError {
    #[error("there is no slot {}", ids::shown(.0))]
    SlotNotFound(String),
    #[error("the slot is held or confirmed; it cannot be removed")]
    SlotReserved,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn delete_slot(
    store: &Store,
    provider_id: &str,
    raw_slot_id: &str,
    now: Timestamp,
) -> Result<Slot, DeleteSlotError> {
    let not_found = || DeleteSlotError::SlotNotFound(raw_slot_id.to_owned());
    let id = slot_id(raw_slot_id, Some(provider_id)).ok_or_else(not_found)?;
    let mut slot = store.slot(&id).await?.ok_or_else(not_found)?;
    if store.delete_slot(&id, now).await?.is_ok() {
        named(store, provider_id, std::slice::from_mut(&mut slot)).await?;
        return Ok(slot);
    }
    match store.slot(&id).await? {
        None => Err(not_found()),
        Some(_) => Err(DeleteSlotError::SlotReserved),
    }
}
