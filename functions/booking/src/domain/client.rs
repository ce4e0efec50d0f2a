use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::{PersonName, TimeZone};

/// Someone who reserves slots: any signed-in user who made a client profile, whose `client_id`
/// is their `sub`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub client_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub created_at: Timestamp,
    /// The verified email of the token that made or last changed the profile, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub time_zone: TimeZone,
}
