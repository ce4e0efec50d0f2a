//! DynamoDB access for reservations. One table, composite key `pk`/`sk`:
//!
//! | item        | pk                    | sk                          |
//! |-------------|-----------------------|-----------------------------|
//! | provider    | `PROVIDER#<id>`       | `PROFILE`                   |
//! | client      | `CLIENT#<id>`         | `PROFILE`                   |
//! | slot        | `PROVIDER#<id>`       | `SLOT#<start, RFC 3339>`    |
//! | reservation | `RESERVATION#<id>`    | `RESERVATION`               |
//!
//! A provider's slots sort by start time under the provider, so a listing is one `Query`. The
//! provider's profile carries `availability_version`, which every slot creation moves on, so
//! that creations for one provider commit one at a time against what they read. A slot
//! carries the reservation that holds it (`reservation_id`, `reservation_status`,
//! `hold_expires_ms`); the conditions on those attributes are what make double booking
//! impossible. Held reservations also carry `hold_pk = "HELD"` and `hold_expires_ms`, the keys of
//! the sparse index `HeldByExpiry`, which the sweep queries for overdue holds instead of scanning.

use aws_sdk_dynamodb::{
    Client,
    types::{ConditionCheck, Put, TransactWriteItem, Update},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use shared::{
    dynamo::{self, Item, StoreError, Table, TxFailure, from_item, item_at, key, n, s, store_err},
    time::{self, Timestamp},
};

use crate::domain::{SlotId, SlotMinutes, Status};

pub const HELD_INDEX: &str = "HeldByExpiry";
const HELD: &str = "HELD";
/// `TransactWriteItems` takes at most 100 items.
const MAX_TRANSACTION_ITEMS: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slot {
    pub slot_id: String,
    pub provider_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub slot_minutes: SlotMinutes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_ms: Option<i64>,
}

impl Slot {
    pub fn new(id: &SlotId) -> Self {
        Self {
            slot_id: id.to_string(),
            provider_id: id.provider_id.clone(),
            start_time: id.start,
            end_time: id.end(),
            slot_minutes: id.minutes,
            reservation_id: None,
            reservation_status: None,
            hold_expires_ms: None,
        }
    }

    /// Free: never reserved, released, or held by a hold that has run out (an expired hold frees
    /// the slot at once, before any worker records the expiry).
    pub fn is_free(&self, now: Timestamp) -> bool {
        match (self.reservation_status, self.hold_expires_ms) {
            (None, _) => true,
            (Some(Status::Held), Some(expires)) => expires <= now.timestamp_millis(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reservation {
    pub reservation_id: String,
    pub slot_id: String,
    pub provider_id: String,
    pub client_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub status: Status,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<Timestamp>,
}

impl Reservation {
    /// The status as of `now`: a hold past its `expires_at` is expired, recorded or not.
    pub fn status_at(&self, now: Timestamp) -> Status {
        match self.status {
            Status::Held if !crate::domain::hold_is_live(self.expires_at, now) => Status::Expired,
            status => status,
        }
    }
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

/// Why a reservation write did not commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The slot's condition failed: missing, taken, or (confirm/cancel/expire) no longer ours.
    Slot,
    /// The client does not exist (reserve).
    Client,
    /// The reservation's condition failed: its status or hold changed.
    Reservation,
    /// Another transaction touched the same items: retry.
    Conflict,
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

/// Maps a cancelled transaction to what refused it; `parts` names each item's role in order.
fn refusal(failure: TxFailure, parts: &[Refused]) -> Result<Refused, StoreError> {
    if failure.is_conflict() {
        return Ok(Refused::Conflict);
    }
    match (0..parts.len()).find(|index| failure.condition_failed_at(*index)) {
        Some(index) => Ok(parts[index]),
        None => Err(failure.into_store_error()),
    }
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    /// Creates a provider or client profile under a fresh id.
    pub async fn put_profile<T: Serialize>(&self, key: Item, profile: &T) -> Result<(), StoreError> {
        self.table.put_new(key, profile).await.map(|_| ())
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
            let mut items = vec![
                TransactWriteItem::builder().update(self.bump_version(provider_id, version + index as u64)?).build(),
            ];
            for slot in chunk {
                items.push(TransactWriteItem::builder().put(self.new_slot_put(slot)?).build());
            }
            match self.table.transact(items).await {
                Ok(()) => created.extend_from_slice(chunk),
                // The version moved (another creation committed), a slot exists after all, or a
                // concurrent transaction: in every case, what was read is stale.
                Err(TxFailure::Cancelled(reasons)) => {
                    tracing::debug!(provider_id, ?reasons, "slot creation refused; reading again");
                    return Ok(Creation { created, complete: false });
                }
                Err(TxFailure::Store(err)) => return Err(err),
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

    /// Deletes a slot unless a live reservation holds it; `Ok(false)` if refused (or missing).
    pub async fn delete_slot(&self, id: &SlotId, now: Timestamp) -> Result<bool, StoreError> {
        let result = self
            .table
            .client
            .delete_item()
            .table_name(&self.table.name)
            .set_key(Some(slot_key(id)))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(reservation_status) \
                 OR (reservation_status = :held AND hold_expires_ms <= :now))",
            )
            .expression_attribute_values(":held", s(Status::Held.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if dynamo::is_condition_failed(&err) => Ok(false),
            Err(err) => Err(store_err(err)),
        }
    }

    pub async fn reservation(&self, reservation_id: &str) -> Result<Option<Reservation>, StoreError> {
        self.table.get(reservation_key(reservation_id)).await
    }

    /// Reserves in one transaction:
    /// 0. the slot is taken by this hold, on condition that it exists with this length and is
    ///    free (never held, released, or its hold has run out);
    /// 1. the client exists;
    /// 2. the reservation is created, held, and indexed for the sweep.
    pub async fn reserve(
        &self,
        reservation: &Reservation,
        slot: &SlotId,
        now: Timestamp,
    ) -> Result<Result<(), Refused>, StoreError> {
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
            .expression_attribute_values(":held", s(Status::Held.as_str()))
            .expression_attribute_values(":expires", n(expires_ms))
            .expression_attribute_values(":minutes", n(slot.minutes.get()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        let client_exists = ConditionCheck::builder()
            .table_name(&self.table.name)
            .set_key(Some(client_key(&reservation.client_id)))
            .condition_expression("attribute_exists(pk)")
            .build()?;
        let mut item = item_at(reservation_key(&reservation.reservation_id), reservation)?;
        item.insert("hold_pk".into(), s(HELD));
        item.insert("hold_expires_ms".into(), n(expires_ms));
        let create = Put::builder()
            .table_name(&self.table.name)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        let items = vec![
            TransactWriteItem::builder().update(take_slot).build(),
            TransactWriteItem::builder().condition_check(client_exists).build(),
            TransactWriteItem::builder().put(create).build(),
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure) => refusal(failure, &[Refused::Slot, Refused::Client, Refused::Reservation]).map(Err),
        }
    }

    /// Confirms in one transaction: the reservation moves `held → confirmed` on condition that
    /// it belongs to `client_id` and its hold has not run out (so confirm and expiry cannot both
    /// win); the slot, still held by this reservation, becomes confirmed.
    pub async fn confirm(&self, reservation: &Reservation, now: Timestamp) -> Result<Result<(), Refused>, StoreError> {
        let update = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(reservation_key(&reservation.reservation_id)))
            .update_expression("SET #status = :confirmed, confirmed_at = :now_text REMOVE hold_pk")
            .condition_expression("#status = :held AND client_id = :client AND hold_expires_ms > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()))
            .expression_attribute_values(":held", s(Status::Held.as_str()))
            .expression_attribute_values(":client", s(&reservation.client_id))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":now_text", s(time::format(now)))
            .build()?;
        let slot = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("SET reservation_status = :confirmed REMOVE hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()))
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            TransactWriteItem::builder().update(slot).build(),
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure) => refusal(failure, &[Refused::Reservation, Refused::Slot]).map(Err),
        }
    }

    /// Cancels in one transaction: the reservation moves from held (with a live hold) or
    /// confirmed to cancelled; the slot it holds is released.
    pub async fn cancel(&self, reservation: &Reservation, now: Timestamp) -> Result<Result<(), Refused>, StoreError> {
        self.close(reservation, Status::Cancelled, "cancelled_at", now).await
    }

    /// Expires a held reservation whose hold has run out and releases its slot, in one
    /// transaction. The condition (`held`, hold over) makes a second delivery, a confirmation
    /// that won the race, or a cancellation turn this into a refusal that changes nothing.
    pub async fn expire(&self, reservation: &Reservation, now: Timestamp) -> Result<Result<(), Refused>, StoreError> {
        self.close(reservation, Status::Expired, "expired_at", now).await
    }

    /// Expires the reservation alone: for a hold whose slot is already gone or held by someone
    /// else (after the hold ran out, the slot was free for others to take or to delete).
    pub async fn expire_reservation_only(&self, reservation: &Reservation, now: Timestamp) -> Result<bool, StoreError> {
        self.close_reservation_only(reservation, Status::Expired, "expired_at", now).await
    }

    /// Cancels the reservation alone, under cancel's condition: for one whose slot is not held by
    /// it, so that there is nothing to release. `Ok(false)` if refused.
    pub async fn cancel_reservation_only(&self, reservation: &Reservation, now: Timestamp) -> Result<bool, StoreError> {
        self.close_reservation_only(reservation, Status::Cancelled, "cancelled_at", now).await
    }

    async fn close_reservation_only(
        &self,
        reservation: &Reservation,
        to: Status,
        at_field: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let update = self.close_update(reservation, to, at_field, now)?;
        let result = self
            .table
            .client
            .update_item()
            .table_name(&self.table.name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if dynamo::is_condition_failed(&err) => Ok(false),
            Err(err) => Err(store_err(err)),
        }
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
            .update_expression("SET #status = :to, #at = :now_text REMOVE hold_pk")
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#at", at_field)
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":held", s(Status::Held.as_str()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":now_text", s(time::format(now)));
        if to != Status::Expired {
            update = update.expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()));
        }
        Ok(update.build()?)
    }

    async fn close(
        &self,
        reservation: &Reservation,
        to: Status,
        at_field: &str,
        now: Timestamp,
    ) -> Result<Result<(), Refused>, StoreError> {
        let release = Update::builder()
            .table_name(&self.table.name)
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("REMOVE reservation_id, reservation_status, hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":rid", s(&reservation.reservation_id))
            .build()?;
        let items = vec![
            TransactWriteItem::builder().update(self.close_update(reservation, to, at_field, now)?).build(),
            TransactWriteItem::builder().update(release).build(),
        ];
        match self.table.transact(items).await {
            Ok(()) => Ok(Ok(())),
            Err(failure) => refusal(failure, &[Refused::Reservation, Refused::Slot]).map(Err),
        }
    }

    /// One page of the ids of held reservations whose hold ended at or before `now`, oldest
    /// first, from the sparse index (eventually consistent: the expiry transaction re-checks
    /// everything), and where the next page starts (`None` after the last).
    pub async fn overdue_holds(
        &self,
        now: Timestamp,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<String>, Option<Item>), StoreError> {
        let output = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name(HELD_INDEX)
            .key_condition_expression("hold_pk = :held AND hold_expires_ms <= :now")
            .expression_attribute_values(":held", s(HELD))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_err)?;
        #[derive(Deserialize)]
        struct Due {
            reservation_id: String,
        }
        let ids = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<Due>(item).map(|d| d.reservation_id))
            .collect::<Result<_, _>>()?;
        Ok((ids, output.last_evaluated_key))
    }
}
