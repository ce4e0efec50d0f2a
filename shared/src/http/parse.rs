//! Requests into typed values: a JSON body or a query string becomes a struct (built from domain
//! types that cannot hold a bad value), and any refusal is a 400 naming the field, as the
//! contract wants: `malformed_json` for a body that is not a JSON object, `invalid_field` for a
//! field that is missing or unusable, 413 for an oversized body.

use lambda_http::{RequestExt, http::StatusCode};
use serde::{Deserialize, de::DeserializeOwned};

use super::{ApiError, Request};

/// Largest JSON body any endpoint accepts. Every request of the contract is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Parses the JSON body into `T`. Fields `T` does not know are ignored, in every service.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    parse_json_bytes(req.body().as_ref())
}

/// As [`parse_json`], from the body's bytes.
pub fn parse_json_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json_limited(bytes, MAX_BODY_BYTES)
}

/// As [`parse_json_bytes`], with the route's own body limit (analytics batches take more).
pub fn parse_json_limited<T: DeserializeOwned>(bytes: &[u8], limit: usize) -> Result<T, ApiError> {
    if bytes.len() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is {} bytes; the limit is {limit}", bytes.len()),
        ));
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(ApiError::malformed_json("request body is empty; expected a JSON object")),
        // Derived structs also accept arrays; a client sending one has misunderstood the API.
        Some(b) if *b != b'{' => return Err(ApiError::malformed_json("request body must be a JSON object")),
        Some(_) => {}
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let reason = plain_types(&without_position(&inner.to_string()));
        match inner.classify() {
            serde_json::error::Category::Data if reason.starts_with("missing field") => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", at_path(&path, &reason))
            }
            // A field given twice (`first_name` and its alias `firstName`) is that field's problem.
            serde_json::error::Category::Data if reason.starts_with("duplicate field") => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", at_path(&path, &reason))
            }
            serde_json::error::Category::Data if path == "." => {
                ApiError::malformed_json(format!("request body must be a JSON object: {reason}"))
            }
            serde_json::error::Category::Data => ApiError::invalid_field(&path, reason),
            _ => ApiError::malformed_json(format!("request body is not valid JSON: {inner}")),
        }
    })
}

/// Parses the query string into `T`, whose fields are strings or types built from one (a
/// `serde(try_from = "String")` newtype, a number). Empty values count as absent; a parameter
/// given twice counts once, the first; parameters `T` does not know are ignored.
pub fn parse_query<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let params = req.query_string_parameters();
    let mut seen = std::collections::HashSet::new();
    let pairs = params.iter().filter(|(key, value)| !value.is_empty() && seen.insert(*key));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let reason = plain_types(&err.into_inner().to_string());
        if path == "." {
            ApiError::invalid_field(&missing_name(&reason), reason)
        } else {
            ApiError::invalid_field(&path, reason)
        }
    })
}

/// The field a "missing field `x`" message names.
fn missing_name(reason: &str) -> String {
    reason.split('`').nth(1).unwrap_or("query").to_owned()
}

/// A path parameter of the route (`/appointment/{service_id}`).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::invalid_field(name, "is missing from the path"))
}

/// The two parameters of every paginated listing, for a query struct to `#[serde(flatten)]` or
/// to read on its own: `limit` and an opaque `cursor` (read by [`crate::cursor::Cursors`]).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page size: `default` without `limit`, else an integer from 1 to `max`; anything else
    /// is a 400 naming `limit`.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.limit.as_deref() else { return Ok(default) };
        match raw.trim().parse::<usize>() {
            Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
            _ => Err(ApiError::invalid_field("limit", format!("must be an integer from 1 to {max}, got {raw:?}"))),
        }
    }
}

/// serde_json appends "at line 1 column 42"; for field errors the field name says more.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

/// serde names Rust types ("expected i64"); clients speak JSON.
fn plain_types(message: &str) -> String {
    let mut message = message.to_owned();
    for rust in ["i64", "u64", "i32", "u32", "i16", "u16", "i8", "u8", "usize", "isize"] {
        message = message.replace(&format!("expected {rust}"), "expected an integer");
    }
    message.replace("expected f64", "expected a number").replace("expected f32", "expected a number")
}

fn at_path(path: &str, reason: &str) -> String {
    if path == "." { reason.to_owned() } else { format!("{reason} in `{path}`") }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        count: u8,
        #[serde(default)]
        vip: bool,
    }

    fn parse(body: &str) -> Result<Input, ApiError> {
        parse_json_bytes(body.as_bytes())
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse(r#"{"count": 1}"#).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::BAD_REQUEST, "invalid_field"));
        assert!(err.message.contains("`name`"), "{}", err.message);
    }

    #[test]
    fn wrong_type_is_named() {
        let err = parse(r#"{"name": "a", "count": 1, "vip": "yes"}"#).unwrap_err();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`vip`"), "{}", err.message);
        let err = parse(r#"{"name": "a", "count": 300}"#).unwrap_err();
        assert!(err.message.starts_with("`count`"), "{}", err.message);
    }

    #[test]
    fn malformed_and_empty_bodies() {
        assert_eq!(parse(r#"{"name": "#).unwrap_err().code, "malformed_json");
        assert_eq!(parse("").unwrap_err().code, "malformed_json");
        assert_eq!(parse("[1, 2]").unwrap_err().code, "malformed_json");
    }

    #[test]
    fn oversized_body_is_413() {
        let body = format!(r#"{{"name": "{}", "count": 1}}"#, "x".repeat(MAX_BODY_BYTES));
        let err = parse(&body).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    }

    #[test]
    fn types_are_named_as_json_and_duplicates_name_the_field() {
        let err = parse(r#"{"name": "a", "count": "1"}"#).unwrap_err();
        assert!(err.message.ends_with("expected an integer"), "{}", err.message);
        let err = parse(r#"{"name": "a", "name": "b", "count": 1}"#).unwrap_err();
        assert_eq!(err.code, "invalid_field", "{}", err.message);
        assert!(err.message.contains("`name`"), "{}", err.message);
    }

    fn with_query(pairs: &[(&str, &str)]) -> Request {
        let params: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Request::default().with_query_string_parameters(params)
    }

    #[test]
    fn limits_are_bounded() {
        let limit = |pairs: &[(&str, &str)]| parse_query::<PageQuery>(&with_query(pairs)).unwrap().limit(100, 500);
        assert_eq!(limit(&[]).unwrap(), 100);
        assert_eq!(limit(&[("limit", "500")]).unwrap(), 500);
        assert_eq!(limit(&[("limit", "")]).unwrap(), 100, "an empty value is no value");
        for bad in ["0", "-1", "501", "ten", "1.5"] {
            let err = limit(&[("limit", bad)]).unwrap_err();
            assert!(err.message.starts_with("`limit`"), "{bad}: {}", err.message);
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Query {
        days: u32,
        #[serde(default)]
        mode: Option<String>,
    }

    #[test]
    fn queries_are_typed_and_name_the_field() {
        let q: Query = parse_query(&with_query(&[("days", "7"), ("other", "x")])).unwrap();
        assert_eq!(q, Query { days: 7, mode: None });
        let err = parse_query::<Query>(&with_query(&[("days", "seven")])).unwrap_err();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`days`"), "{}", err.message);
        let err = parse_query::<Query>(&with_query(&[])).unwrap_err();
        assert!(err.message.starts_with("`days`") && err.message.contains("missing"), "{}", err.message);
    }
}
