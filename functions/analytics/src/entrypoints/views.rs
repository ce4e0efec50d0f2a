//! The answers' bodies, one typed view per shape the contract fixes: built from domain values,
//! never the stored items themselves. Counts are JSON integers and money exact decimals
//! ([`MicrosSum`]).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use shared::{http::ApiError, money::MicrosSum, time};

use crate::{
    domain::{Currency, ProvinceSales, RankedCustomer, StoredEvent, Totals},
    ops::Ingested,
};

/// What became of one event posted (alone, or in a batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Created,
    Duplicate,
    /// Another event is stored under its id (batches only; alone it is a 409).
    Conflict,
    /// Not a valid event (batches only; alone it is a 4xx).
    Rejected,
}

impl From<Ingested> for Status {
    fn from(ingested: Ingested) -> Self {
        match ingested {
            Ingested::Created => Status::Created,
            Ingested::Duplicate => Status::Duplicate,
        }
    }
}

/// The contract's error object, inside a batch's result.
#[derive(Debug, Serialize)]
pub struct ErrorView {
    code: String,
    message: String,
}

/// One event's result: `{"event_id", "status"}`, with `error` when it was refused. A refused
/// event's id is `null` if it had none that was a string.
#[derive(Debug, Serialize)]
pub struct IngestResult {
    event_id: Option<String>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorView>,
}

impl IngestResult {
    pub fn done(event_id: &str, ingested: Ingested) -> Self {
        Self { event_id: Some(event_id.to_owned()), status: ingested.into(), error: None }
    }

    pub fn refused(event_id: Option<String>, status: Status, err: ApiError) -> Self {
        let error = ErrorView { code: err.code.into_owned(), message: err.message };
        Self { event_id, status, error: Some(error) }
    }
}

/// A batch's answer: each event's result, in input order.
#[derive(Debug, Serialize)]
pub struct BatchView {
    pub results: Vec<IngestResult>,
}

/// The fields the event view sets itself, whatever the event sent under those names.
const TIMES: [&str; 2] = ["occurred_at", "received_at"];

/// The event's JSON as sent, without [`TIMES`].
struct AsSent(Map<String, Value>);

impl Serialize for AsSent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().filter(|(name, _)| !TIMES.contains(&name.as_str())))
    }
}

/// An event as `GET /events/{id}` and the listing show it: as sent, with `occurred_at` (when it
/// happened, the time of receipt if it did not say) and `received_at`.
#[derive(Serialize)]
pub struct EventView {
    #[serde(flatten)]
    sent: AsSent,
    occurred_at: String,
    received_at: String,
}

impl From<&StoredEvent> for EventView {
    fn from(stored: &StoredEvent) -> Self {
        Self {
            sent: AsSent(stored.sent()),
            occurred_at: time::format(stored.occurred_at),
            received_at: time::format(stored.received_at),
        }
    }
}

/// A page of the event listing; `next_cursor` while there may be more.
#[derive(Serialize)]
pub struct EventsView {
    pub events: Vec<EventView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Orders and their value, as every query answers them.
#[derive(Debug, Serialize)]
pub struct TotalsView {
    order_count: u64,
    order_value: MicrosSum,
}

impl From<Totals> for TotalsView {
    fn from(totals: Totals) -> Self {
        Self { order_count: totals.count as u64, order_value: totals.value }
    }
}

#[derive(Serialize)]
pub struct CustomerView {
    customer_id: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    #[serde(flatten)]
    totals: TotalsView,
}

impl From<RankedCustomer> for CustomerView {
    fn from(c: RankedCustomer) -> Self {
        Self {
            customer_id: c.customer_id,
            email: c.email,
            first_name: c.first_name,
            last_name: c.last_name,
            totals: c.totals.into(),
        }
    }
}

/// `GET /customers/top`.
#[derive(Serialize)]
pub struct TopCustomersView<'a> {
    pub currency: &'a Currency,
    pub customers: Vec<CustomerView>,
}

#[derive(Serialize)]
pub struct DayView {
    date: String,
    #[serde(flatten)]
    totals: TotalsView,
}

impl From<(String, Totals)> for DayView {
    fn from((date, totals): (String, Totals)) -> Self {
        Self { date, totals: totals.into() }
    }
}

/// `GET /orders/value?mode=DAY`: every day of the range.
#[derive(Serialize)]
pub struct DaysView<'a> {
    pub currency: &'a Currency,
    pub days: Vec<DayView>,
}

/// `GET /orders/value?mode=TOTAL`: the range's sum.
#[derive(Serialize)]
pub struct TotalView<'a> {
    pub currency: &'a Currency,
    #[serde(flatten)]
    pub totals: TotalsView,
}

#[derive(Serialize)]
pub struct ProvinceView {
    province: String,
    #[serde(flatten)]
    totals: TotalsView,
    quantity: u64,
}

impl From<ProvinceSales> for ProvinceView {
    fn from(s: ProvinceSales) -> Self {
        Self { province: s.province, totals: s.totals.into(), quantity: s.quantity as u64 }
    }
}

/// `GET /sales/province` without `province`: every province, largest value first.
#[derive(Serialize)]
pub struct ProvincesView<'a> {
    pub currency: &'a Currency,
    pub provinces: Vec<ProvinceView>,
}

#[derive(Serialize)]
pub struct ItemView {
    item_id: String,
    quantity: u64,
}

/// `GET /sales/province?province=...`: one province with its quantities per line item id.
#[derive(Serialize)]
pub struct ProvinceDetailView<'a> {
    province: String,
    currency: &'a Currency,
    #[serde(flatten)]
    totals: TotalsView,
    items: Vec<ItemView>,
}

impl<'a> ProvinceDetailView<'a> {
    pub fn new(currency: &'a Currency, sales: ProvinceSales) -> Self {
        Self {
            province: sales.province,
            currency,
            totals: sales.totals.into(),
            items: sales.items.into_iter().map(|(item_id, q)| ItemView { item_id, quantity: q as u64 }).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_event_view_is_the_event_as_sent_with_its_times() {
        let at = time::parse("2020-09-01T10:00:00Z").unwrap();
        let stored = StoredEvent {
            event_id: "e-1".into(),
            body: r#"{"event_id":"e-1","occurred_at":"2020-09-01T12:00:00+02:00","order_value":"0.1"}"#.into(),
            fingerprint: "f".into(),
            occurred_at: at,
            received_at: time::parse("2020-09-02T00:00:00.5Z").unwrap(),
        };
        let text = serde_json::to_string(&EventView::from(&stored)).unwrap();
        assert_eq!(text.matches("occurred_at").count(), 1, "{text}");
        let view: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            view,
            json!({"event_id": "e-1", "order_value": "0.1", "occurred_at": "2020-09-01T10:00:00Z",
                "received_at": "2020-09-02T00:00:00.500Z"})
        );
    }

    #[test]
    fn results_carry_an_error_only_when_refused() {
        let done = serde_json::to_value(IngestResult::done("e-1", Ingested::Duplicate)).unwrap();
        assert_eq!(done, json!({"event_id": "e-1", "status": "duplicate"}));
        let err = ApiError::conflict("event_conflict", "no");
        let refused = serde_json::to_value(IngestResult::refused(None, Status::Rejected, err)).unwrap();
        assert_eq!(
            refused,
            json!({"event_id": null, "status": "rejected", "error": {"code": "event_conflict", "message": "no"}})
        );
        let totals = serde_json::to_value(TotalsView::from(Totals::new(3, 1_100_000))).unwrap();
        assert_eq!(totals, json!({"order_count": 3, "order_value": 1.1}));
    }
}
