//! The order rules, free of I/O: what an order is, how it is priced, what the metrics add up, and
//! how a minute's generated orders are named and spread. Money is integer millionths
//! ([`shared::money::Micros`]), so that sums and averages are exact and the metrics always equal the processed
//! orders. Time is a parameter, never read here.

mod generation;
mod metrics;
mod order;
mod price;

pub use generation::{GenerationState, Minute, Pace, generated_order_id, minute_of, spread};
pub use metrics::{AVERAGE_DECIMALS, Totals};
pub use order::{Order, OrderStatus, Quantity, Symbol};
pub use price::{MAX_UNIT_PRICE, PriceRange, execution_price};
