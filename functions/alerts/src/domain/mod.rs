//! Alerts, money, listings and unsubscribe tokens, and their rules: pure, no I/O.

pub mod alert;
pub mod history;
pub mod insights;
pub mod money;
pub mod product;
pub mod token;

pub use alert::{Alert, AlertChange, Frequency, NewAlert, Status};
pub use money::{Cents, Currency};
pub use product::Product;
