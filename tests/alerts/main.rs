//! Product price alerts against the local AWS endpoint and its stand-in marketplace: alert
//! management and every bad input; runs over a simulated clock (emails exactly when due, never
//! twice, searches shared); marketplace and mail failures; the email as MIME; unsubscribing.

mod helpers;
mod history;
mod insights;
mod manage;
mod marketplace;
mod quotas;
mod runs;
mod unsubscribe;
