//! The walk-in use cases. Each reads what it needs, decides with the pure rules of
//! [`crate::domain`], and commits with one transaction of [`crate::store`]; a transaction that
//! lost a race to a concurrent caller is retried from the read, a bounded number of times.
//!
//! Each use case that can be refused returns its own error enum, whose `Display` is the message
//! a client reads; the HTTP entry point adds the status and code. Reads that can only fail in the
//! store return [`StoreError`] itself.

pub mod customers;
pub mod desk;
pub mod notify;
pub mod serving;
pub mod tickets;

use shared::dynamo::StoreError;

pub use customers::{ForgetError, RegisterError, forget, register};
pub use desk::{DeskError, Verdict, decide};
pub use serving::{BOARD_CALLS, NextError, Place, QueuePage, next, place, queue_page};
pub use tickets::{
    ALMOST_POSITION, AppointmentError, CancelError, Canceller, CheckIn, CheckInError, CheckedIn, appointment, cancel,
    check_in,
};

use crate::store::Part;

/// Enough for dozens of simultaneous callers on one queue; past it the store is overloaded.
const MAX_ATTEMPTS: u32 = 100;

/// What a caller is told when the retries are spent.
const BUSY: &str = "the queue is busy; try again";

/// A condition failed that the other conditions of the same transaction rule out (a ticket
/// number the counter had not handed out, a waiting ticket without its waiting entry): the
/// stored data contradicts itself, which is a bug to log, not a refusal to explain.
fn inconsistent(part: Part) -> StoreError {
    StoreError::Unexpected(format!("transaction refused by the {part:?} condition alone"))
}
