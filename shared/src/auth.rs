//! Who is calling, and may they: Cognito tokens verified against the user pool's keys, and one
//! function that enforces each route's rule.
//!
//! In AWS the HTTP API's JWT authorizer has already refused bad tokens on every route that is not
//! public; the functions verify the token again anyway, so that the same rules hold locally (where
//! `cargo lambda watch` has no authorizer) and no route depends on the template being right.
//!
//! The pool's keys (JWKS) are fetched on the first request that carries a token, not at start-up,
//! and kept for [`KEY_LIFETIME`]; a token signed with a key we do not know makes us fetch them
//! again (at most once a minute), which is how a key rotation is picked up. One request fetches
//! at a time and the others wait for it, but nobody holds the keys' lock across the network: a
//! slow Cognito does not stall the requests whose keys are known. A failed fetch is remembered
//! for [`FAILURE_MEMORY`], so an outage costs one request to Cognito, not one per caller.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use lambda_http::http::{StatusCode, header::AUTHORIZATION};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use crate::{
    config::{self, ConfigError},
    http::{ApiError, Request},
    routes::{Routes, Who},
};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;

/// The shortest time between two fetches of the keys for an unknown `kid`: a flood of tokens
/// with made-up key ids must not become a flood of requests to Cognito.
const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

const JWKS_TIMEOUT: Duration = Duration::from_secs(3);

/// How long fetched keys are trusted before they are fetched again: a key Cognito withdrew stops
/// verifying tokens within this.
pub const KEY_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// How long a failed fetch is remembered: requests meanwhile are 503s without another fetch.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(5);

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's stable id in the pool.
    pub sub: String,
    /// Present in ID tokens; access tokens carry no email.
    pub email: Option<String>,
    pub email_verified: bool,
    pub groups: Vec<String>,
}

impl Caller {
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    pub fn is_admin(&self) -> bool {
        self.in_group(ADMIN)
    }

    /// In `group`, or an admin (who may do everything).
    pub fn may_act_as(&self, group: &str) -> bool {
        self.is_admin() || self.in_group(group)
    }

    /// The caller's email if Cognito verified it.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

pub const ADMIN: &str = "admin";
pub const STAFF: &str = "staff";
pub const PROVIDER: &str = "provider";
pub const ANALYST: &str = "analyst";
pub const INGEST: &str = "ingest";

/// Why a token was refused. The detail is logged (without the token), never sent.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("the pool's keys are unavailable: {0}")]
    KeysUnavailable(String),
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Missing => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sign in: this route needs `Authorization: Bearer <token>`",
            ),
            AuthError::Invalid(detail) => {
                tracing::info!(%detail, "token refused");
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "the token is invalid or expired; sign in again",
                )
            }
            AuthError::KeysUnavailable(detail) => {
                tracing::warn!(%detail, "cannot fetch the user pool's keys");
                ApiError::unavailable("sign-in cannot be checked right now; try again shortly")
            }
        }
    }
}

/// The claims we read; `jsonwebtoken` checks `exp`, `nbf` and `iss` itself.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    token_use: String,
    #[serde(default)]
    aud: Option<serde_json::Value>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
}

/// Where a pool's tokens come from and whose they must be.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub issuer: String,
    pub client_id: String,
    pub jwks_url: String,
}

impl AuthConfig {
    /// `COGNITO_USER_POOL_ID` and `COGNITO_CLIENT_ID` (the template passes both), in `AWS_REGION`.
    /// The keys come from the pool's issuer; only the local stack sets `COGNITO_PUBLIC_ENDPOINT`
    /// (its Cognito), never the generic `AWS_ENDPOINT_URL`, so no endpoint override meant for other
    /// services can change whose keys sign our tokens. The issuer the tokens name is AWS's either way.
    pub fn from_env() -> Result<Self, ConfigError> {
        let pool = config::required("COGNITO_USER_POOL_ID")?;
        let client_id = config::required("COGNITO_CLIENT_ID")?;
        let region = config::or_default("AWS_REGION", "us-east-1".to_owned())?;
        let endpoint = config::optional("COGNITO_PUBLIC_ENDPOINT");
        Ok(Self::for_pool(&region, &pool, &client_id, endpoint.as_deref()))
    }

