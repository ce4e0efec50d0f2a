//! The HTTP endpoints (API Gateway): check the caller, parse the request, call the op, answer
//! with the contract's JSON. The serve wrapper has applied the route's rule from
//! [`routes::ROUTES`] (401 without a valid token, 403 outside the route's groups) before a
//! handler runs.

use futures::{StreamExt, stream};
use lambda_http::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value, json};
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, Request},
    time,
};

use crate::{
    App,
    domain::{DateRange, Event, Invalid, RangeError, event::province_key, money::decimal, range},
    ops::{self, GetEventError, IngestError, Ingested},
    queries::{self, Consent, Position},
    routes,
    store::{Reads, StoredEvent, Totals},
};

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
            Invalid::Missing(_) => ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", err.to_string()),
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
pub async fn ingest(app: &App, _caller: Caller, req: Request) -> Outcome {
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
pub async fn get_event(app: &App, _caller: Caller, req: Request) -> Outcome {
    let stored = ops::get(app, &http::path_param(&req, "event_id")?).await?;
    http::ok(&event_view(&stored))
}

/// ANY /analytics/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

impl From<RangeError> for ApiError {
    fn from(err: RangeError) -> Self {
        match &err {
            RangeError::Missing(name) => ApiError::missing_field(name).with_message(err.to_string()),
            RangeError::NotADate(name, _) => ApiError::invalid_field(name, "").with_message(err.to_string()),
            RangeError::Reversed(..) => ApiError::invalid_field("start_date", "").with_message(err.to_string()),
            RangeError::TooLong(_) => ApiError::unprocessable("range_too_long", err.to_string()),
        }
    }
}

fn date_range(req: &Request) -> Result<DateRange, ApiError> {
    Ok(DateRange::parse(
        http::query_param(req, "start_date").as_deref(),
        http::query_param(req, "end_date").as_deref(),
    )?)
}

/// `currency`: three capital letters, `USD` without it.
fn currency_param(req: &Request) -> Result<String, ApiError> {
    let currency = http::query_param(req, "currency").unwrap_or_else(|| "USD".to_owned());
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::invalid_field("currency", "must be an ISO 4217 code (three capital letters)"));
    }
    Ok(currency)
}

fn money(micros: i128) -> Value {
    Value::Number(decimal(micros))
}

fn log_reads(query: &str, reads: Reads) {
    tracing::info!(query, items = reads.items, pages = reads.pages, "rollups read");
}

/// GET /analytics/v1/customers/top (analyst, admin): `count` (1–100, 5) customers by order
/// value over the range, ties by `customer_id`; `accepts_marketing` (`true`, `false`, `any`;
/// `true` without it) counts only the orders whose buyer gave (or did not give) consent.
pub async fn top_customers(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let currency = currency_param(&req)?;
    let count = match http::query_param(&req, "count") {
        None => 5,
        Some(raw) => raw.trim().parse::<usize>().ok().filter(|c| (1..=100).contains(c)).ok_or_else(|| {
            ApiError::invalid_field("count", format!("must be an integer from 1 to 100, got {raw:?}"))
        })?,
    };
    let consent = match http::query_param(&req, "accepts_marketing").as_deref() {
        None | Some("true") => Consent::Yes,
        Some("false") => Consent::No,
        Some("any") => Consent::Any,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "accepts_marketing",
                format!("must be true, false or any, got {:?}", other.chars().take(40).collect::<String>()),
            ));
        }
    };
    let (customers, reads) = queries::top_customers(app, &currency, &range, count, consent).await?;
    log_reads("top_customers", reads);
    let customers: Vec<Value> = customers
        .into_iter()
        .map(|c| {
            json!({"customer_id": c.customer_id, "email": c.email, "first_name": c.first_name,
                "last_name": c.last_name, "order_count": c.totals.count as u64, "order_value": money(c.totals.value)})
        })
        .collect();
    http::ok(&json!({"currency": currency, "customers": customers}))
}

