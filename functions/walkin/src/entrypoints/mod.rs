//! Where events come in, grouped by trigger: [`http`] for API Gateway. The walk-in service has no
//! queue or schedule, so no `sqs` or `schedule` module.

pub mod http;
