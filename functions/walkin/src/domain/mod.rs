//! The walk-in rules, free of I/O: what a valid customer is, what a ticket goes through, and in
//! which order tickets are served. Time is a parameter (`now`), never read here; so is randomness (a
//! cancel token's secret).

mod cancel_token;
mod customer;
mod serving;
mod ticket;

pub use cancel_token::{CancelToken, CancelTokenHash};
pub use customer::{Customer, Email, NewCustomer, PhoneNumber};
pub use serving::{QueueMark, Ratio, Tier, VIPS_PER_REGULAR, position, serving_order, serving_page};
pub use shared::person::PersonName;
pub use ticket::{Ticket, TicketStatus, parse_service_id};