/// GET /analytics/v1/orders/value (analyst, admin): `mode=DAY` (without `mode`) every day of the
/// range with its orders and value, zeros included; `mode=TOTAL` their sum.
pub async fn order_value(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let currency = currency_param(&req)?;
    let total = match http::query_param(&req, "mode").as_deref() {
        None | Some("DAY") => false,
        Some("TOTAL") => true,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "mode",
                format!("must be DAY or TOTAL, got {:?}", other.chars().take(40).collect::<String>()),
            ));
        }
    };
    let (days, reads) = queries::order_value_by_day(app, &currency, &range).await?;
    log_reads("order_value", reads);
    if total {
        let (count, value) = days.iter().fold((0, 0), |(c, v), (_, t)| (c + t.count, v + t.value));
        return http::ok(&json!({"currency": currency, "order_count": count as u64, "order_value": money(value)}));
    }
    let days: Vec<Value> = days
        .into_iter()
        .map(|(date, t)| json!({"date": date, "order_count": t.count as u64, "order_value": money(t.value)}))
        .collect();
    http::ok(&json!({"currency": currency, "days": days}))
}

/// GET /analytics/v1/sales/province (analyst, admin): with `province` (matched trimmed, any
/// case) its orders, value and quantities per line item id, largest first; without it every
/// province, largest value first.
pub async fn sales_by_province(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let currency = currency_param(&req)?;
    let province = http::query_param(&req, "province").map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    if province.as_ref().is_some_and(|p| p.chars().count() > crate::domain::event::MAX_STRING_CHARS) {
        return Err(ApiError::invalid_field("province", "is longer than 256 characters"));
    }
    let key = province.as_deref().map(province_key);
    let (sales, reads) = queries::province_sales(app, &currency, &range, key.as_deref()).await?;
    log_reads("sales_by_province", reads);
    match province {
        Some(asked) => {
            let one = sales.into_iter().next();
            let (shown, totals, items) = match one {
                Some(s) => (s.province, s.totals, s.items),
                None => (asked, Totals::default(), vec![]),
            };
            let items: Vec<Value> =
                items.into_iter().map(|(id, q)| json!({"item_id": id, "quantity": q as u64})).collect();
            http::ok(&json!({"province": shown, "currency": currency, "order_count": totals.count as u64,
                "order_value": money(totals.value), "items": items}))
        }
        None => {
            let provinces: Vec<Value> = sales
                .into_iter()
                .map(|s| {
                    json!({"province": s.province, "order_count": s.totals.count as u64,
                        "order_value": money(s.totals.value), "quantity": s.quantity as u64})
                })
                .collect();
            http::ok(&json!({"currency": currency, "provinces": provinces}))
        }
    }
}

/// The event listing's name in its cursors.
const EVENTS_LISTING: &str = "analytics.events";

/// A page of the event listing: the range, so that a cursor only continues the listing it came
/// from, and where the page starts.
#[derive(Serialize, serde::Deserialize)]
struct Page {
    start: String,
    end: String,
    at: Position,
}

/// GET /analytics/v1/events (analyst, admin): the range's events by `occurred_at`, `limit`
/// (1–500, 100) at a time, with `next_cursor` while there may be more.
pub async fn list_events(app: &App, _caller: Caller, req: Request) -> Outcome {
    let cursors = Cursors::configured(app.cursors.as_ref())?;
    let range = date_range(&req)?;
    let limit = http::limit_param(&req, 100, 500)?;
    let (start, end) = (range::key(range.start), range::key(range.end));
    let from = match http::query_param(&req, "cursor") {
        None => None,
        Some(cursor) => {
            let page: Page = cursors.read(EVENTS_LISTING, &cursor)?;
            if page.start != start || page.end != end || page.at.date < start || page.at.date > end {
                return Err(ApiError::invalid_field("cursor", "belongs to another range; start again without one"));
            }
            Some(page.at)
        }
    };
    let (events, next, reads) = queries::list_events(app, &range, from, limit).await?;
    log_reads("list_events", reads);
    let mut body = json!({"events": events.iter().map(event_view).collect::<Vec<_>>()});
    if let Some(at) = next {
        body["next_cursor"] = json!(cursors.issue(EVENTS_LISTING, &Page { start, end, at }));
    }
    http::ok(&body)
}
