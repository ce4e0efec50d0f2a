//! `Idempotency-Key`: a client that did not hear the answer sends the request again with the same
//! key and gets the first answer, without the work being done twice.
//!
//! One item per key, in the service's own table (`pk = IDEMPOTENCY#<scope>#<key>`), moved by
//! conditional writes only:
//! 1. **claim**: written `in_progress` unless a live record exists, with a fingerprint of the
//!    request and a lease that ends with the invocation; of two concurrent requests one claims and
//!    the other is told `409 request_in_progress`;
//! 2. **complete**: the answer (status and body) is stored, conditional on still holding the
//!    claim; a `5xx` is not an answer to keep: the claim is released instead (its lease ends at
//!    once), so that the retry takes it over and does the work;
//! 3. a repeat finds the record: the same fingerprint replays the answer, another is
//!    `422 idempotency_key_reused`; a claim whose lease ran out (its invocation died) is taken over.
//!
//! The record is keyed by a digest of the key, and the answer it keeps is sealed with a key
//! derived from the client's `Idempotency-Key` and a server secret, `IDEMPOTENCY_SEALING_KEY`
//! (deployed as its Secrets Manager secret, [`crate::secrets`]) ([`Sealer`]): reading the table
//! gives neither, and a key guessed or leaked opens nothing without the secret.
//!
//! Records live 24 hours: the table's TTL attribute `ttl` removes them, and until it does (TTL
//! deletes within a day or two) an expired record counts as absent.

use std::future::Future;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use lambda_http::{Body, RequestExt, http::StatusCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    deadline,
    dynamo::{Condition, Item, StoreError, Table, Written, attr, key, n, s},
    http::{ApiError, Request, Response},
    time::Timestamp,
};

pub const HEADER: &str = "idempotency-key";

/// How long a key is remembered.
pub const RETENTION_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    InProgress,
    Done,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    state: State,
    /// Who holds the claim: a random token per attempt.
    owner: String,
    /// Until when the claim holds (epoch milliseconds): the claiming invocation's deadline.
    lease_until_ms: i64,
    /// Epoch seconds after which the record is gone (the table's TTL attribute).
    ttl: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

