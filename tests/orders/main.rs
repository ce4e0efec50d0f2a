//! The orders pipeline against the local AWS endpoint: exactly-once processing through the
//! queue, metrics that equal the processed orders, idempotent generation, generation control,
//! poison messages and failures half-way; who may call each route, and whose orders are whose.

mod auth;
mod create_order;
mod failures;
mod generation;
mod helpers;
mod idempotency;
mod listing;
mod processing;
mod quota;
