//! The HTTP endpoints (API Gateway): parse the request, call the op, answer with the contract's
//! JSON through the typed views of [`super::views`]. The serve wrapper has applied the route's
//! rule from [`routes::ROUTES`] (401 without a valid token, 403 outside the route's groups) before
//! a handler runs. Each op's error enum becomes the contract's status and code here, in one
//! `From` per enum.

use futures::{StreamExt, stream};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
    time,
};

use super::views::{
    BatchView, DaysView, EventView, EventsView, IngestResult, ProvinceDetailView, ProvincesView, Status,
    TopCustomersView, TotalView,
};
use crate::{
    App,
    domain::{
        Consent, Currency, DateRange, Event, Invalid, ProvinceSales, RangeError,
        event::{MAX_STRING_CHARS, province_key},
    },
    ops::{self, GetEventError, IngestError, Ingested, ListEventsError, Mark},
    routes,
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

impl From<ListEventsError> for ApiError {
    fn from(err: ListEventsError) -> Self {
        match err {
            ListEventsError::OtherRange => ApiError::invalid_field("cursor", err),
            ListEventsError::Store(err) => err.into(),
        }
    }
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

/// One event of a batch: its result, or the error that fails the whole batch (the database).
async fn ingest_one(app: &App, value: Value, received_at: time::Timestamp) -> Result<IngestResult, ApiError> {
    let event = match Event::from_json(&value) {
        Ok(event) => event,
        Err(invalid) => {
            let event_id = value.get("event_id").and_then(Value::as_str).map(str::to_owned);
            return Ok(IngestResult::refused(event_id, Status::Rejected, invalid.into()));
        }
    };
    match ops::ingest(&app.store, &event, received_at).await {
        Ok(ingested) => Ok(IngestResult::done(&event.event_id, ingested)),
        Err(err @ IngestError::Conflict(_)) => {
            Ok(IngestResult::refused(Some(event.event_id), Status::Conflict, err.into()))
        }
        Err(err) => Err(err.into()),
    }
}

/// POST /analytics/v1/events (ingest, admin): one event (201 created, 200 duplicate, 409
/// conflict) or a batch of up to 100 (200 with each event's result in input order, each event
/// standing alone). If the database fails for any event of a batch, the batch is a 503: every
/// event is safe to send again (the stored ones come back as duplicates).
pub async fn ingest(app: &App, caller: Caller, req: Request) -> Outcome {
    // A request the service works on spends the caller's quota (one that is refused as a whole,
    // a malformed body or an invalid lone event, does not).
    match parse_body(req.body().as_ref())? {
        Body::One(value) => {
            let event = Event::from_json(&value)?;
            app.quota.spend(&caller.sub, time::now()).await?;
            let ingested = ops::ingest_now(&app.store, &event).await?;
            let body = IngestResult::done(&event.event_id, ingested);
            match ingested {
                Ingested::Created => http::created(&body),
                Ingested::Duplicate => http::ok(&body),
            }
        }
        Body::Batch(values) => {
            app.quota.spend(&caller.sub, time::now()).await?;
            let received_at = time::now();
            let results: Vec<Result<IngestResult, ApiError>> = stream::iter(values)
                .map(|value| ingest_one(app, value, received_at))
                .buffered(EVENTS_IN_FLIGHT)
                .collect()
                .await;
            http::ok(&BatchView { results: results.into_iter().collect::<Result<_, _>>()? })
        }
    }
}

/// GET /analytics/v1/events/{event_id} (analyst, admin)
pub async fn get_event(app: &App, _caller: Caller, req: Request) -> Outcome {
    let stored = ops::get(&app.store, &http::path_param(&req, "event_id")?).await?;
    http::ok(&EventView::from(&stored))
}

/// ANY /analytics/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

/// `start_date` and `end_date`, which every query takes. They are read on their own and first,
/// so that a bad range stays the error of a request with several bad parameters.
#[derive(Deserialize)]
struct RangeQuery {
    start_date: Option<String>,
    end_date: Option<String>,
}

fn date_range(req: &Request) -> Result<DateRange, ApiError> {
    let query: RangeQuery = http::parse_query(req)?;
    Ok(DateRange::parse(query.start_date.as_deref(), query.end_date.as_deref())?)
}

/// A parameter that takes one of the values serde names for `T` (its renames are the one table
/// of them); anything else is refused with [`Choices::CHOICES`].
struct OneOf<T>(T);

trait Choices: DeserializeOwned + Default {
    /// The values, as the refusal lists them.
    const CHOICES: &'static str;
}

impl<T: Choices> Default for OneOf<T> {
    fn default() -> Self {
        Self(T::default())
    }
}

impl<'de, T: Choices> Deserialize<'de> for OneOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IntoDeserializer, value};
        let raw = String::deserialize(deserializer)?;
        T::deserialize(IntoDeserializer::<value::Error>::into_deserializer(raw.as_str())).map(OneOf).map_err(|_| {
            D::Error::custom(format!("must be {}, got {:?}", T::CHOICES, raw.chars().take(40).collect::<String>()))
        })
    }
}

