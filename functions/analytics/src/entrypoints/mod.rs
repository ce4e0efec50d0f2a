//! The functions' entry points, by trigger: each turns its event into an ops call and the
//! result into its answer.
//!
//! - [`http`]: API Gateway requests; each op's error enum becomes the contract's status, code
//!   and message here, and only here; [`views`]: the typed bodies it answers with.
//! - [`sqs`]: the events queue's consumer, reporting partial batch failures.

pub mod http;
pub mod sqs;
pub mod views;
