//! The local AWS stack, built from `infra/template.yaml` (the single source of truth):
//!
//! - [`emulator`]: the local AWS endpoint (moto) from the project's venv;
//! - [`template`] and [`provision`]: the template's tables and queues, created on it;
//! - [`mail`]: the marketplace credentials and SES identities, made locally;
//! - [`triggers`]: the SQS event-source mappings and schedules, run against an [`invoke::Invoker`];
//! - [`routes`]: the local HTTP router derived from the template's routes;
//! - [`dev`]: `make dev`, all of the above plus `cargo lambda watch` behind [`front`].

pub mod cognito;
pub mod dev;
pub mod emulator;
pub mod front;
pub mod invoke;
pub mod mail;
pub mod provision;
pub mod routes;
pub mod template;
pub mod triggers;

pub use emulator::Emulator;
pub use provision::{Stack, provision};
pub use template::Template;