impl Choices for Consent {
    const CHOICES: &'static str = "true, false or any";
}

/// `mode` of `GET /orders/value`: every day of the range, or their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum Mode {
    #[default]
    Day,
    Total,
}

impl Choices for Mode {
    const CHOICES: &'static str = "DAY or TOTAL";
}

/// `count` of `GET /customers/top`: 1 to 100, 5 without it.
struct Count(usize);

impl Default for Count {
    fn default() -> Self {
        Self(5)
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.trim()
            .parse::<usize>()
            .ok()
            .filter(|c| (1..=100).contains(c))
            .map(Count)
            .ok_or_else(|| serde::de::Error::custom(format!("must be an integer from 1 to 100, got {raw:?}")))
    }
}

#[derive(Deserialize)]
struct TopCustomersQuery {
    /// Three capital letters, `USD` without it.
    #[serde(default = "Currency::usd")]
    currency: Currency,
    #[serde(default)]
    count: Count,
    #[serde(default)]
    accepts_marketing: OneOf<Consent>,
}

/// GET /analytics/v1/customers/top (analyst, admin): `count` (1–100, 5) customers by order
/// value over the range, ties by `customer_id`; `accepts_marketing` (`true`, `false`, `any`;
/// `true` without it) counts only the orders whose buyer gave (or did not give) consent.
pub async fn top_customers(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let query: TopCustomersQuery = http::parse_query(&req)?;
    let OneOf(consent) = query.accepts_marketing;
    let (customers, _) = ops::top_customers(&app.store, &query.currency, &range, query.count.0, consent).await?;
    http::ok(&TopCustomersView {
        currency: &query.currency,
        customers: customers.into_iter().map(Into::into).collect(),
    })
}

#[derive(Deserialize)]
struct OrderValueQuery {
    /// Three capital letters, `USD` without it.
    #[serde(default = "Currency::usd")]
    currency: Currency,
    #[serde(default)]
    mode: OneOf<Mode>,
}

/// GET /analytics/v1/orders/value (analyst, admin): `mode=DAY` (without `mode`) every day of the
/// range with its orders and value, zeros included; `mode=TOTAL` their sum.
pub async fn order_value(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let query: OrderValueQuery = http::parse_query(&req)?;
    let currency = &query.currency;
    match query.mode.0 {
        Mode::Total => {
            let (totals, _) = ops::order_value_total(&app.store, currency, &range).await?;
            http::ok(&TotalView { currency, totals: totals.into() })
        }
        Mode::Day => {
            let (days, _) = ops::order_value_by_day(&app.store, currency, &range).await?;
            http::ok(&DaysView { currency, days: days.into_iter().map(Into::into).collect() })
        }
    }
}

#[derive(Deserialize)]
struct SalesQuery {
    /// Three capital letters, `USD` without it.
    #[serde(default = "Currency::usd")]
    currency: Currency,
    /// Matched trimmed, any case; blank is absent.
    province: Option<String>,
}