    pub fn for_pool(region: &str, pool: &str, client_id: &str, endpoint: Option<&str>) -> Self {
        let issuer = format!("https://cognito-idp.{region}.amazonaws.com/{pool}");
        let jwks_url = match endpoint {
            Some(endpoint) => format!("{}/{pool}/.well-known/jwks.json", endpoint.trim_end_matches('/')),
            None => format!("{issuer}/.well-known/jwks.json"),
        };
        Self { issuer, client_id: client_id.to_owned(), jwks_url }
    }
}

#[derive(Default)]
struct Keys {
    set: JwkSet,
    fetched: Option<Instant>,
    /// When the last fetch failed, if it did (cleared by a success).
    failed: Option<Instant>,
}

impl Keys {
    fn fresh(&self, lifetime: Duration) -> bool {
        self.fetched.is_some_and(|at| at.elapsed() < lifetime)
    }

    /// A key known and still trusted.
    fn find(&self, kid: &str, lifetime: Duration) -> Option<&jsonwebtoken::jwk::Jwk> {
        self.set.find(kid).filter(|_| self.fresh(lifetime))
    }

    /// Whether a fetch may be tried now for a `kid` not found.
    fn may_fetch(&self, lifetime: Duration) -> bool {
        !self.fresh(lifetime) || self.fetched.is_none_or(|at| at.elapsed() >= REFETCH_INTERVAL)
    }

    fn recently_failed(&self) -> bool {
        self.failed.is_some_and(|at| at.elapsed() < FAILURE_MEMORY)
    }
}

/// Verifies tokens of one user pool and app client.
pub struct Verifier {
    config: AuthConfig,
    keys: RwLock<Keys>,
    /// Held by the one request fetching the keys, never while holding `keys`.
    fetching: Mutex<()>,
    /// [`KEY_LIFETIME`], shorter in tests.
    lifetime: Duration,
    http: OnceLock<reqwest::Client>,
}

impl Verifier {
    pub fn new(config: AuthConfig) -> Self {
        let keys = RwLock::new(Keys::default());
        Self { config, keys, fetching: Mutex::new(()), lifetime: KEY_LIFETIME, http: OnceLock::new() }
    }

    /// A verifier that knows its keys already (tests, tools).
    pub fn with_keys(config: AuthConfig, set: JwkSet) -> Self {
        let keys = RwLock::new(Keys { set, fetched: Some(Instant::now()), failed: None });
        Self { config, keys, fetching: Mutex::new(()), lifetime: KEY_LIFETIME, http: OnceLock::new() }
    }

