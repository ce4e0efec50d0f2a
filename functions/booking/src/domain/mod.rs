//! The reservation rules, free of I/O: what a slot and a reservation are, slot lengths and
//! alignment, slot ids, what is bookable, how a hold ends. `now` is always a parameter.

mod availability;
mod client;
mod expiry;
pub mod invite;
mod notice;
mod provider;
mod reservation;
mod slot;
mod time_zone;
mod timings;

pub use availability::{
    DEFAULT_LISTING_DAYS, MAX_RANGE_DAYS, MAX_SLOTS_PER_REQUEST, RangeProblem, cut_range, latest_listable,
    listing_window, overlaps,
};
pub use client::Client;
pub use expiry::{ExpiryStep, expiry_step};
pub use notice::{Notice, Parties, Party, Side, claim_key, notices_of, reminder_due};
pub use provider::{DirectoryEntry, Provider};
pub use reservation::{Appointment, CancelReason, CancelledBy, Reservation, Status, hold_is_live};
pub use shared::person::PersonName;
pub use slot::{Slot, SlotId, SlotMinutes};
pub use time_zone::TimeZone;
pub use timings::{Timings, within_lead};

/// Shared by the unit tests of every entity.
#[cfg(test)]
mod test_support {
    use shared::time::Timestamp;

    use super::{SlotMinutes, Timings};

    pub fn ts(s: &str) -> Timestamp {
        shared::time::parse(s).unwrap()
    }

    pub fn m(n: i64) -> SlotMinutes {
        SlotMinutes::try_from(n).unwrap()
    }

    pub fn timings() -> Timings {
        Timings {
            hold: chrono::Duration::minutes(30),
            min_lead: chrono::Duration::hours(24),
            default_slot_minutes: m(15),
            retention: chrono::Duration::days(730),
        }
    }
}
