//! The service's entities and rules, pure: events as the contract fixes them, money in micros.

pub mod event;
pub mod money;
pub mod range;

pub use event::{Event, Invalid, LineItem};
pub use money::Micros;
pub use range::{DateRange, RangeError};
