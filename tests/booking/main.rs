//! Reservations against the local AWS endpoint: availability, listing, double booking under
//! concurrency, confirmation, cancellation, and holds that expire through the SQS queue.
//! Timings are configuration (a hold of a second or two), never long sleeps.

mod availability;
mod confirm_cancel;
mod errors;
mod expiry;
mod helpers;
mod idempotency;
mod pagination;
mod reservations;
mod sweep;
