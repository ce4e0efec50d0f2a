//! The functions' entry points, by trigger: each turns its event into an ops call and the
//! result into its answer.
//!
//! - [`http`]: API Gateway requests; each op's error enum becomes the contract's status, code
//!   and message here, and only here.
//! - [`schedule`]: the runs' dispatcher and the insight emails' fan-out, every minute.
//! - [`sqs`]: the runs queue's worker, the observation channel's recorder and the insights
//!   queue's mailer, reporting partial batch failures.

pub mod http;
pub mod schedule;
pub mod sqs;
