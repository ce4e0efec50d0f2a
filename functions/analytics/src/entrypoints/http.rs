//! The HTTP endpoints (API Gateway): check the caller, parse the request, call the op, answer
//! with the contract's JSON. Every handler first asks [`shared::auth::Verifier::caller`] with
//! [`routes::ROUTES`] (401 without a valid token, 403 outside the route's groups).

use futures::{StreamExt, stream};
use lambda_http::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value, json};
use shared::{
    http::{self, ApiError, Request, Response},
    time,
};

use crate::{
    App,
    domain::{Event, Invalid},
    ops::{self, GetEventError, IngestError, Ingested},
    routes,
    store::StoredEvent,
};

type Outcome = Result<Response<lambda_http::Body>, ApiError>;

/// A batch's body, at most.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Events in one batch, at most.
pub const MAX_BATCH_EVENTS: usize = 100;
/// Events of a batch ingested at once: a few, since events of one day contend for its rollups.
const EVENTS_IN_FLIGHT: usize = 4;

fn too_large(message: String) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
}

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        match &err {
            Invalid::TooLarge(_) => too_large(err.to_string()),
            Invalid::Missing(_) => ApiError::new(StatusCode::BAD_REQUEST, "missing_field", err.to_string()),
            Invalid::UnsupportedType(_) => ApiError::unprocessable("unsupported_event_type", err.to_string()),
            Invalid::NotAnObject | Invalid::Field { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", err.to_string())
            }
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        match err {
            IngestError::Conflict(_) => ApiError::conflict("event_conflict", err.to_string()),
            IngestError::Contended => ApiError::unavailable(err.to_string()),
            IngestError::Store(err) => err.into(),
        }
    }
}

impl From<GetEventError> for ApiError {
    fn from(err: GetEventError) -> Self {
        match err {
            GetEventError::NotFound(_) => ApiError::not_found("event_not_found", err.to_string()),
            GetEventError::Store(err) => err.into(),
        }
    }
}

/// The body as JSON: one event, or `{"events": [...]}`.
enum Body {
    One(Value),
    Batch(Vec<Value>),
}

fn parse_body(bytes: &[u8]) -> Result<Body, ApiError> {
    if bytes.len() > MAX_BATCH_BYTES {
        return Err(too_large(format!("request body is {} bytes; the limit is {MAX_BATCH_BYTES}", bytes.len())));
    }
    let malformed = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("request body is empty; expected a JSON object".into()));
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| malformed(format!("request body is not valid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(malformed("request body must be a JSON object (an event or {\"events\": [...]})".into()));
    };
    match map.remove("events") {
        None => Ok(Body::One(Value::Object(map))),
        Some(Value::Array(events)) if events.len() <= MAX_BATCH_EVENTS => Ok(Body::Batch(events)),
        Some(Value::Array(events)) => Err(ApiError::invalid_field(
            "events",
            format!("holds {} events; a batch holds at most {MAX_BATCH_EVENTS}", events.len()),
        )),
        Some(_) => Err(ApiError::invalid_field("events", "must be an array of events")),
    }
}

#[derive(Serialize)]
struct Outcome1<'a> {
    event_id: &'a str,
    status: &'static str,
}

fn status(ingested: Ingested) -> &'static str {
    match ingested {
        Ingested::Created => "created",
        Ingested::Duplicate => "duplicate",
    }
}

/// POST /analytics/v1/events (ingest, admin): one event (201 created, 200 duplicate, 409
/// conflict) or a batch of up to 100 (200 with each event's result in input order, each event
/// standing alone). If the database fails for any event of a batch, the batch is a 503: every
/// event is safe to send again (the stored ones come back as duplicates).
pub async fn ingest(app: &App, req: Request) -> Outcome {
    let _caller = app.auth.caller(routes::ROUTES, &req).await?;
    match parse_body(req.body().as_ref())? {
        Body::One(value) => {
            let event = Event::from_json(&value)?;
            let ingested = ops::ingest_now(app, &event).await?;
            let body = Outcome1 { event_id: &event.event_id, status: status(ingested) };
            match ingested {
                Ingested::Created => http::created(&body),
                Ingested::Duplicate => http::ok(&body),
            }
        }
        Body::Batch(values) => {
            let received_at = time::now();
            let results: Vec<Result<Value, ApiError>> = stream::iter(values)
                .map(|value| async move {
                    let event_id = value.get("event_id").and_then(Value::as_str).map(str::to_owned);
                    let rejected = |err: ApiError| {
                        json!({"event_id": event_id, "status": "rejected",
                            "error": {"code": err.code, "message": err.message}})
                    };
                    let event = match Event::from_json(&value) {
                        Ok(event) => event,
                        Err(invalid) => return Ok(rejected(invalid.into())),
                    };
                    match ops::ingest(app, &event, received_at).await {
                        Ok(ingested) => Ok(json!({"event_id": event.event_id, "status": status(ingested)})),
                        Err(err @ IngestError::Conflict(_)) => {
                            let err = ApiError::from(err);
                            Ok(json!({"event_id": event.event_id, "status": "conflict",
                                "error": {"code": err.code, "message": err.message}}))
                        }
                        Err(err) => Err(err.into()),
                    }
                })
                .buffered(EVENTS_IN_FLIGHT)
                .collect()
                .await;
            let results = results.into_iter().collect::<Result<Vec<_>, _>>()?;
            http::ok(&json!({"results": results}))
        }
    }
}

/// An event as `GET /events/{id}` shows it: as sent, with `occurred_at` (when it happened, the
/// time of receipt if it did not say) and `received_at`.
pub fn event_view(stored: &StoredEvent) -> Value {
    let mut event: Map<String, Value> = serde_json::from_str(&stored.body).unwrap_or_default();
    event.insert("occurred_at".into(), json!(time::format(stored.occurred_at)));
    event.insert("received_at".into(), json!(time::format(stored.received_at)));
    Value::Object(event)
}

/// GET /analytics/v1/events/{event_id} (analyst, admin)
pub async fn get_event(app: &App, req: Request) -> Outcome {
    let _caller = app.auth.caller(routes::ROUTES, &req).await?;
    let stored = ops::get(app, &http::path_param(&req, "event_id")?).await?;
    http::ok(&event_view(&stored))
}

/// ANY /analytics/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(routes::ROUTES, &req))
}
