//! Alerts, money, listings, price history and insights, unsubscribe tokens, and what a request
//! may set: the entities and their rules, pure, no I/O.

pub mod alert;
pub mod budget;
pub mod history;
pub mod hosts;
pub mod insights;
pub mod money;
pub mod product;
pub mod request;
pub mod token;

pub use alert::{Alert, AlertChange, Frequency, NewAlert, Status};
pub use money::{Cents, Currency};
pub use product::{Product, Products};
