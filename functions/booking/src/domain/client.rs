use serde::Serialize;
use shared::time::Timestamp;

use super::PersonName;

/// Someone who reserves slots.
#[derive(Debug, Serialize)]
pub struct Client {
    pub client_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
}
