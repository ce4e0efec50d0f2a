//! Moving a reservation to another slot of its provider: one transaction takes the new slot,
//! releases the old one and rewrites the reservation, so that a refusal changes nothing.

use aws_sdk_dynamodb::types::TransactWriteItem;
use shared::dynamo::{StoreError, Written, attr, n, s};
use shared::time::Timestamp;

use super::{Part, Store, provider_sort_key, reservation_key, slot_key};
use crate::domain::{Reservation, SlotId, Status};

impl Store {
    /// Moves `reservation` (as read: held with a live hold, or confirmed) to `to`, in one
    /// transaction:
    /// 0. the new slot is taken, on reserve's condition (it exists with this length and is free),
    ///    in the reservation's status (with its hold's end while held);
    /// 1. the old slot, still held by this reservation, is released;
    /// 2. the reservation, still on its old slot and still live, takes the new slot's id and
    ///    times, moves in its provider's listing, and its invite's sequence moves on.
    ///
    /// The status, the hold's end and the client's count of holds are untouched.
    pub async fn reschedule(
        &self,
        reservation: &Reservation,
        to: &SlotId,
        now: Timestamp,
    ) -> Result<Written<Part>, StoreError> {
        let rid = s(&reservation.reservation_id);
        let take = self
            .table
            .tx_update()
            .set_key(Some(slot_key(to)))
            .condition_expression(
                "attribute_exists(pk) AND slot_minutes = :minutes AND (attribute_not_exists(reservation_status) \
                 OR (reservation_status = :held AND hold_expires_ms <= :now))",
            )
            .expression_attribute_values(":rid", rid.clone())
            .expression_attribute_values(":status", attr(&reservation.status)?)
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":minutes", n(to.minutes.get()))
            .expression_attribute_values(":now", n(now.timestamp_millis()));
        let take = match reservation.status {
            Status::Held => take
                .update_expression(
                    "SET reservation_id = :rid, reservation_status = :status, hold_expires_ms = :expires",
                )
                .expression_attribute_values(":expires", n(reservation.expires_at.timestamp_millis())),
            _ => {
                take.update_expression("SET reservation_id = :rid, reservation_status = :status REMOVE hold_expires_ms")
            }
        }
        .build()?;
        let release = self
            .table
            .tx_update()
            .set_key(Some(self.slot_key_of(reservation)?))
            .update_expression("REMOVE reservation_id, reservation_status, hold_expires_ms")
            .condition_expression("reservation_id = :rid")
            .expression_attribute_values(":rid", rid)
            .build()?;
        let moved = reservation.clone().moved(to);
        let update = self
            .table
            .tx_update()
            .set_key(Some(reservation_key(&reservation.reservation_id)))
            .update_expression(
                "SET slot_id = :to, start_time = :start, end_time = :end, provider_sk = :psk ADD #sequence :one",
            )
            .condition_expression(
                "slot_id = :from AND (#status = :confirmed OR (#status = :held AND hold_expires_ms > :now))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#sequence", "sequence")
            .expression_attribute_values(":to", s(&moved.slot_id))
            .expression_attribute_values(":from", s(&reservation.slot_id))
            .expression_attribute_values(":start", attr(&moved.start_time)?)
            .expression_attribute_values(":end", attr(&moved.end_time)?)
            .expression_attribute_values(":psk", s(provider_sort_key(&moved)))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":confirmed", attr(&Status::Confirmed)?)
            .expression_attribute_values(":held", attr(&Status::Held)?)
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .build()?;
        self.table
            .commit(vec![
                (Part::Target, TransactWriteItem::builder().update(take).build()),
                (Part::Slot, TransactWriteItem::builder().update(release).build()),
                (Part::Reservation, TransactWriteItem::builder().update(update).build()),
            ])
            .await
    }
}
