//! Users delete their own data: a client's profile and reservations, a provider's profile,
//! directory entry and slots. Live reservations are cancelled first, as a cancellation by that
//! user, so that the other side hears of it as usual.

use futures::TryStreamExt;
use shared::{dynamo::StoreError, time};

use super::{CancelError, Notices, cancel};
use crate::{
    Store,
    domain::{CancelReason, Notice, Reservation, Status},
};

#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("{0}")]
    Cancel(#[from] CancelError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the provider's clients read when a provider deletes their account.
pub const PROVIDER_GONE: &str = "The provider closed their account.";

/// Cancels the client's live reservations, then deletes all their reservations and their
/// profile. The reservations it cancelled, for the notices. Deleting what is already gone is
/// not an error.
pub async fn erase_client(
    store: &Store,
    notices: &Notices<'_>,
    client_id: &str,
) -> Result<Vec<Reservation>, EraseError> {
    let now = time::now();
    let all: Vec<Reservation> = store.client_reservations(client_id, None, 100).try_collect().await?;
    let mut cancelled = Vec::new();
    for reservation in all.iter().filter(|r| r.is_active(now)) {
        match cancel(store, &reservation.reservation_id, client_id, None).await {
            Ok(done) => {
                // Told now, while both profiles (and their emails) are still there.
                notices.announce(store, Notice::Cancelled, before(&done), &done, time::now()).await;
                cancelled.push(done);
            }
            // Its hold ran out meanwhile: nothing to cancel.
            Err(CancelError::Expired | CancelError::NotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    let ids: Vec<String> = all.into_iter().map(|r| r.reservation_id).collect();
    store.delete_reservations(&ids).await?;
    store.delete_client(client_id).await?;
    Ok(cancelled)
}

/// Cancels the provider's live reservations (the reason tells the clients why), then deletes
/// their directory entry, slots and profile. The reservations it cancelled, for the notices.
pub async fn erase_provider(
    store: &Store,
    notices: &Notices<'_>,
    provider_id: &str,
) -> Result<Vec<Reservation>, EraseError> {
    let now = time::now();
    let live: Vec<Reservation> = store
        .provider_reservations(provider_id, "0".to_owned(), "~".to_owned(), 100)
        .map_ok(|appointment| appointment.reservation)
        .try_collect()
        .await?;
    let reason = CancelReason::try_from(PROVIDER_GONE.to_owned()).expect("a valid reason");
    let mut cancelled = Vec::new();
    for reservation in live.iter().filter(|r| r.is_active(now)) {
        match cancel(store, &reservation.reservation_id, provider_id, Some(reason.clone())).await {
            Ok(done) => {
                // Told now, while both profiles (and their emails) are still there.
                notices.announce(store, Notice::Cancelled, before(&done), &done, time::now()).await;
                cancelled.push(done);
            }
            Err(CancelError::Expired | CancelError::NotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    store.delete_provider(provider_id).await?;
    Ok(cancelled)
}

/// The status a just-cancelled reservation had: confirmed if it ever was.
pub fn before(cancelled: &Reservation) -> Status {
    if cancelled.confirmed_at.is_some() { Status::Confirmed } else { Status::Held }
}
