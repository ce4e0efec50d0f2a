//! Where events come in, grouped by trigger: [`http`] for API Gateway, [`sqs`] for the expiry
//! queue, [`schedule`] for the sweep's EventBridge rule.

pub mod http;
pub mod schedule;
pub mod sqs;
