use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::PersonName;

/// Someone who reserves slots: any signed-in user who made a client profile, whose `client_id`
/// is their `sub`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub client_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
}
