//! What the API's origin serves besides the five services, all public:
//!
//! - `GET /openapi.json`: the OpenAPI 3.1 description, kept by hand in `api/openapi.yaml` (the
//!   one source: tests check it against the template's routes and every response they receive);
//! - `GET /docs/`: the API reference page (Swagger UI from the pinned npm package) over it;
//! - `GET /console/...`: the web console, a single-page application; any path under `/console/`
//!   that is not a built file is the application's page, so deep links and reloads work.
//!
//! Hashed assets (`/console/assets/*`) are cached for a year; the page itself and its
//! configuration never are, so a new deployment is seen at the next load. Text is gzipped when the
//! client accepts it (API Gateway does not compress), once per file and process.

pub mod assets;

use lambda_http::{
    Body, RequestExt,
    http::{
        HeaderValue, StatusCode,
        header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, LOCATION, VARY},
    },
};
use serde::Serialize;
use shared::{
    config::{self, ConfigError},
    http::{ApiError, Outcome, Request, Response},
};

use crate::assets::Asset;

/// The description, as written.
const OPENAPI_YAML: &str = include_str!("../../api/openapi.yaml");

/// A year: hashed file names change with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NEVER: &str = "no-store";
/// The description and the reference page change with deployments only; a short cache is fine.
const SHORT: &str = "public, max-age=300";

/// Where the console signs in, from the function's environment (the template passes the pool,
/// the client and the region; the local stack also its Cognito endpoint and the outbox).
#[derive(Debug, Clone, Serialize)]
pub struct ConsoleConfig {
    region: String,
    cognito_endpoint: String,
    user_pool_id: String,
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    outbox_url: Option<String>,
}

impl ConsoleConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let region = config::or_default("AWS_REGION", "us-east-1".to_owned())?;
        let cognito_endpoint = config::optional("COGNITO_PUBLIC_ENDPOINT")
            .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/"));
        Ok(Self {
            cognito_endpoint,
            user_pool_id: config::required("COGNITO_USER_POOL_ID")?,
            client_id: config::required("COGNITO_CLIENT_ID")?,
            outbox_url: config::optional("LOCAL_OUTBOX_URL"),
            region,
        })
    }
}

/// The description as JSON, converted from the YAML once per process.
pub fn openapi_json() -> Result<&'static str, ApiError> {
    static JSON: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    JSON.get_or_init(|| {
        let value: serde_json::Value = serde_yaml_ng::from_str(OPENAPI_YAML).map_err(|e| e.to_string())?;
        serde_json::to_string(&value).map_err(|e| e.to_string())
    })
    .as_deref()
    .map_err(|err| {
        tracing::error!(%err, "api/openapi.yaml does not convert to JSON");
        ApiError::internal()
    })
}

/// The function's one entry point: the three kinds of path it is routed.
pub async fn route(_: (), req: Request) -> Outcome {
    let path = req.raw_http_path();
    if path == "/openapi.json" {
        openapi((), req).await
    } else if path == "/docs" || path.starts_with("/docs/") {
        docs((), req).await
    } else if path == "/console" || path.starts_with("/console/") {
        console((), req).await
    } else {
        Err(not_found(path))
    }
}

/// GET /openapi.json
pub async fn openapi(_: (), req: Request) -> Outcome {
    let json = openapi_json()?;
    Ok(respond(&req, StatusCode::OK, "application/json", json.as_bytes(), SHORT))
}

/// GET /docs and /docs/{proxy+}: the reference page and its two files.
pub async fn docs(_: (), req: Request) -> Outcome {
    let path = req.raw_http_path().to_owned();
    let file = match path.as_str() {
        "/docs" => return Ok(redirect("/docs/")),
        "/docs/" | "/docs/index.html" => "docs/index.html".to_owned(),
        other => format!("docs/{}", other.trim_start_matches("/docs/")),
    };
    match Asset::get(&file) {
        Some(asset) => Ok(respond(&req, StatusCode::OK, &asset.mime, &asset.bytes, SHORT)),
        None => Err(not_found(&path)),
    }
}

static CONFIG: std::sync::OnceLock<ConsoleConfig> = std::sync::OnceLock::new();

/// Reads the console's configuration; a function without it stops at start-up.
pub fn init_console() -> Result<(), ConfigError> {
    let config = ConsoleConfig::from_env()?;
    let _ = CONFIG.set(config);
    Ok(())
}

/// GET /console and /console/{proxy+}: a built file, `config.json`, or the application's page.
pub async fn console(_: (), req: Request) -> Outcome {
    let path = req.raw_http_path().to_owned();
    let inner = path.strip_prefix("/console").unwrap_or_default().trim_start_matches('/');
    if path == "/console" {
        return Ok(redirect("/console/"));
    }
    if inner == "config.json" {
        let config = CONFIG.get().ok_or_else(|| {
            tracing::error!("the console's configuration was not read at start-up");
            ApiError::internal()
        })?;
        let body = serde_json::to_vec(config).map_err(|_| ApiError::internal())?;
        return Ok(respond(&req, StatusCode::OK, "application/json", &body, NEVER));
    }
    if let Some(asset) = Asset::get(&format!("console/{inner}")).filter(|_| !inner.is_empty()) {
        let cache = if inner.starts_with("assets/") { IMMUTABLE } else { NEVER };
        return Ok(respond(&req, StatusCode::OK, &asset.mime, &asset.bytes, cache));
    }
    // A missing hashed asset is an old page asking for a file the new deployment replaced: a 404
    // (the page's error boundary asks for a reload), never the page in its place.
    if inner.starts_with("assets/") || inner.starts_with(".vite/") {
        return Err(not_found(&path));
    }
    match Asset::get("console/index.html") {
        Some(page) => Ok(respond(&req, StatusCode::OK, "text/html; charset=utf-8", &page.bytes, NEVER)),
        None => Err(ApiError::unavailable("the console is not built in this deployment; run `make build`")),
    }
}

fn not_found(path: &str) -> ApiError {
    let shown: String = path.chars().take(200).collect();
    ApiError::not_found("route_not_found", format!("nothing is served at {shown}"))
}

fn redirect(to: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    response.headers_mut().insert(LOCATION, HeaderValue::from_static(to));
    response
}

/// A file's response: gzipped when the client takes gzip and the type is text.
fn respond(req: &Request, status: StatusCode, mime: &str, bytes: &[u8], cache: &'static str) -> Response<Body> {
    let takes_gzip = req
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let compressible = assets::is_text(mime);
    let mut response = if takes_gzip && compressible {
        let mut response = Response::new(Body::Binary(assets::gzip(bytes)));
        response.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else if compressible {
        Response::new(Body::Text(String::from_utf8_lossy(bytes).into_owned()))
    } else {
        Response::new(Body::Binary(bytes.to_vec()))
    };
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(mime) {
        headers.insert(CONTENT_TYPE, mime);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if compressible {
        headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_converts_to_json() {
        let json: serde_json::Value = serde_json::from_str(openapi_json().unwrap()).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
    }
}
