//! Where events come in, grouped by trigger: [`http`] for API Gateway, [`sqs`] for the notices
//! queue, [`settings`] for the template's SMS settings (a CloudFormation custom resource). The
//! walk-in service has no schedule.

pub mod http;
pub mod settings;
pub mod sqs;