    /// The same verifier trusting fetched keys for `lifetime` (tests).
    pub fn with_key_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The caller of a request, checked against the rule of the route it came by (see
    /// [`Verifier::authorize`]). A request by a route the table does not list is a bug of ours:
    /// refused with a 500, never let through.
    pub async fn caller(&self, routes: &Routes, req: &Request) -> Result<Option<Caller>, ApiError> {
        let path = lambda_http::RequestExt::raw_http_path(req);
        let Some(matched) = routes.find(req.method().as_str(), path) else {
            tracing::error!(method = %req.method(), "no entry in the route table for this request");
            return Err(ApiError::internal());
        };
        self.authorize(req, matched.route.who).await
    }

    /// The caller a request names, checked against `who`: `Ok(None)` for an anonymous call of a
    /// public route; 401 without a valid token where one is needed; 403 for a caller outside the
    /// route's groups.
    pub async fn authorize(&self, req: &Request, who: Who) -> Result<Option<Caller>, ApiError> {
        let caller = match bearer(req) {
            Ok(None) if who == Who::Public => return Ok(None),
            Ok(None) => return Err(AuthError::Missing.into()),
            Ok(Some(token)) => self.verify(token).await?,
            Err(err) => return Err(err.into()),
        };
        match who {
            Who::Groups(groups) if !groups.iter().any(|group| caller.may_act_as(group)) => Err(forbidden(groups)),
            _ => Ok(Some(caller)),
        }
    }

    /// Verifies a token: RS256 by a key of the pool, issued by the pool, for our app client, an
    /// ID or access token, within its validity (give or take a minute of clock skew).
    pub async fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(format!("header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Invalid(format!("algorithm {:?}", header.alg)));
        }
        let kid = header.kid.ok_or_else(|| AuthError::Invalid("no kid".into()))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.validate_aud = false; // ID tokens name the client in `aud`, access tokens in `client_id`
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| AuthError::Invalid(format!("claims: {e}")))?
            .claims;
        let client = match claims.token_use.as_str() {
            "id" => match &claims.aud {
                Some(serde_json::Value::String(aud)) => Some(aud.as_str()),
                _ => None,
            },
            "access" => claims.client_id.as_deref(),
            other => return Err(AuthError::Invalid(format!("token_use {other:?}"))),
        };
        if client != Some(self.config.client_id.as_str()) {
            return Err(AuthError::Invalid("issued to another app client".into()));
        }
        let email_verified = match claims.email_verified {
            Some(serde_json::Value::Bool(verified)) => verified,
            Some(serde_json::Value::String(verified)) => verified == "true",
            _ => false,
        };
        Ok(Caller { sub: claims.sub, email: claims.email, email_verified, groups: claims.groups })
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        let decode = |jwk: &jsonwebtoken::jwk::Jwk| {
            DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Invalid(format!("key {kid}: {e}")))
        };
        if let Some(decoded) = self.known(kid, decode).await? {
            return Ok(decoded);
        }
        // One fetch at a time; whoever waited here finds the keys the first one fetched.
        let _fetching = self.fetching.lock().await;
        if let Some(decoded) = self.known(kid, decode).await? {
            return Ok(decoded);
        }
        let fetched = self.fetch().await;
        let mut keys = self.keys.write().await;
        match fetched {
            Ok(set) => *keys = Keys { set, fetched: Some(Instant::now()), failed: None },
            Err(err) => {
                keys.failed = Some(Instant::now());
                return Err(err);
            }
        }
        keys.find(kid, self.lifetime)
            .map(decode)
            .unwrap_or_else(|| Err(AuthError::Invalid(format!("unknown kid {kid:?}"))))
    }

    /// The key `kid` if it is known (`Some`), `None` if a fetch should be tried, or why not:
    /// an unknown key within the refetch interval, a fetch that failed a moment ago.
    async fn known(
        &self,
        kid: &str,
        decode: impl Fn(&jsonwebtoken::jwk::Jwk) -> Result<DecodingKey, AuthError>,
    ) -> Result<Option<DecodingKey>, AuthError> {
        let keys = self.keys.read().await;
        if let Some(jwk) = keys.find(kid, self.lifetime) {
            return decode(jwk).map(Some);
        }
        if keys.recently_failed() {
            return Err(AuthError::KeysUnavailable("the last fetch failed a moment ago".into()));
        }
        if !keys.may_fetch(self.lifetime) {
            return Err(AuthError::Invalid(format!("unknown kid {kid:?}")));
        }
        Ok(None)
    }

    async fn fetch(&self) -> Result<JwkSet, AuthError> {
        let http =
            self.http.get_or_init(|| crate::tls::reqwest_client().timeout(JWKS_TIMEOUT).build().unwrap_or_default());
        let unavailable = |e: reqwest::Error| AuthError::KeysUnavailable(e.to_string());
        http.get(&self.config.jwks_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json::<JwkSet>()
            .await
            .map_err(unavailable)
    }
}

