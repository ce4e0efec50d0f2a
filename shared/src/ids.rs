//! Opaque identifiers.

/// A new random id (UUID v4, hyphenated). Opaque to clients by contract.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
