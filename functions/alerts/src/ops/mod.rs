//! The use cases, each with its own error enum (mapped to HTTP in `entrypoints::http`), each
//! taking the parts of the app it uses (the store, a queue, [`Mail`]), not the whole app.
//!
//! - [`manage`]: create, list, read, change and delete a user's alerts; the last products.
//! - [`preferences`]: a user's email and whether they get insight emails.
//! - [`runs`]: the dispatcher (due alerts grouped by search, onto the runs queue) and the worker
//!   (one search per group, one email per alert and period).
//! - [`digest`]: the insight emails (fan-out per period, one email per user and period).
//! - [`history`]: the recorder (price history, target notices) and the insights of an alert.
//! - [`unsubscribe`]: what an email's link does.

use shared::mail::Mailer;

use crate::{domain::token::Tokens, email::Sender};

pub mod digest;
pub mod history;
pub mod manage;
pub mod preferences;
pub mod runs;
pub mod unsubscribe;

/// What every email of alerts needs: who it is from (and where its links point), how its
/// unsubscribe link is signed, and the mail service.
#[derive(Clone, Copy)]
pub struct Mail<'a> {
    pub sender: &'a Sender,
    pub tokens: &'a Tokens,
    pub mailer: &'a Mailer,
}
