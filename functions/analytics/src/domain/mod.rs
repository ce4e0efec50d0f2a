//! The service's entities and rules, pure: events as the contract fixes them, the events as kept,
//! the rollups and how a range sums them, date ranges and currencies. Money is
//! [`shared::money`]'s micros.

pub mod currency;
pub mod event;
pub mod plan;
pub mod range;
pub mod rollup;
pub mod stored;

pub use currency::Currency;
pub use event::{Event, Invalid, LineItem};
pub use plan::{Piece, Plan};
pub use range::{DateRange, RangeError};
pub use rollup::{Consent, CustomerRollup, ProvinceRollup, ProvinceSales, RankedCustomer, Totals};
pub use stored::{Recorded, StoredEvent};
