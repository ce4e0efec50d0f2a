//! The reservation use cases. Each reads what it needs, decides with [`crate::domain`], and
//! commits with one conditional write or transaction of [`crate::store`]. A transaction
//! cancelled by a concurrent one (not by its conditions) is retried a few times, then the use
//! case reports itself busy.
//!
//! Each use case that can be refused returns its own error enum, whose `Display` is the message
//! a client reads; the HTTP entry point adds the status and code. Use cases that can only fail
//! in the store return [`shared::dynamo::StoreError`] itself.

pub mod availability;
pub mod erase;
pub mod expiry;
pub mod listings;
pub mod notices;
pub mod profiles;
pub mod reschedule;
pub mod reservations;

pub use availability::{
    AddAvailabilityError, DeleteSlotError, ListAvailabilityError, add_availability, delete_slot, list_availability,
};
pub use erase::{EraseError, erase_client, erase_provider};
pub use expiry::{ExpireError, ExpiryMessageError, SWEEP_BUDGET, Sweep, expire_one, handle_expiry_message, sweep};
pub use listings::{
    ClientReservationsError, ProviderReservationsError, client_reservations, provider_reservations, providers,
};
pub use notices::{Handled, NoticeError, Notices, handle_notice};
pub use profiles::{
    ProfileChange, SignUp, SignUpError, UpdateProfileError, create_client, create_provider, update_client,
    update_provider,
};
pub use reschedule::{RescheduleError, reschedule};
pub use reservations::{CancelError, ConfirmError, GetError, HoldRules, ReserveError, cancel, confirm, get, reserve};

const MAX_ATTEMPTS: u32 = 6;

/// What a client is told when a reservation's retries are spent.
const BUSY: &str = "too many concurrent changes to this reservation; try again";

/// An id from a client that cannot be one of ours is not found, without a request that DynamoDB
/// would refuse (keys over 2 KB) and we would answer with a 500.
fn plausible<E>(id: &str, not_found: impl FnOnce(String) -> E) -> Result<(), E> {
    if shared::ids::is_plausible(id) { Ok(()) } else { Err(not_found(id.to_owned())) }
}
