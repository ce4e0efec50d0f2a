//! The messages alerts sends through SQS, each through the one adapter [`shared::queue::Queue`]:
//!
//! - the runs queue (`AlertRunsQueue`): the dispatcher's [`RunMessage`], one search and its due
//!   alerts, for the worker;
//! - the insights queue (`AlertInsightsQueue`): one [`DigestMessage`] per user and period, for the
//!   insights mailer;
//! - the observation channel (`PriceObservationsQueue`): every search's listings as an
//!   [`ObservationMessage`], for the recorder (and any other producer's consumer).

use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

pub use shared::queue::{Queue, QueueError};

use crate::{
    domain::{Currency, Frequency, Product},
    marketplace::Search,
};

/// One alert of a run: whose, which, and the period it is due for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub owner: String,
    pub alert_id: String,
    pub period: Timestamp,
    pub frequency_minutes: Frequency,
}

/// A runs queue message: the alerts of one search that are due at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMessage {
    pub search: Search,
    pub now: Timestamp,
    pub alerts: Vec<Due>,
}

/// A message of the insights queue: one user's email of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestMessage {
    pub owner: String,
    /// `P<n>`: the n-th period since the epoch; `D<ms>`: one asked for on demand.
    pub period: String,
    pub now: Timestamp,
}

/// The message every search publishes to the observation channel (`PriceObservationsQueue`).
#[derive(Debug, Serialize)]
pub struct ObservationMessage<'a> {
    pub search_phrase: &'a str,
    pub currency: &'a Currency,
    pub observed_at: Timestamp,
    pub source: &'static str,
    pub products: &'a [Product],
}
