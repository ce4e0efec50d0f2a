//! Opaque identifiers.

/// A new random id (UUID v4, hyphenated). Opaque to clients by contract.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `raw` could be an id this system issued: UUIDs, and ids built from them and from
/// timestamps, are short and use `[A-Za-z0-9._:-]`. Anything else is simply not found, without
/// asking DynamoDB, which refuses keys over 2 KB with a validation error (a 500 if it got there).
pub fn is_plausible(raw: &str) -> bool {
    (1..=128).contains(&raw.len())
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// An id as an error message names it: a client's implausible id may be huge or hold anything,
/// so only a bounded, quoted prefix is shown.
pub fn shown(raw: &str) -> String {
    let prefix: String = raw.chars().take(64).collect();
    let ellipsis = if prefix.len() < raw.len() { "..." } else { "" };
    format!("{prefix:?}{ellipsis}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_ids_are_plausible_and_garbage_is_not() {
        assert!(is_plausible(&new_id()));
        assert!(is_plausible("gen-20261122T1030Z-0007"));
        assert!(is_plausible("0b9f8c1e-3c9a-4f7e-9a51-0d2c7f8e1a2b.20261124T1015Z.15"));
        for bad in ["", "a b", "x/y", "é", "#PROFILE"] {
            assert!(!is_plausible(bad), "{bad:?}");
        }
        assert!(!is_plausible(&"a".repeat(129)));
    }

    #[test]
    fn shown_ids_are_bounded() {
        assert_eq!(shown("abc"), "\"abc\"");
        assert_eq!(shown(&"a".repeat(100)), format!("\"{}\"...", "a".repeat(64)));
    }
}
