//! The analytics use cases, each with its own error enum whose `Display` is the message a client
//! reads (the entry points add the status and code); reads that can only fail in the store return
//! [`StoreError`](shared::dynamo::StoreError) itself. Each takes the store it works on, not the
//! whole app.
//!
//! - [`ingest`]: store an event once, with its rollups (from either door).
//! - [`events`]: one stored event, and the listing of a range's events.
//! - [`queries`]: the canned queries over the rollups.

pub mod events;
pub mod ingest;
pub mod queries;

pub use events::{GetEventError, ListEventsError, Mark, Position, get, list};
pub use ingest::{IngestError, Ingested, ingest, ingest_now};
pub use queries::{order_value_by_day, order_value_total, province_sales, top_customers};
