//! DynamoDB access for reservations. One table, composite key `pk`/`sk`:
//!
//! | item            | pk                    | sk                          |
//! |-----------------|-----------------------|-----------------------------|
//! | provider        | `PROVIDER#<sub>`      | `PROFILE`                   |
//! | directory entry | `PROVIDERS`           | `<sub>`                     |
//! | client          | `CLIENT#<sub>`        | `PROFILE`                   |
//! | slot            | `PROVIDER#<sub>`      | `SLOT#<start, RFC 3339>`    |
//! | reservation     | `RESERVATION#<id>`    | `RESERVATION`               |
//!
//! Profiles are keyed by the owner's Cognito `sub`, so a user has at most one of each; the
//! conditional put that creates one never overwrites it. A provider profile and its directory
//! entry are written in one transaction, so the public directory is one `Query` of the
//! `PROVIDERS` partition (one small item per provider: a single partition serves thousands of
//! reads a second and writes only on sign-up, plenty at this scale; there is no local index, so
//! no 10 GB item-collection limit applies).
//!
//! A provider's slots sort by start time under the provider, so a listing is one `Query`. The
//! provider's profile carries `availability_version`, which every slot creation moves on, so
//! that creations for one provider commit one at a time against what they read. A slot
//! carries the reservation that holds it (`reservation_id`, `reservation_status`,
//! `hold_expires_ms`); the conditions on those attributes are what make double booking
//! impossible.
//!
//! A client's profile carries `held`, the string set of their unconfirmed holds: the reserve
//! transaction adds the new id on condition that the set has fewer than the limit's members, and
//! every transaction that ends a hold (confirm, cancel, expire, by request, worker or sweep)
//! removes it. Removing a member is idempotent and each hold ends once (its own conditions), so
//! the set is exact under any concurrency and redelivery; its ids also let a reserve that meets
//! the limit expire the client's overdue holds first.
//!
//! Reservation items (and only they) carry the keys of three indexes (each a GSI, read eventually
//! consistent; every decision re-reads the base table):
//! - `HeldByExpiry` (`hold_pk = "HELD"`, `hold_expires_ms`): held reservations, for the sweep;
//! - `ReservationsByProvider` (`provider_pk = <provider>`, `provider_sk = <start>#<id>`): held and
//!   confirmed ones, with the client's name copied onto the item, for the provider's listing;
//!   removed when the reservation is cancelled or expires;
//! - `ReservationsByClient` (`client_pk = <client>`, `client_sk = <created_at>#<id>`): all of a
//!   client's reservations by creation, for the client's listing (read newest first).
//!
//! The index keys are set and removed by the same write that changes the reservation's status,
//! so no state change needs another item.

use aws_sdk_dynamodb::{
    Client,
    operation::query::builders::QueryFluentBuilder,
    types::{AttributeValue, Put, TransactWriteItem, Update},
};
use futures::{Stream, stream};
use serde::{Deserialize, de::DeserializeOwned};
use shared::{
    dynamo::{self, Item, StoreError, Table, Written, attr, from_item, item_at, key, n, s, store_err},
    time::{self, Timestamp},
};

use crate::domain::{
    Appointment, Client as ClientProfile, DirectoryEntry, Provider, Reservation, Slot, SlotId, Status,
};

pub const HELD_INDEX: &str = "HeldByExpiry";
pub const PROVIDER_INDEX: &str = "ReservationsByProvider";
pub const CLIENT_INDEX: &str = "ReservationsByClient";
const HELD: &str = "HELD";
const DIRECTORY: &str = "PROVIDERS";
/// `TransactWriteItems` takes at most 100 items.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// The role of each item a write touches, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The provider's profile and its `availability_version` (slot creation).
    Provider,
    /// The slot: missing, taken, or (confirm/cancel/expire) no longer held by this reservation.
    Slot,
    /// The client's profile: missing, or holding as many holds as allowed (reserve).
    Client,
    /// The reservation: its status or hold changed.
    Reservation,
}

