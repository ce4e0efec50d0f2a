//! Reservations: the hold that takes a slot, and the transactions that end it (confirm, cancel,
//! expire), each also keeping the client's count of holds exact; and the overdue holds the
//! sweep looks for.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use futures::{Stream, stream};
use serde::{Deserialize, Serialize};
use shared::{
    dynamo::{Item, StoreError, Written, attr, from_item, item_at, n, s, store_err},
    time::{self, Timestamp},
};

use super::{HELD, HELD_INDEX, IndexKeys, Part, Store, client_key, index_keys, reservation_key, set_of, slot_key};
use crate::domain::{CancelReason, CancelledBy, Client as ClientProfile, Reservation, SlotId, Status};

/// A new reservation's item: the record, the keys of the indexes it joins, and the client's name
/// (copied from their profile) for the provider's listing.
#[derive(Serialize)]
struct ReservationItem<'a> {
    #[serde(flatten)]
    reservation: &'a Reservation,
    #[serde(flatten)]
    keys: IndexKeys<'a>,
    client_first_name: &'a str,
    client_last_name: &'a str,
    /// When the table's TTL removes it (epoch seconds): the retention period after it was stored.
    ttl: i64,
}

/// Who ends a reservation, and why, as a close records it.
#[derive(Clone, Copy)]
pub enum Closing<'a> {
    Expiry,
    Cancellation(CancelledBy, Option<&'a CancelReason>),
}

impl Store {
    pub async fn reservation(&self, reservation_id: &str) -> Result<Option<Reservation>, StoreError> {
        self.table.get(reservation_key(reservation_id)).await
    }