/// GET /analytics/v1/sales/province (analyst, admin): with `province` (matched trimmed, any
/// case) its orders, value and quantities per line item id, largest first; without it every
/// province, largest value first.
pub async fn sales_by_province(app: &App, _caller: Caller, req: Request) -> Outcome {
    let range = date_range(&req)?;
    let query: SalesQuery = http::parse_query(&req)?;
    let currency = &query.currency;
    let province = query.province.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    if province.as_ref().is_some_and(|p| p.chars().count() > MAX_STRING_CHARS) {
        return Err(ApiError::invalid_field("province", "is longer than 256 characters"));
    }
    let key = province.as_deref().map(province_key);
    let (sales, _) = ops::province_sales(&app.store, currency, &range, key.as_deref()).await?;
    match province {
        Some(asked) => {
            let one = sales.into_iter().next().unwrap_or_else(|| ProvinceSales::none(asked));
            http::ok(&ProvinceDetailView::new(currency, one))
        }
        None => http::ok(&ProvincesView { currency, provinces: sales.into_iter().map(Into::into).collect() }),
    }
}

/// The event listing's name in its cursors.
const EVENTS_LISTING: &str = "analytics.events";

/// GET /analytics/v1/events (analyst, admin): the range's events by `occurred_at`, `limit`
/// (1–500, 100) at a time, with `next_cursor` while there may be more.
pub async fn list_events(app: &App, _caller: Caller, req: Request) -> Outcome {
    let cursors = Cursors::configured(app.cursors.as_ref())?;
    let range = date_range(&req)?;
    let page_query: PageQuery = http::parse_query(&req)?;
    let limit = page_query.limit(100, 500)?;
    let from = cursors.start::<Mark>(EVENTS_LISTING, page_query.cursor.as_deref())?;
    let page = ops::list(&app.store, &range, from, limit).await?;
    http::ok(&EventsView {
        events: page.items.iter().map(EventView::from).collect(),
        next_cursor: cursors.next(EVENTS_LISTING, page.next.as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use lambda_http::RequestExt;

    use super::*;

    fn with_query(pairs: &[(&str, &str)]) -> Request {
        let params: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Request::default().with_query_string_parameters(params)
    }

    fn refusal<T: DeserializeOwned>(pairs: &[(&str, &str)]) -> String {
        let err = http::parse_query::<T>(&with_query(pairs)).err().expect("refused");
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::BAD_REQUEST, "invalid_field"));
        err.message
    }

    #[test]
    fn query_parameters_are_typed_with_their_defaults() {
        let q: TopCustomersQuery = http::parse_query(&with_query(&[("count", ""), ("other", "x")])).unwrap();
        assert_eq!((q.currency.as_str(), q.count.0, q.accepts_marketing.0), ("USD", 5, Consent::Yes));
        let q: TopCustomersQuery =
            http::parse_query(&with_query(&[("currency", "EUR"), ("count", " 100 "), ("accepts_marketing", "any")]))
                .unwrap();
        assert_eq!((q.currency.as_str(), q.count.0, q.accepts_marketing.0), ("EUR", 100, Consent::Any));
        let q: OrderValueQuery = http::parse_query(&with_query(&[])).unwrap();
        assert_eq!(q.mode.0, Mode::Day);
        let q: OrderValueQuery = http::parse_query(&with_query(&[("mode", "TOTAL")])).unwrap();
        assert_eq!(q.mode.0, Mode::Total);
    }

    #[test]
    fn bad_query_parameters_keep_their_messages() {
        assert_eq!(refusal::<OrderValueQuery>(&[("mode", "WEEK")]), r#"`mode` must be DAY or TOTAL, got "WEEK""#);
        assert_eq!(
            refusal::<TopCustomersQuery>(&[("accepts_marketing", "maybe")]),
            r#"`accepts_marketing` must be true, false or any, got "maybe""#
        );
        assert_eq!(
            refusal::<TopCustomersQuery>(&[("count", "0")]),
            r#"`count` must be an integer from 1 to 100, got "0""#
        );
        assert_eq!(
            refusal::<SalesQuery>(&[("currency", "usd")]),
            "`currency` must be an ISO 4217 code (three capital letters)"
        );
        let err = date_range(&with_query(&[("end_date", "2020-09-01")])).unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.message.as_str()),
            ("invalid_field", "missing query parameter `start_date`")
        );
        let err = date_range(&with_query(&[("start_date", "2020-01-01"), ("end_date", "2021-01-02")])).unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (StatusCode::UNPROCESSABLE_ENTITY, "range_too_long"));
    }
}
