use serde::Serialize;
use shared::time::Timestamp;

use super::PersonName;

/// Someone who publishes availability.
#[derive(Debug, Serialize)]
pub struct Provider {
    pub provider_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
}