    /// Reserves in one transaction:
    /// 0. the slot is taken by this hold, on condition that it exists with this length and is
    ///    free (never held, released, or its hold has run out);
    /// 1. the hold joins the client's `held`, on condition that the client's profile exists and
    ///    holds fewer than `max_holds`;
    /// 2. the reservation is created, held, with the client's name, and indexed for the sweep
    ///    and both listings.
    pub async fn reserve(
        &self,
        reservation: &Reservation,
        slot: &SlotId,
        client: &ClientProfile,
        max_holds: u32,
        now: Timestamp,
        retention: chrono::Duration,
    ) -> Result<Written<Part>, StoreError> {
        let expires_ms = reservation.expires_at.timestamp_millis();
        let take_slot = self
            .table
            .tx_update()
            .set_key(Some(slot_key(slot)))
            .update_expression("SET reservation_id = :rid, reservation_status = :held, hold_expires_ms = :expires")
            .condition_expression(
                "attribute_exists(pk) AND slot_minutes = :minutes AND (attribute_not_exists(reservation_status) \
                 OR (reservation_status = :held AND hold_expires_ms <= :now))",
            )
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":expires", n(expires_ms))
            .expression_attribute_values(":minutes", n(slot.minutes.get()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        let count_hold = self
            .table
            .tx_update()
            .set_key(Some(client_key(&reservation.client_id)))
            .update_expression("ADD held :rid")
            .condition_expression("attribute_exists(pk) AND (attribute_not_exists(held) OR size(held) < :max)")
            .expression_attribute_values(":rid", set_of(&reservation.reservation_id))
            .expression_attribute_values(":max", n(max_holds))
            .build()?;
        let item = ReservationItem {
            reservation,
            keys: index_keys(reservation),
            client_first_name: client.first_name.as_str(),
            client_last_name: client.last_name.as_str(),
            ttl: (now + retention).timestamp(),
        };
        let create = self
            .table
            .tx_put()
            .set_item(Some(item_at(reservation_key(&reservation.reservation_id), &item)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        self.table
            .commit(vec![
                (Part::Slot, TransactWriteItem::builder().update(take_slot).build()),
                (Part::Client, TransactWriteItem::builder().update(count_hold).build()),
                (Part::Reservation, TransactWriteItem::builder().put(create).build()),
            ])
            .await
    }

    /// Confirms in one transaction: the reservation moves `held → confirmed` on condition that
    /// it belongs to `client_id` and its hold has not run out (so confirm and expiry cannot both
    /// win); the slot, still held by this reservation, becomes confirmed; the hold leaves the
    /// client's `held`.
    pub async fn confirm(&self, reservation: &Reservation, now: Timestamp) -> Result<Written<Part>, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(reservation_key(&reservation.reservation_id)))
            .update_expression("SET #status = :confirmed, confirmed_at = :now_text REMOVE hold_pk")
            .condition_expression("#status = :held AND client_id = :client AND hold_expires_ms > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":confirmed", attr(&Status::Confirmed)?)
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":client", s(&reservation.client_id))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":now_text", s(time::format(now)))
            .build()?;
        let slot = self
            .table
            .tx_update()
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("SET reservation_status = :confirmed REMOVE hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":confirmed", attr(&Status::Confirmed)?)
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .build()?;
        self.table
            .commit(vec![
                (Part::Reservation, TransactWriteItem::builder().update(update).build()),
                (Part::Slot, TransactWriteItem::builder().update(slot).build()),
                (Part::Client, TransactWriteItem::builder().update(self.uncount_hold(reservation)?).build()),
            ])
            .await
    }

    /// The hold leaves its client's `held` (a no-op if it is not there: a confirmed reservation
    /// being cancelled, or one made before holds were counted). No condition: the profile exists
    /// as long as its reservations do (profiles are never deleted), and the write is part of a
    /// transaction whose other conditions decide.
    pub(super) fn uncount_hold(&self, reservation: &Reservation) -> Result<Update, StoreError> {
        Ok(self
            .table
            .tx_update()
            .set_key(Some(client_key(&reservation.client_id)))
            .update_expression("DELETE held :rid")
            .expression_attribute_values(":rid", set_of(&reservation.reservation_id))
            .build()?)
    }

    /// Cancels in one transaction: the reservation moves from held (with a live hold) or
    /// confirmed to cancelled and leaves the provider's listing; the slot it holds is released;
    /// the hold leaves the client's `held`.
    pub async fn cancel(
        &self,
        reservation: &Reservation,
        now: Timestamp,
        by: CancelledBy,
        reason: Option<&CancelReason>,
    ) -> Result<Written<Part>, StoreError> {
        self.close(reservation, Closing::Cancellation(by, reason), now).await
    }

    /// Expires a held reservation whose hold has run out, releases its slot and takes the hold
    /// off the client's `held`, in one transaction. The condition (`held`, hold over) makes a second delivery, a confirmation
    /// that won the race, or a cancellation turn this into a refusal that changes nothing.
    pub async fn expire(&self, reservation: &Reservation, now: Timestamp) -> Result<Written<Part>, StoreError> {
        self.close(reservation, Closing::Expiry, now).await
    }

    /// Expires the reservation (and takes it off the client's `held`) without its slot: for a
    /// hold whose slot is already gone or held by someone else (after the hold ran out, the slot
    /// was free for others to take or to delete).
    pub async fn expire_reservation_only(
        &self,
        reservation: &Reservation,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.close_reservation_only(reservation, Closing::Expiry, now).await
    }

    /// Cancels the reservation (and takes it off the client's `held`) without its slot, under
    /// cancel's condition: for one whose slot is not held by it, so that there is nothing to
    /// release.
    pub async fn cancel_reservation_only(
        &self,
        reservation: &Reservation,
        now: Timestamp,
        by: CancelledBy,
        reason: Option<&CancelReason>,
    ) -> Result<Written<Part>, StoreError> {
        self.close_reservation_only(reservation, Closing::Cancellation(by, reason), now).await
    }

    async fn close_reservation_only(
        &self,
        reservation: &Reservation,
        closing: Closing<'_>,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.table
            .commit(vec![
                (
                    Part::Reservation,
                    TransactWriteItem::builder().update(self.close_update(reservation, closing, now)?).build(),
                ),
                (Part::Client, TransactWriteItem::builder().update(self.uncount_hold(reservation)?).build()),
            ])
            .await
    }

    pub(super) fn slot_key_of(&self, reservation: &Reservation) -> Result<Item, StoreError> {
        let id: SlotId = reservation
            .slot_id
            .parse()
            .map_err(|_| StoreError::Unexpected(format!("reservation with bad slot id {}", reservation.slot_id)))?;
        Ok(slot_key(&id))
    }

    /// The reservation's half of a close: the status moves on from what we read, under the
    /// condition that fits the target.
    fn close_update(
        &self,
        reservation: &Reservation,
        closing: Closing<'_>,
        now: Timestamp,
    ) -> Result<Update, StoreError> {
        let update = self
            .table
            .tx_update()
            .set_key(Some(reservation_key(&reservation.reservation_id)))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":now_text", s(time::format(now)));
        let update = match closing {
            // Expire: still held and the hold is over.
            Closing::Expiry => update
                .update_expression("SET #status = :to, expired_at = :now_text REMOVE hold_pk, provider_pk, provider_sk")
                .condition_expression("#status = :held AND hold_expires_ms <= :now")
                .expression_attribute_values(":to", attr(&Status::Expired)?),
            // Cancel: confirmed, or held with a live hold; the invite's sequence moves on.
            Closing::Cancellation(by, reason) => {
                let update = update
                    .condition_expression("#status = :confirmed OR (#status = :held AND hold_expires_ms > :now)")
                    .expression_attribute_values(":to", attr(&Status::Cancelled)?)
                    .expression_attribute_values(":confirmed", attr(&Status::Confirmed)?)
                    .expression_attribute_values(":by", attr(&by)?)
                    .expression_attribute_values(":one", n(1));
                match reason {
                    Some(reason) => update
                        .update_expression(
                            "SET #status = :to, cancelled_at = :now_text, cancelled_by = :by, cancel_reason = :reason \
                             REMOVE hold_pk, provider_pk, provider_sk ADD #sequence :one",
                        )
                        .expression_attribute_values(":reason", s(reason.as_str())),
                    None => update.update_expression(
                        "SET #status = :to, cancelled_at = :now_text, cancelled_by = :by \
                         REMOVE hold_pk, provider_pk, provider_sk ADD #sequence :one",
                    ),
                }
                .expression_attribute_names("#sequence", "sequence")
            }
        };
        Ok(update.build()?)
    }