/// What [`Store::create_slots`] committed.
#[derive(Debug)]
pub struct Creation {
    /// The slots created, a whole transaction at a time.
    pub created: Vec<Slot>,
    /// False when a transaction was refused: the provider's availability changed since it was
    /// read, and the slots not yet created must be worked out again.
    pub complete: bool,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

pub fn provider_key(provider_id: &str) -> Item {
    key(format!("PROVIDER#{provider_id}"), "PROFILE")
}

pub fn client_key(client_id: &str) -> Item {
    key(format!("CLIENT#{client_id}"), "PROFILE")
}

fn slot_sk(start: Timestamp) -> String {
    format!("SLOT#{}", start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn slot_key(id: &SlotId) -> Item {
    key(format!("PROVIDER#{}", id.provider_id), slot_sk(id.start))
}

pub fn reservation_key(reservation_id: &str) -> Item {
    key(format!("RESERVATION#{reservation_id}"), "RESERVATION")
}

fn directory_key(provider_id: &str) -> Item {
    key(DIRECTORY, provider_id)
}

/// Where a reservation sorts among its provider's: by start time (whole seconds: slots start on
/// minutes), then id.
pub fn provider_sort_key(reservation: &Reservation) -> String {
    format!(
        "{}#{}",
        reservation.start_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        reservation.reservation_id
    )
}

/// Where a reservation sorts among its client's: by creation (milliseconds, fixed width), then id.
pub fn client_sort_key(reservation: &Reservation) -> String {
    format!(
        "{}#{}",
        reservation.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        reservation.reservation_id
    )
}

/// A start time as the provider index's sort keys begin.
pub fn provider_sort_bound(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn set_of(value: &str) -> AttributeValue {
    AttributeValue::Ss(vec![value.to_owned()])
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    /// Creates a provider's profile and directory entry in one transaction, unless the profile
    /// exists (refused, `Part::Provider`: nothing is written).
    pub async fn create_provider(&self, provider: &Provider) -> Result<Written<Part>, StoreError> {
        let profile = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(provider_key(&provider.provider_id), provider)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let entry = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(directory_key(&provider.provider_id), &DirectoryEntry::from(provider))?))
            .build()?;
        self.table
            .commit(vec![
                (Part::Provider, TransactWriteItem::builder().put(profile).build()),
                (Part::Provider, TransactWriteItem::builder().put(entry).build()),
            ])
            .await
    }

    /// Creates a client's profile unless one exists (refused: nothing is written).
    pub async fn create_client(&self, client: &ClientProfile) -> Result<Written, StoreError> {
        self.table.insert(client_key(&client.client_id), client).await
    }

    pub async fn provider(&self, provider_id: &str) -> Result<Option<Provider>, StoreError> {
        self.table.get(provider_key(provider_id)).await
    }

    pub async fn client(&self, client_id: &str) -> Result<Option<ClientProfile>, StoreError> {
        self.table.get(client_key(client_id)).await
    }

    /// The client's unconfirmed holds, as their profile counts them (`None`: no profile).
    pub async fn held_by(&self, client_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        #[derive(Deserialize)]
        struct Held {
            #[serde(default)]
            held: Vec<String>,
        }
        Ok(self.table.get::<Held>(client_key(client_id)).await?.map(|h| h.held))
    }

    /// The provider directory after `after` (a provider id), by provider id, `limit` at most;
    /// strongly consistent.
    pub async fn directory(&self, after: Option<&str>, limit: usize) -> Result<Vec<DirectoryEntry>, StoreError> {
        self.table
            .query(
                |q| {
                    let q = q.expression_attribute_values(":pk", s(DIRECTORY));
                    match after {
                        Some(after) => q
                            .key_condition_expression("pk = :pk AND sk > :after")
                            .expression_attribute_values(":after", s(after)),
                        None => q.key_condition_expression("pk = :pk"),
                    }
                },
                Some(limit),
            )
            .await
    }

    pub async fn profile<T: DeserializeOwned>(&self, key: Item) -> Result<Option<T>, StoreError> {
        self.table.get(key).await
    }

    /// A provider's slots starting in `[from, to]` (whole seconds, both inclusive), by start time.
    pub async fn slots(&self, provider_id: &str, from: Timestamp, to: Timestamp) -> Result<Vec<Slot>, StoreError> {
        let (from, to) = (slot_sk(from), slot_sk(to));
        // DynamoDB refuses a BETWEEN whose bounds sort the wrong way round (the local emulator
        // answers it): refuse it here too, so that tests see what AWS would do.
        if from > to {
            return Err(StoreError::Unexpected(format!("slot query bounds out of order: {from} > {to}")));
        }
        let (pk, from, to) = (s(format!("PROVIDER#{provider_id}")), s(from), s(to));
        self.table
            .query(
                |q| {
                    q.key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                        .expression_attribute_values(":pk", pk.clone())
                        .expression_attribute_values(":from", from.clone())
                        .expression_attribute_values(":to", to.clone())
                },
                None,
            )
            .await
    }

    /// A provider's slots starting in `[from, to]` (whole seconds), by start time, as a stream
    /// read `page_size` items at a time: each page is one `Query`, sent only when the stream
    /// reaches it, so a listing that stops early reads no further.
    pub fn slots_from(
        &self,
        provider_id: &str,
        from: Timestamp,
        to: Timestamp,
        page_size: i32,
    ) -> impl Stream<Item = Result<Slot, StoreError>> + Send + use<> {
        let items = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(format!("PROVIDER#{provider_id}")))
            .expression_attribute_values(":from", s(slot_sk(from)))
            .expression_attribute_values(":to", s(slot_sk(to)))
            .consistent_read(true)
            .limit(page_size)
            .into_paginator()
            .items()
            .send();
        stream::unfold(items, |mut items| async move {
            let item = items.next().await?.map_err(store_err).and_then(from_item::<Slot>);
            Some((item, items))
        })
    }

    pub async fn slot(&self, id: &SlotId) -> Result<Option<Slot>, StoreError> {
        self.table.get(slot_key(id)).await
    }

    /// The provider's availability version (0 until slots are first created), read strongly
    /// consistent; `None` if there is no such provider.
    pub async fn availability_version(&self, provider_id: &str) -> Result<Option<u64>, StoreError> {
        #[derive(Deserialize)]
        struct Versioned {
            #[serde(default)]
            availability_version: u64,
        }
        Ok(self.table.get::<Versioned>(provider_key(provider_id)).await?.map(|p| p.availability_version))
    }

    /// Creates `slots` (a provider's, computed from what the caller read at availability version
    /// `version`) and returns what it committed. Slot keys are provider + start, so two slots
    /// of different lengths that overlap have different keys: the key alone cannot keep them
    /// apart. So every transaction also moves the provider's `availability_version` on from the
    /// version it was computed at; a creation computed from a reading that another one has
    /// since changed is refused whole, and the caller reads again. Transactions take 99 slots
    /// and the version, each chunk conditioned on the version the previous one left.
    pub async fn create_slots(&self, provider_id: &str, slots: &[Slot], version: u64) -> Result<Creation, StoreError> {
        let mut created = Vec::with_capacity(slots.len());
        for (index, chunk) in slots.chunks(MAX_TRANSACTION_ITEMS - 1).enumerate() {
            let mut items = vec![(
                Part::Provider,
                TransactWriteItem::builder().update(self.bump_version(provider_id, version + index as u64)?).build(),
            )];
            for slot in chunk {
                items.push((Part::Slot, TransactWriteItem::builder().put(self.new_slot_put(slot)?).build()));
            }
            match self.table.commit(items).await? {
                Ok(()) => created.extend_from_slice(chunk),
                // The version moved (another creation committed), a slot exists after all, or a
                // concurrent transaction: in every case, what was read is stale.
                Err(refusal) => {
                    tracing::debug!(provider_id, ?refusal, "slot creation refused; reading again");
                    return Ok(Creation { created, complete: false });
                }
            }
        }
        Ok(Creation { created, complete: true })
    }

    /// The provider's `availability_version` moves from `version` to the next, on condition that
    /// the provider exists and is still at `version` (an absent version is 0).
    fn bump_version(&self, provider_id: &str, version: u64) -> Result<Update, StoreError> {
        let update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(provider_key(provider_id)))
            .update_expression("SET availability_version = :next")
            .expression_attribute_values(":next", n(version + 1));
        let update = if version == 0 {
            update.condition_expression("attribute_exists(pk) AND attribute_not_exists(availability_version)")
        } else {
            update
                .condition_expression("availability_version = :version")
                .expression_attribute_values(":version", n(version))
        };
        Ok(update.build()?)
    }

