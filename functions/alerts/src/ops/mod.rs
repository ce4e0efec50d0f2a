//! The use cases, each with its own error enum (mapped to HTTP in `entrypoints::http`).
//!
//! - [`manage`]: create, list, read, change and delete a user's alerts; the last products.
//! - [`runs`]: the dispatcher (due alerts grouped by search, onto the runs queue) and the worker
//!   (one search per group, one email per alert and period).
//! - [`digest`]: the insight emails (fan-out per period, one email per user and period).
//! - [`history`]: the recorder (price history, target notices) and the insights of an alert.
//! - [`unsubscribe`]: what an email's link does.

pub mod digest;
pub mod history;
pub mod manage;
pub mod runs;
pub mod unsubscribe;