/// The key of a request: `None` without the header, a 400 naming it when malformed.
pub fn key_of(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else { return Ok(None) };
    let valid = value.to_str().ok().filter(|key| {
        (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    match valid {
        Some(key) => Ok(Some(key.to_owned())),
        None => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "`Idempotency-Key` must be 1 to 64 characters of A-Z, a-z, 0-9, `-` and `_`",
        )),
    }
}

/// What identifies "the same request": method, path and body.
fn fingerprint(req: &Request) -> String {
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update(b"\n");
    hash.update(req.raw_http_path());
    hash.update(b"\n");
    hash.update(req.body().as_ref());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// What a repeat of a key meets.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// Nothing live: claim it.
    Absent,
    /// The first request's answer.
    Answer { status: u16, body: String },
    /// The same key with another request.
    Reused,
    /// The first request is still running.
    InProgress,
    /// The first request's invocation ended without an answer: take over its claim.
    Abandoned { lease_until_ms: i64 },
}

fn judge(record: &Record, fingerprint: &str, now: Timestamp) -> Found {
    if record.ttl <= now.timestamp() {
        return Found::Absent;
    }
    if record.fingerprint != fingerprint {
        return Found::Reused;
    }
    match (record.state, record.status, &record.body) {
        (State::Done, Some(status), Some(body)) => Found::Answer { status, body: body.clone() },
        _ if record.lease_until_ms > now.timestamp_millis() => Found::InProgress,
        _ => Found::Abandoned { lease_until_ms: record.lease_until_ms },
    }
}

/// The server secret mixed into the sealing keys.
pub const SEALING_KEY_VARIABLE: &str = "IDEMPOTENCY_SEALING_KEY";

/// The keys of one service, in its table.
#[derive(Clone)]
pub struct Idempotency {
    table: Table,
    /// `IDEMPOTENCY_SEALING_KEY` (none in tests that build their apps without it).
    server_key: Option<String>,
}

impl Idempotency {
    /// Built with the function's state, once its secrets are fetched.
    pub fn new(table: Table) -> Self {
        Self { table, server_key: crate::secrets::resolved(SEALING_KEY_VARIABLE) }
    }

    /// Runs `handler` for `req` at most once per `Idempotency-Key` within `scope` (the route and
    /// the caller: the same key from two callers are two keys). Without the header it simply runs.
    pub async fn run<F, Fut>(
        &self,
        scope: &str,
        req: Request,
        now: Timestamp,
        handler: F,
    ) -> Result<Response<Body>, ApiError>
    where
        F: FnOnce(Request) -> Fut,
        Fut: Future<Output = Result<Response<Body>, ApiError>>,
    {
        let Some(idempotency_key) = key_of(&req)? else { return handler(req).await };
        let sealer = Sealer::new(self.server_key.as_deref(), scope, &idempotency_key);
        let record_key = key(record_pk(scope, &idempotency_key), "IDEMPOTENCY");
        let claim = Record {
            fingerprint: fingerprint(&req),
            state: State::InProgress,
            owner: crate::ids::new_id(),
            lease_until_ms: now.timestamp_millis()
                + (deadline::remaining().unwrap_or(deadline::DEFAULT_BUDGET) + deadline::RESERVE).as_millis() as i64,
            ttl: now.timestamp() + RETENTION_SECONDS,
            status: None,
            body: None,
        };
        // Two rounds at most: a record that expires or is released between our claim and our
        // read is claimed again once.
        for _ in 0..2 {
            if self.claim(&record_key, &claim, now).await?.is_ok() {
                return Ok(self.finish(&record_key, claim, &sealer, handler(req).await).await);
            }
            let Some(found) = self.table.get::<Record>(record_key.clone()).await? else { continue };
            match judge(&found, &claim.fingerprint, now) {
                Found::Absent => continue,
                Found::Answer { status, body } => {
                    let body = sealer.open(&body).ok_or_else(|| {
                        tracing::error!("a stored idempotent answer does not open with its key");
                        ApiError::internal()
                    })?;
                    return Ok(replay(status, body));
                }
                Found::Reused => {
                    return Err(ApiError::unprocessable(
                        "idempotency_key_reused",
                        "this `Idempotency-Key` was used with a different request; use a new key",
                    ));
                }
                Found::InProgress => {
                    return Err(ApiError::conflict(
                        "request_in_progress",
                        "a request with this `Idempotency-Key` is still running; try again shortly",
                    ));
                }
                Found::Abandoned { lease_until_ms } => {
                    if self.take_over(&record_key, &claim, lease_until_ms).await?.is_ok() {
                        return Ok(self.finish(&record_key, claim, &sealer, handler(req).await).await);
                    }
                }
            }
        }
        Err(ApiError::conflict(
            "request_in_progress",
            "a request with this `Idempotency-Key` is still running; try again shortly",
        ))
    }

    async fn claim(&self, record_key: &Item, claim: &Record, now: Timestamp) -> Result<Written, StoreError> {
        let condition = Condition::new("attribute_not_exists(pk) OR #ttl <= :now")
            .name("#ttl", "ttl")
            .value(":now", n(now.timestamp()));
        self.table.put_if(record_key.clone(), claim, condition).await
    }

    async fn take_over(&self, record_key: &Item, claim: &Record, lease_until_ms: i64) -> Result<Written, StoreError> {
        let condition = Condition::new("lease_until_ms = :lease AND #state = :in_progress")
            .name("#state", "state")
            .value(":lease", n(lease_until_ms))
            .value(":in_progress", attr(&State::InProgress)?);
        self.table.put_if(record_key.clone(), claim, condition).await
    }

    /// Keeps the answer, then returns it. A 5xx is not kept: the claim is released (its lease
    /// ended), so that a retry takes it over and does the work. A failure to keep the answer is
    /// logged, not answered: the work is done and its answer is what the client needs.
    async fn finish(
        &self,
        record_key: &Item,
        claim: Record,
        sealer: &Sealer,
        outcome: Result<Response<Body>, ApiError>,
    ) -> Response<Body> {
        let response = crate::http::respond(outcome);
        let owner = Condition::new("#owner = :owner").name("#owner", "owner").value(":owner", s(&claim.owner));
        let record = if response.status().is_server_error() {
            Record { lease_until_ms: 0, ..claim }
        } else {
            // Every answer of this API is JSON text.
            let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
            Record {
                state: State::Done,
                status: Some(response.status().as_u16()),
                body: Some(sealer.seal(&body)),
                ..claim
            }
        };
        if let Err(error) = self.table.put_if(record_key.clone(), &record, owner).await {
            tracing::error!(%error, "could not record the answer of an idempotent request");
        }
        response
    }
}

/// Where the record of a key is: a digest of the scope and the key, so that the table does not
/// hold the key, which opens the stored answer.
pub fn record_pk(scope: &str, idempotency_key: &str) -> String {
    format!("IDEMPOTENCY#{}", URL_SAFE_NO_PAD.encode(digest(&["record", scope, idempotency_key])))
}

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().into()
}

