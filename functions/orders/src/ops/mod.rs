//! The orders use cases: read, decide with [`crate::domain`], commit with one conditional write
//! or transaction of [`crate::store`], queue through [`crate::queue`]. Each returns its own
//! error enum; none knows about HTTP.

mod generation;
mod metrics;
mod orders;
mod processing;

pub use generation::{
    GenerateError, Generated, Generation, LOOK_BACK_MINUTES, SwitchError, generate, generation_running, set_generation,
};
pub use metrics::{MetricsError, metrics};
pub use orders::{CreateOrderError, GetOrderError, create, get, list_mine};
pub use processing::{ProcessError, Processed, process};
