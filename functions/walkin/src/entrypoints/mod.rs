//! Where events come in, grouped by trigger: [`http`] for API Gateway, [`sqs`] for the notices
//! queue. The walk-in service has no schedule.

pub mod http;
pub mod sqs;