    async fn close(
        &self,
        reservation: &Reservation,
        closing: Closing<'_>,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        let release = self
            .table
            .tx_update()
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("REMOVE reservation_id, reservation_status, hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .build()?;
        self.table
            .commit(vec![
                (
                    Part::Reservation,
                    TransactWriteItem::builder().update(self.close_update(reservation, closing, now)?).build(),
                ),
                (Part::Slot, TransactWriteItem::builder().update(release).build()),
                (Part::Client, TransactWriteItem::builder().update(self.uncount_hold(reservation)?).build()),
            ])
            .await
    }

    /// Deletes reservations by id (a user deleting their data), 25 to a batch.
    pub async fn delete_reservations(&self, ids: &[String]) -> Result<(), StoreError> {
        self.table.delete_all(ids.iter().map(|id| reservation_key(id)).collect()).await
    }

    /// The ids of held reservations whose hold ended at or before `now`, oldest first, from the
    /// sparse index (eventually consistent: the expiry transaction re-checks everything), in
    /// pages of `page_size`: each page is one `Query`, sent only when the stream is asked for it.
    pub fn overdue_holds(
        &self,
        now: Timestamp,
        page_size: i32,
    ) -> impl Stream<Item = Result<Vec<String>, StoreError>> + Send + use<> {
        #[derive(Deserialize)]
        struct Due {
            reservation_id: String,
        }
        let pages = self
            .table
            .query_items()
            .index_name(HELD_INDEX)
            .key_condition_expression("hold_pk = :held AND hold_expires_ms <= :now")
            .expression_attribute_values(":held", s(HELD))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .limit(page_size)
            .into_paginator()
            .send();
        stream::unfold(pages, |mut pages| async move {
            let page = pages.next().await?.map_err(store_err).and_then(|page| {
                page.items
                    .unwrap_or_default()
                    .into_iter()
                    .map(|item| from_item::<Due>(item).map(|due| due.reservation_id))
                    .collect()
            });
            Some((page, pages))
        })
    }
}