/// The bearer token of a request, if it sends one.
fn bearer(req: &Request) -> Result<Option<&str>, AuthError> {
    let Some(value) = req.headers().get(AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| AuthError::Invalid("Authorization is not text".into()))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(AuthError::Invalid("Authorization is not `Bearer <token>`".into())),
    }
}

fn forbidden(groups: &[&str]) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        format!("this route is for {} only", groups.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::{
        encoding::AsDer,
        rsa::{KeyPair, KeySize},
        signature::KeyPair as _,
    };
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use jsonwebtoken::{EncodingKey, Header};
    use lambda_http::http::HeaderValue;
    use serde_json::{Value, json};

    use super::*;

    const CLIENT: &str = "app-client";

    fn config() -> AuthConfig {
        AuthConfig::for_pool("us-east-1", "us-east-1_pool", CLIENT, Some("http://127.0.0.1:9"))
    }

    struct Signer {
        encoding: EncodingKey,
        jwk: Value,
    }

    /// A fresh RSA key, as Cognito would publish it under `kid`.
    fn signer(kid: &str) -> Signer {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = pair.as_der().unwrap();
        // jsonwebtoken signs with a PKCS#1 key: the one inside PKCS#8's OCTET STRING.
        let pkcs8 = pkcs8.as_ref();
        assert_eq!(pkcs8[22], 0x04, "PKCS#8 of a 2048-bit key: the OCTET STRING starts at byte 22");
        let public = pair.public_key();
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        Signer {
            encoding: EncodingKey::from_rsa_der(&pkcs8[26..]),
            jwk: json!({"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero())}),
        }
    }

    fn verifier(signers: &[&Signer]) -> Verifier {
        let set: JwkSet =
            serde_json::from_value(json!({"keys": signers.iter().map(|s| s.jwk.clone()).collect::<Vec<_>>()})).unwrap();
        Verifier::with_keys(config(), set)
    }

    fn claims(overrides: Value) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "sub": "user-1", "iss": config().issuer, "aud": CLIENT, "token_use": "id",
            "email": "ada@example.com", "email_verified": true, "cognito:groups": ["staff"],
            "iat": now, "exp": now + 3600,
        });
        for (key, value) in overrides.as_object().unwrap() {
            claims[key] = value.clone();
        }
        claims
    }

    fn token(signer: &Signer, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &signer.encoding).unwrap()
    }

    #[tokio::test]
    async fn a_pool_token_names_the_caller() {
        let key = signer("k1");
        let caller = verifier(&[&key]).verify(&token(&key, "k1", &claims(json!({})))).await.unwrap();
        assert_eq!(caller.sub, "user-1");
        assert_eq!(caller.verified_email(), Some("ada@example.com"));
        assert!(caller.in_group("staff") && !caller.is_admin());
        let access = claims(json!({"token_use": "access", "aud": null, "client_id": CLIENT, "email": null}));
        let caller = verifier(&[&key]).verify(&token(&key, "k1", &access)).await.unwrap();
        assert_eq!((caller.email.as_deref(), caller.verified_email()), (None, None));
    }

    #[tokio::test]
    async fn forged_expired_and_foreign_tokens_are_refused() {
        let key = signer("k1");
        let other = signer("k1");
        let verifier = verifier(&[&key]);
        let now = chrono::Utc::now().timestamp();
        let hs256_with_public_key = {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("k1".into());
            jsonwebtoken::encode(
                &header,
                &claims(json!({})),
                &EncodingKey::from_secret(key.jwk["n"].as_str().unwrap().as_bytes()),
            )
            .unwrap()
        };
        let alg_none = {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"k1"}"#);
            let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
            format!("{header}.{body}.")
        };
        let cases = [
            ("another key", token(&other, "k1", &claims(json!({})))),
            ("expired", token(&key, "k1", &claims(json!({"exp": now - 120})))),
            ("not yet valid", token(&key, "k1", &claims(json!({"nbf": now + 600})))),
            (
                "another pool",
                token(&key, "k1", &claims(json!({"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}))),
            ),
            ("another client", token(&key, "k1", &claims(json!({"aud": "someone-else"})))),
            (
                "access token of another client",
                token(&key, "k1", &claims(json!({"token_use": "access", "client_id": "x"}))),
            ),
            ("refresh-like token_use", token(&key, "k1", &claims(json!({"token_use": "refresh"})))),
            ("unknown kid", token(&key, "k2", &claims(json!({})))),
            ("HS256 signed with the public key", hs256_with_public_key),
            ("alg none", alg_none),
            ("garbage", "not.a.token".to_owned()),
            (
                "an opaque refresh token",
                "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.x.y.z.w".to_owned(),
            ),
        ];
        for (what, token) in cases {
            let err = verifier.verify(&token).await.unwrap_err();
            assert!(matches!(err, AuthError::Invalid(_)), "{what}: {err}");
            assert_eq!(ApiError::from(err).status, StatusCode::UNAUTHORIZED, "{what}");
        }
    }

    /// A JWKS endpoint that answers garbage and counts who asked.
    async fn broken_jwks() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::{
            Arc,
            atomic::{AtomicUsize, Ordering},
        };
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = asked.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        (url, asked)
    }

    #[tokio::test]
    async fn a_failed_fetch_is_remembered_and_old_keys_are_not_trusted() {
        let (url, asked) = broken_jwks().await;
        let key = signer("k1");
        let config = AuthConfig::for_pool("us-east-1", "us-east-1_pool", CLIENT, Some(&url));
        let set: JwkSet = serde_json::from_value(json!({"keys": [key.jwk.clone()]})).unwrap();
        // Keys fetched long ago (a lifetime of nothing): a token they would verify is not trusted
        // on their word; the fetch fails, and the caller is told to come back (503), not let in.
        let verifier = Verifier::with_keys(config, set).with_key_lifetime(Duration::ZERO);
        let token = token(&key, "k1", &claims(json!({})));
        for _ in 0..3 {
            let err = verifier.verify(&token).await.unwrap_err();
            assert!(matches!(err, AuthError::KeysUnavailable(_)), "{err}");
        }
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1, "one fetch, remembered as failed");
    }

    fn request(token: Option<&str>) -> Request {
        let mut req = Request::default();
        if let Some(token) = token {
            req.headers_mut().insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        }
        req
    }

    #[tokio::test]
    async fn each_route_rule_is_enforced() {
        let key = signer("k1");
        let verifier = verifier(&[&key]);
        let staff = token(&key, "k1", &claims(json!({})));
        let admin = token(&key, "k1", &claims(json!({"cognito:groups": ["admin"]})));
        let nobody = token(&key, "k1", &claims(json!({"cognito:groups": []})));

        assert_eq!(verifier.authorize(&request(None), Who::Public).await.unwrap(), None);
        assert!(verifier.authorize(&request(Some(&staff)), Who::Public).await.unwrap().is_some());
        let err = verifier.authorize(&request(None), Who::SignedIn).await.unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
        let err = verifier.authorize(&request(Some("garbage")), Who::Public).await.unwrap_err();
        assert_eq!(err.status, StatusCode::UNAUTHORIZED, "a bad token is refused even where none is needed");

        let desk = Who::Groups(&[STAFF]);
        assert!(verifier.authorize(&request(Some(&staff)), desk).await.is_ok());
        assert!(verifier.authorize(&request(Some(&admin)), desk).await.is_ok(), "admins may do everything");
        let err = verifier.authorize(&request(Some(&nobody)), desk).await.unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::FORBIDDEN, "forbidden"));

        let mut basic = Request::default();
        basic.headers_mut().insert(AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwYXNz"));
        assert_eq!(verifier.authorize(&basic, Who::SignedIn).await.unwrap_err().status, StatusCode::UNAUTHORIZED);
    }
}
