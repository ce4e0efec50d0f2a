//! Reservations against the local AWS endpoint: availability, listing, double booking under
//! concurrency, confirmation, cancellation, and holds that expire through the SQS queue; who may
//! call each route, whose things each caller may touch, the hold limit, and the listings that
//! identity makes possible. Callers sign in through the stack's own (local) Cognito user pool.
//! Timings are configuration (a hold of a second or two), never long sleeps.

mod auth;
mod availability;
mod confirm_cancel;
mod emails;
mod errors;
mod expiry;
mod helpers;
mod holds;
mod idempotency;
mod lifecycle;
mod listings;
mod ownership;
mod pagination;
mod profiles;
mod reservations;
mod sweep;
