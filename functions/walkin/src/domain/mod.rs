//! The walk-in rules, free of I/O: what a valid customer is, what a ticket goes through, in
//! which order tickets are served, how long a wait is estimated, and what customers are told.
//! Time is a parameter (`now`), never read here; so is randomness (a cancel token's secret).

mod cancel_token;
mod customer;
mod desk;
mod estimate;
mod notice;
mod serving;
mod ticket;

pub use cancel_token::{CancelToken, CancelTokenHash};
pub use customer::{Customer, Email, NewCustomer, PhoneNumber};
pub use desk::{DEFAULT_DESK, Desk};
pub use estimate::{MIN_CALLS, RECENT_CALLS, RecentCalls, WINDOW_SECONDS};
pub use notice::{Channel, Notice, Notify, channel, e164, parse_country_code};
pub use serving::{QueueMark, Ratio, Tier, VIPS_PER_REGULAR, position, serving_order, serving_page};
pub use shared::person::PersonName;
pub use ticket::{Ticket, TicketStatus, parse_service_id};