    fn slot_id(slot: &Slot) -> Result<SlotId, StoreError> {
        slot.slot_id.parse().map_err(|_| StoreError::Unexpected(format!("bad slot id {}", slot.slot_id)))
    }

    fn new_slot_put(&self, slot: &Slot) -> Result<Put, StoreError> {
        let id = Self::slot_id(slot)?;
        Ok(Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item_at(slot_key(&id), slot)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?)
    }

    /// Deletes a slot unless a live reservation holds it; refused if it does (or is missing).
    pub async fn delete_slot(&self, id: &SlotId, now: Timestamp) -> Result<Written, StoreError> {
        dynamo::written(
            self.table
                .client
                .delete_item()
                .table_name(&self.table.name)
                .set_key(Some(slot_key(id)))
                .condition_expression(
                    "attribute_exists(pk) AND (attribute_not_exists(reservation_status) \
                     OR (reservation_status = :held AND hold_expires_ms <= :now))",
                )
                .expression_attribute_values(":held", attr(&Status::Held)?)
                .expression_attribute_values(":now", n(now.timestamp_millis()))
                .send()
                .await,
        )
    }

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
    ) -> Result<Written<Part>, StoreError> {
        let expires_ms = reservation.expires_at.timestamp_millis();
        let take_slot = Update::builder()
            .table_name(&self.table.name)
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
        let count_hold = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(client_key(&reservation.client_id)))
            .update_expression("ADD held :rid")
            .condition_expression("attribute_exists(pk) AND (attribute_not_exists(held) OR size(held) < :max)")
            .expression_attribute_values(":rid", set_of(&reservation.reservation_id))
            .expression_attribute_values(":max", n(max_holds))
            .build()?;
        let mut item = item_at(reservation_key(&reservation.reservation_id), reservation)?;
        item.insert("hold_pk".into(), s(HELD));
        item.insert("hold_expires_ms".into(), n(expires_ms));
        item.insert("provider_pk".into(), s(&reservation.provider_id));
        item.insert("provider_sk".into(), s(provider_sort_key(reservation)));
        item.insert("client_pk".into(), s(&reservation.client_id));
        item.insert("client_sk".into(), s(client_sort_key(reservation)));
        item.insert("client_first_name".into(), s(client.first_name.as_str()));
        item.insert("client_last_name".into(), s(client.last_name.as_str()));
        let create = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item))
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
        let update = Update::builder()
            .table_name(&self.table.name)
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
        let slot = Update::builder()
            .table_name(&self.table.name)
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
    fn uncount_hold(&self, reservation: &Reservation) -> Result<Update, StoreError> {
        Ok(Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(client_key(&reservation.client_id)))
            .update_expression("DELETE held :rid")
            .expression_attribute_values(":rid", set_of(&reservation.reservation_id))
            .build()?)
    }

    /// Cancels in one transaction: the reservation moves from held (with a live hold) or
    /// confirmed to cancelled and leaves the provider's listing; the slot it holds is released;
    /// the hold leaves the client's `held`.
    pub async fn cancel(&self, reservation: &Reservation, now: Timestamp) -> Result<Written<Part>, StoreError> {
        self.close(reservation, Status::Cancelled, "cancelled_at", now).await
    }

    /// Expires a held reservation whose hold has run out, releases its slot and takes the hold
    /// off the client's `held`, in one transaction. The condition (`held`, hold over) makes a second delivery, a confirmation
    /// that won the race, or a cancellation turn this into a refusal that changes nothing.
    pub async fn expire(&self, reservation: &Reservation, now: Timestamp) -> Result<Written<Part>, StoreError> {
        self.close(reservation, Status::Expired, "expired_at", now).await
    }

    /// Expires the reservation (and takes it off the client's `held`) without its slot: for a
    /// hold whose slot is already gone or held by someone else (after the hold ran out, the slot
    /// was free for others to take or to delete).
    pub async fn expire_reservation_only(
        &self,
        reservation: &Reservation,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.close_reservation_only(reservation, Status::Expired, "expired_at", now).await
    }

    /// Cancels the reservation (and takes it off the client's `held`) without its slot, under
    /// cancel's condition: for one whose slot is not held by it, so that there is nothing to
    /// release.
    pub async fn cancel_reservation_only(
        &self,
        reservation: &Reservation,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.close_reservation_only(reservation, Status::Cancelled, "cancelled_at", now).await
    }

    async fn close_reservation_only(
        &self,
        reservation: &Reservation,
        to: Status,
        at_field: &str,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        self.table
            .commit(vec![
                (
                    Part::Reservation,
                    TransactWriteItem::builder().update(self.close_update(reservation, to, at_field, now)?).build(),
                ),
                (Part::Client, TransactWriteItem::builder().update(self.uncount_hold(reservation)?).build()),
            ])
            .await
    }

    fn slot_key_of(&self, reservation: &Reservation) -> Result<Item, StoreError> {
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
        to: Status,
        at_field: &str,
        now: Timestamp,
    ) -> Result<Update, StoreError> {
        let condition = match to {
            // Expire: still held and the hold is over.
            Status::Expired => "#status = :held AND hold_expires_ms <= :now",
            // Cancel: confirmed, or held with a live hold.
            _ => "#status = :confirmed OR (#status = :held AND hold_expires_ms > :now)",
        };
        let mut update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(reservation_key(&reservation.reservation_id)))
            .update_expression("SET #status = :to, #at = :now_text REMOVE hold_pk, provider_pk, provider_sk")
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", at_field)
            .expression_attribute_values(":to", attr(&to)?)
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":now_text", s(time::format(now)));
        if to != Status::Expired {
            update = update.expression_attribute_values(":confirmed", attr(&Status::Confirmed)?);
        }
        Ok(update.build()?)
    }

    async fn close(
        &self,
        reservation: &Reservation,
        to: Status,
        at_field: &str,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        let release = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("REMOVE reservation_id, reservation_status, hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .build()?;
        self.table
            .commit(vec![
                (
                    Part::Reservation,
                    TransactWriteItem::builder().update(self.close_update(reservation, to, at_field, now)?).build(),
                ),
                (Part::Slot, TransactWriteItem::builder().update(release).build()),
                (Part::Client, TransactWriteItem::builder().update(self.uncount_hold(reservation)?).build()),
            ])
            .await
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
            .client
            .query()
            .table_name(&self.table.name)
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

    /// A provider's held and confirmed reservations (and holds that have run out but are not yet
    /// recorded as expired) whose sort key is in `[from, to]`, by start time, read `page_size`
    /// items at a time as the stream is read.
    pub fn provider_reservations(
        &self,
        provider_id: &str,
        from: String,
        to: String,
        page_size: i32,
    ) -> impl Stream<Item = Result<Appointment, StoreError>> + Send + use<> {
        let query = self
            .index_query(PROVIDER_INDEX, page_size)
            .key_condition_expression("provider_pk = :p AND provider_sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(provider_id))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to));
        stream_items(query, |item| {
            let name = |field: &str| item.get(field).and_then(|v| v.as_s().ok()).cloned();
            let (client_first_name, client_last_name) = (name("client_first_name"), name("client_last_name"));
            Ok(Appointment { reservation: from_item(item)?, client_first_name, client_last_name })
        })
    }

    /// A client's reservations, newest first, those created before the one whose sort key is
    /// `before` (if given), read `page_size` items at a time as the stream is read.
    pub fn client_reservations(
        &self,
        client_id: &str,
        before: Option<String>,
        page_size: i32,
    ) -> impl Stream<Item = Result<Reservation, StoreError>> + Send + use<> {
        let query = self
            .index_query(CLIENT_INDEX, page_size)
            .scan_index_forward(false)
            .expression_attribute_values(":c", s(client_id));
        let query = match before {
            Some(before) => query
                .key_condition_expression("client_pk = :c AND client_sk < :before")
                .expression_attribute_values(":before", s(before)),
            None => query.key_condition_expression("client_pk = :c"),
        };
        stream_items(query, from_item)
    }

    fn index_query(&self, index: &str, page_size: i32) -> QueryFluentBuilder {
        self.table.client.query().table_name(&self.table.name).index_name(index).limit(page_size)
    }
}

/// The items a query returns, mapped, as a stream: each page is one `Query`, sent only when the
/// stream reaches it, so a listing that stops early reads no further.
fn stream_items<T: Send + 'static>(
    query: QueryFluentBuilder,
    map: fn(Item) -> Result<T, StoreError>,
) -> impl Stream<Item = Result<T, StoreError>> + Send + use<T> {
    let items = query.into_paginator().items().send();
    stream::unfold(items, move |mut items| async move {
        let item = items.next().await?.map_err(store_err).and_then(map);
        Some((item, items))
    })
}
