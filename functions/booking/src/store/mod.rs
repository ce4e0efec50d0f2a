//! DynamoDB access for reservations. One table, composite key `pk`/`sk`:
//!
//! | item            | pk                    | sk                          |
//! |-----------------|-----------------------|-----------------------------|
//! | provider        | `PROVIDER#<sub>`      | `PROFILE`                   |
//! | directory entry | `PROVIDERS`           | `<sub>`                     |
//! | client          | `CLIENT#<sub>`        | `PROFILE`                   |
//! | slot            | `PROVIDER#<sub>`      | `SLOT#<start, RFC 3339>`    |
//! | reservation     | `RESERVATION#<id>`    | `RESERVATION`               |
//! | email claim     | `NOTICE#<id>#<event>#<sequence>#<side>` | `NOTICE`  |
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

//! Every key and sort key is built here; one file per aggregate holds its reads and writes:
//! [`profiles`] (providers, clients, the directory), [`slots`], [`reservations`] (holds and how
//! they end), [`reschedule`] (a move to another slot) and [`listings`] (the index reads behind
//! the listings).
//!
//! Reservation items carry `ttl` (epoch seconds), the retention period after they were stored
//! (`BOOKING_RETENTION_DAYS`, 730): the table's TTL removes them then.

mod listings;
mod notices;
mod profiles;
mod reschedule;
mod reservations;
mod slots;

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use serde::Serialize;
use shared::{
    dynamo::{Item, Table, key},
    time::{self, Timestamp},
};

use crate::domain::{Reservation, SlotId};

pub use reservations::Closing;
pub use slots::Creation;

pub const HELD_INDEX: &str = "HeldByExpiry";
pub const PROVIDER_INDEX: &str = "ReservationsByProvider";
pub const CLIENT_INDEX: &str = "ReservationsByClient";
/// The one partition of `HeldByExpiry`.
const HELD: &str = "HELD";
/// The one partition of the directory.
const DIRECTORY: &str = "PROVIDERS";

/// The part each item a write touches plays, as a refusal names it.
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
    /// The slot a reschedule moves to: missing or taken.
    Target,
}

#[derive(Clone)]
pub struct Store {
    table: Table,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }
}

/// The partition of a provider's profile and slots.
fn provider_pk(provider_id: &str) -> String {
    format!("PROVIDER#{provider_id}")
}

pub fn provider_key(provider_id: &str) -> Item {
    key(provider_pk(provider_id), "PROFILE")
}

pub fn client_key(client_id: &str) -> Item {
    key(format!("CLIENT#{client_id}"), "PROFILE")
}

/// Where a slot sorts among its provider's: by start time (whole seconds: slots start on minutes).
fn slot_sk(start: Timestamp) -> String {
    format!("SLOT#{}", start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn slot_key(id: &SlotId) -> Item {
    key(provider_pk(&id.provider_id), slot_sk(id.start))
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
    format!("{}#{}", provider_sort_bound(reservation.start_time), reservation.reservation_id)
}

/// Where a reservation sorts among its client's: by creation (milliseconds, fixed width), then id.
pub fn client_sort_key(reservation: &Reservation) -> String {
    format!("{}#{}", time::sortable(reservation.created_at), reservation.reservation_id)
}

/// A start time as the provider index's sort keys begin.
pub fn provider_sort_bound(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The attributes that put a new hold into the three indexes (see the table above); the writes
/// that end it remove `hold_pk`, and cancel and expire `provider_pk` and `provider_sk` too.
#[derive(Serialize)]
struct IndexKeys<'a> {
    hold_pk: &'static str,
    hold_expires_ms: i64,
    provider_pk: &'a str,
    provider_sk: String,
    client_pk: &'a str,
    client_sk: String,
}

fn index_keys(reservation: &Reservation) -> IndexKeys<'_> {
    IndexKeys {
        hold_pk: HELD,
        hold_expires_ms: reservation.expires_at.timestamp_millis(),
        provider_pk: &reservation.provider_id,
        provider_sk: provider_sort_key(reservation),
        client_pk: &reservation.client_id,
        client_sk: client_sort_key(reservation),
    }
}

/// A string set of one member, for `ADD` and `DELETE` on a set attribute.
fn set_of(value: &str) -> AttributeValue {
    AttributeValue::Ss(vec![value.to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_sort_as_time_then_id() {
        let at = |s: &str| time::parse(s).unwrap();
        let slot =
            SlotId { provider_id: "p".into(), start: at("2026-11-24T10:15:00Z"), minutes: 15.try_into().unwrap() };
        let r = Reservation::hold("r".into(), &slot, "c", at("2026-11-22T10:00:00.5Z"), chrono::Duration::minutes(30));
        assert_eq!(provider_sort_key(&r), "2026-11-24T10:15:00Z#r");
        assert_eq!(client_sort_key(&r), "2026-11-22T10:00:00.500Z#r");
        assert_eq!(slot_key(&slot), key("PROVIDER#p", "SLOT#2026-11-24T10:15:00Z"));
        let keys = shared::dynamo::to_item(&index_keys(&r)).unwrap();
        assert_eq!(keys["hold_pk"], shared::dynamo::s("HELD"));
        assert_eq!(keys["hold_expires_ms"], shared::dynamo::n(r.expires_at.timestamp_millis()));
        assert_eq!(
            (keys["provider_pk"].clone(), keys["client_pk"].clone()),
            (shared::dynamo::s("p"), shared::dynamo::s("c"))
        );
    }
}
