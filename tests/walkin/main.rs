//! The walk-in service against the local AWS endpoint: serving order, concurrency, errors.
//! Handlers are called in-process with API Gateway-shaped requests; `e2e.rs` goes through
//! `cargo lambda watch` and its router over real HTTP.

mod appointments;
mod auth;
mod check_in;
mod customers;
mod desk;
mod estimate;
mod failures;
mod helpers;
mod idempotency;
mod notices;
mod pagination;
mod requests;
mod serving;
