//! The views identity makes possible: the public directory of providers, a provider's
//! appointments, a client's reservations. Each reads one key range (a partition of the table or
//! of an index), page by page; where a page ends is a sort key, which the next page continues
//! strictly after.

use futures::{StreamExt, TryStreamExt};
use shared::{
    dynamo::{Page, StoreError, one_more},
    time::Timestamp,
};

use crate::{
    Store,
    domain::{Appointment, DirectoryEntry, Reservation, Status},
    store::{client_sort_key, provider_sort_bound, provider_sort_key},
};

/// The public directory, by provider id, after `after`; the next page continues after the last
/// provider id listed.
pub async fn providers(store: &Store, after: Option<&str>, limit: usize) -> Result<Page<DirectoryEntry>, StoreError> {
    let entries = store.directory(after, limit + 1).await?;
    Ok(Page::of(entries, limit, |entry| entry.provider_id.clone()))
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderReservationsError {
    /// Said of `to`.
    #[error("must be after `from`")]
    ToNotAfterFrom,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The provider's held and confirmed reservations starting in `[from, to)` (`from` defaults to
/// now: what is coming), by start time, after the one whose sort key is `after`. Holds that have
/// run out are skipped, recorded or not.
pub async fn provider_reservations(
    store: &Store,
    provider_id: &str,
    window: (Option<Timestamp>, Option<Timestamp>),
    after: Option<&str>,
    limit: usize,
    now: Timestamp,
) -> Result<Page<Appointment>, ProviderReservationsError> {
    let from = window.0.unwrap_or(now);
    if window.1.is_some_and(|to| to <= from) {
        return Err(ProviderReservationsError::ToNotAfterFrom);
    }
    let lower = provider_sort_bound(from);
    let lower = match after {
        Some(after) if after > lower.as_str() => after.to_owned(),
        _ => lower,
    };
    // Every sort key of a start before `to` sorts before `to` itself; without `to`, before the
    // character after `9` (years are four digits).
    let upper = window.1.map_or_else(|| ":".to_owned(), provider_sort_bound);
    // An id this system could not have issued has no reservations (and must not reach DynamoDB,
    // which refuses keys over 2 KB with a validation error).
    if lower > upper || !shared::ids::is_plausible(provider_id) {
        return Ok(Page { items: Vec::new(), next: None });
    }
    let after = after.map(str::to_owned);
    let appointments: Vec<Appointment> = store
        .provider_reservations(provider_id, lower, upper, one_more(limit))
        .try_filter(|a| {
            let r = &a.reservation;
            let listed = after.as_deref().is_none_or(|after| provider_sort_key(r).as_str() > after)
                && r.start_time >= from
                && window.1.is_none_or(|to| r.start_time < to)
                && matches!(r.status_at(now), Status::Held | Status::Confirmed);
            std::future::ready(listed)
        })
        .map_ok(|mut a| {
            a.reservation.status = a.reservation.status_at(now);
            a
        })
        .take(limit + 1)
        .try_collect()
        .await?;
    Ok(Page::of(appointments, limit, |a| provider_sort_key(&a.reservation)))
}

#[derive(Debug, thiserror::Error)]
pub enum ClientReservationsError {
    #[error("make your client profile first: POST /booking/v1/clients")]
    ClientProfileRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The client's reservations, newest first, with `status` (as of now: an overdue hold is
/// expired) if given, created before the one whose sort key is `before`.
pub async fn client_reservations(
    store: &Store,
    client_id: &str,
    status: Option<Status>,
    before: Option<&str>,
    limit: usize,
    now: Timestamp,
) -> Result<Page<Reservation>, ClientReservationsError> {
    if store.client(client_id).await?.is_none() {
        return Err(ClientReservationsError::ClientProfileRequired);
    }
    let reservations: Vec<Reservation> = store
        .client_reservations(client_id, before.map(str::to_owned), one_more(limit))
        .map_ok(|mut r| {
            r.status = r.status_at(now);
            r
        })
        .try_filter(|r| std::future::ready(status.is_none_or(|wanted| r.status == wanted)))
        .take(limit + 1)
        .try_collect()
        .await?;
    Ok(Page::of(reservations, limit, client_sort_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_its_limit_and_says_where_the_next_starts() {
        let full = Page::of(vec![1, 2, 3], 2, |n: &i32| n.to_string());
        assert_eq!((full.items, full.next), (vec![1, 2], Some("2".to_owned())));
        let last = Page::of(vec![1, 2], 2, |n: &i32| n.to_string());
        assert_eq!((last.items, last.next), (vec![1, 2], None));
    }
}