/// Stored answers are sealed (AES-256-GCM) with a key derived from the client's
/// `Idempotency-Key`, which the table never holds: an answer may carry a secret (a walk-in
/// ticket's `cancel_token`, stored elsewhere only as a hash), and only the client that knows its
/// key can have it replayed.
struct Sealer {
    key: LessSafeKey,
}

impl Sealer {
    fn new(server_key: Option<&str>, scope: &str, idempotency_key: &str) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, &digest(&["answer", server_key.unwrap_or(""), scope, idempotency_key]))
            .expect("a 32-byte key is an AES-256 key");
        Self { key: LessSafeKey::new(key) }
    }

    /// `nonce ‖ ciphertext ‖ tag`, base64url.
    fn seal(&self, plain: &str) -> String {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let mut sealed = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::empty(), &mut sealed)
            .expect("sealing in memory does not fail");
        let mut out = nonce_bytes.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let (nonce, rest) = bytes.split_at_checked(NONCE_LEN)?;
        let mut rest = rest.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self.key.open_in_place(nonce, Aad::empty(), &mut rest).ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// The first answer again, marked as a replay.
fn replay(status: u16, body: String) -> Response<Body> {
    let mut response = crate::http::json_response(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), &());
    *response.body_mut() = Body::Text(body);
    response.headers_mut().insert("idempotent-replayed", lambda_http::http::HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: State, lease_until_ms: i64, ttl: i64) -> Record {
        Record {
            fingerprint: "f".into(),
            state,
            owner: "o".into(),
            lease_until_ms,
            ttl,
            status: (state == State::Done).then_some(201),
            body: (state == State::Done).then(|| "{}".into()),
        }
    }

    #[test]
    fn a_repeat_meets_the_first_answer_or_its_progress() {
        let now = crate::time::parse("2026-11-24T10:00:00Z").unwrap();
        let (ms, s) = (now.timestamp_millis(), now.timestamp());
        assert_eq!(judge(&record(State::Done, ms, s + 10), "f", now), Found::Answer { status: 201, body: "{}".into() });
        assert_eq!(judge(&record(State::Done, ms, s + 10), "g", now), Found::Reused);
        assert_eq!(judge(&record(State::InProgress, ms + 1, s + 10), "f", now), Found::InProgress);
        assert_eq!(judge(&record(State::InProgress, ms, s + 10), "f", now), Found::Abandoned { lease_until_ms: ms });
        assert_eq!(judge(&record(State::Done, ms, s), "g", now), Found::Absent, "expired: as if never seen");
    }

    #[test]
    fn answers_open_only_with_their_key() {
        let sealed = Sealer::new(Some("server"), "walkin.check-in", "k1").seal(r#"{"cancel_token":"secret"}"#);
        assert!(!sealed.contains("secret"));
        assert_eq!(
            Sealer::new(Some("server"), "walkin.check-in", "k1").open(&sealed).as_deref(),
            Some(r#"{"cancel_token":"secret"}"#)
        );
        assert_eq!(Sealer::new(Some("server"), "walkin.check-in", "k2").open(&sealed), None);
        assert_eq!(Sealer::new(Some("server"), "orders.create", "k1").open(&sealed), None);
        // The client's key alone opens nothing: the server's secret is part of the sealing key.
        assert_eq!(Sealer::new(None, "walkin.check-in", "k1").open(&sealed), None);
        assert_eq!(Sealer::new(Some("other"), "walkin.check-in", "k1").open(&sealed), None);
        assert!(!record_pk("walkin.check-in", "k1").contains("k1"));
    }

    #[test]
    fn keys_are_checked_for_shape() {
        let with = |value: &str| {
            let mut req = Request::default();
            req.headers_mut().insert(HEADER, value.parse().unwrap());
            key_of(&req)
        };
        assert_eq!(with("order-42_a").unwrap().as_deref(), Some("order-42_a"));
        for bad in ["", "a b", "ключ", &"k".repeat(65)] {
            if let Ok(value) = lambda_http::http::HeaderValue::from_str(bad) {
                let mut req = Request::default();
                req.headers_mut().insert(HEADER, value);
                let err = key_of(&req).unwrap_err();
                assert_eq!((err.status, err.code.as_ref()), (StatusCode::BAD_REQUEST, "invalid_field"), "{bad:?}");
            }
        }
        assert_eq!(key_of(&Request::default()).unwrap(), None);
    }
}
