//! A provider's slots: creating them against the provider's availability version, reading them,
//! removing a free one.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use futures::Stream;
use serde::Deserialize;
use shared::{
    dynamo::{self, StoreError, Table, Written, attr, item_at, n, s},
    time::Timestamp,
};

use super::{Part, Store, provider_key, provider_pk, slot_key, slot_sk};
use crate::domain::{Slot, SlotId, Status};

/// `TransactWriteItems` takes at most 100 items.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// What [`Store::create_slots`] committed.
#[derive(Debug)]
pub struct Creation {
    /// The slots created, a whole transaction at a time.
    pub created: Vec<Slot>,
    /// False when a transaction was refused: the provider's availability changed since it was
    /// read, and the slots not yet created must be worked out again.
    pub complete: bool,
}

impl Store {
    /// A provider's slots starting in `[from, to]` (whole seconds, both inclusive), by start time.
    pub async fn slots(&self, provider_id: &str, from: Timestamp, to: Timestamp) -> Result<Vec<Slot>, StoreError> {
        let (from, to) = (slot_sk(from), slot_sk(to));
        // DynamoDB refuses a BETWEEN whose bounds sort the wrong way round (the local emulator
        // answers it): refuse it here too, so that tests see what AWS would do.
        if from > to {
            return Err(StoreError::Unexpected(format!("slot query bounds out of order: {from} > {to}")));
        }
        let (pk, from, to) = (s(provider_pk(provider_id)), s(from), s(to));
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
        Table::stream(
            self.table
                .query_items()
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(provider_pk(provider_id)))
                .expression_attribute_values(":from", s(slot_sk(from)))
                .expression_attribute_values(":to", s(slot_sk(to)))
                .consistent_read(true)
                .limit(page_size),
        )
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
        let update = self
            .table
            .tx_update()
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

    fn new_slot_put(&self, slot: &Slot) -> Result<Put, StoreError> {
        let id: SlotId =
            slot.slot_id.parse().map_err(|_| StoreError::Unexpected(format!("bad slot id {}", slot.slot_id)))?;
        Ok(self
            .table
            .tx_put()
            .set_item(Some(item_at(slot_key(&id), slot)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()?)
    }

    /// Deletes a slot unless a live reservation holds it; refused if it does (or is missing).
    pub async fn delete_slot(&self, id: &SlotId, now: Timestamp) -> Result<Written, StoreError> {
        dynamo::written(
            self.table
                .delete_item()
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
}
