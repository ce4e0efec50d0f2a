//! The answers of the alerts API, one typed view per body: what the contract shows, never the
//! stored item itself (an alert's view has no `owner`; absent optional fields stay absent).

use chrono::NaiveDate;
use serde::Serialize;
use shared::time::Timestamp;

use crate::{
    domain::{
        Alert, Cents, Currency, Frequency, Product, Products, Status,
        alert::{LastRun, NotifyOn},
        insights::{AtLowest, DaySummary, Insights, Lowest, PriceDrop},
    },
    ops::preferences::Preferences,
};

/// An alert as its owner sees it.
#[derive(Debug, Serialize)]
pub struct AlertView<'a> {
    alert_id: &'a str,
    email: &'a str,
    search_phrase: &'a str,
    frequency_minutes: Frequency,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_price: Option<Cents>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_price: Option<Cents>,
    currency: &'a Currency,
    status: Status,
    created_at: Timestamp,
    updated_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_sent_at: Option<Timestamp>,
    next_run_at: Timestamp,
    notify_on: NotifyOn,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_run: Option<LastRun>,
}

impl<'a> From<&'a Alert> for AlertView<'a> {
    fn from(alert: &'a Alert) -> Self {
        Self {
            alert_id: &alert.alert_id,
            email: &alert.email,
            search_phrase: &alert.search_phrase,
            frequency_minutes: alert.frequency_minutes,
            max_price: alert.max_price,
            target_price: alert.target_price,
            currency: &alert.currency,
            status: alert.status,
            created_at: alert.created_at,
            updated_at: alert.updated_at,
            last_sent_at: alert.last_sent_at,
            next_run_at: alert.next_run_at,
            notify_on: alert.notify_on,
            last_run: alert.last_run,
        }
    }
}

/// A page of the caller's alerts.
#[derive(Debug, Serialize)]
pub struct AlertsView<'a> {
    pub alerts: Vec<AlertView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What a deletion answers.
#[derive(Debug, Serialize)]
pub struct DeletedView<'a> {
    pub alert_id: &'a str,
    pub status: &'static str,
}

impl<'a> DeletedView<'a> {
    pub fn of(alert_id: &'a str) -> Self {
        Self { alert_id, status: "deleted" }
    }
}

/// What deleting everything of a user answers.
#[derive(Debug, Serialize)]
pub struct EverythingDeletedView {
    pub deleted: bool,
}

/// A listing.
#[derive(Debug, Serialize)]
pub struct ProductView<'a> {
    item_id: &'a str,
    title: &'a str,
    price: Cents,
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping_cost: Option<Cents>,
    total_price: Cents,
    currency: &'a Currency,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<&'a str>,
    item_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seller: Option<&'a str>,
}

impl<'a> From<&'a Product> for ProductView<'a> {
    fn from(p: &'a Product) -> Self {
        Self {
            item_id: &p.item_id,
            title: &p.title,
            price: p.price,
            shipping_cost: p.shipping_cost,
            total_price: p.total_price,
            currency: &p.currency,
            condition: p.condition.as_deref(),
            image_url: p.image_url.as_deref(),
            item_url: &p.item_url,
            seller: p.seller.as_deref(),
        }
    }
}

/// What the last email of an alert carried; before its first, no listings and no `fetched_at`.
#[derive(Debug, Serialize)]
pub struct ProductsView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fetched_at: Option<Timestamp>,
    products: Vec<ProductView<'a>>,
}

impl<'a> From<Option<&'a Products>> for ProductsView<'a> {
    fn from(products: Option<&'a Products>) -> Self {
        Self {
            fetched_at: products.map(|p| p.fetched_at),
            products: products.map(|p| p.products.iter().map(ProductView::from).collect()).unwrap_or_default(),
        }
    }
}

/// The caller's preferences (`email` is null when neither the profile nor the token has one).
#[derive(Debug, Serialize)]
pub struct PreferencesView<'a> {
    email: Option<&'a str>,
    insights: bool,
}

impl<'a> From<&'a Preferences> for PreferencesView<'a> {
    fn from(p: &'a Preferences) -> Self {
        Self { email: p.email.as_deref(), insights: p.insights }
    }
}

#[derive(Debug, Serialize)]
struct DayView {
    date: NaiveDate,
    listings: usize,
    min_price: Cents,
    median_price: f64,
}

#[derive(Debug, Serialize)]
struct LowestView<'a> {
    item_id: &'a str,
    title: &'a str,
    price: Cents,
    date: NaiveDate,
    item_url: &'a str,
}

#[derive(Debug, Serialize)]
struct PriceDropView<'a> {
    item_id: &'a str,
    title: &'a str,
    from_price: Cents,
    to_price: Cents,
    change_pct: f64,
    item_url: &'a str,
}

#[derive(Debug, Serialize)]
struct AtLowestView<'a> {
    item_id: &'a str,
    title: &'a str,
    price: Cents,
    item_url: &'a str,
}

/// The insights of an alert (`median_change_pct` and `lowest` are null without enough history).
#[derive(Debug, Serialize)]
pub struct InsightsView<'a> {
    search_phrase: &'a str,
    currency: &'a Currency,
    days: Vec<DayView>,
    median_change_pct: Option<f64>,
    lowest: Option<LowestView<'a>>,
    price_drops: Vec<PriceDropView<'a>>,
    at_lowest: Vec<AtLowestView<'a>>,
}

impl<'a> From<&'a Insights> for InsightsView<'a> {
    fn from(i: &'a Insights) -> Self {
        let day = |d: &DaySummary| DayView {
            date: d.date,
            listings: d.listings,
            min_price: d.min_price,
            median_price: d.median_price,
        };
        let lowest = |l: &'a Lowest| LowestView {
            item_id: &l.item_id,
            title: &l.title,
            price: l.price,
            date: l.date,
            item_url: &l.item_url,
        };
        let drop = |d: &'a PriceDrop| PriceDropView {
            item_id: &d.item_id,
            title: &d.title,
            from_price: d.from_price,
            to_price: d.to_price,
            change_pct: d.change_pct,
            item_url: &d.item_url,
        };
        let at_lowest = |a: &'a AtLowest| AtLowestView {
            item_id: &a.item_id,
            title: &a.title,
            price: a.price,
            item_url: &a.item_url,
        };
        Self {
            search_phrase: &i.search_phrase,
            currency: &i.currency,
            days: i.days.iter().map(day).collect(),
            median_change_pct: i.median_change_pct,
            lowest: i.lowest.as_ref().map(lowest),
            price_drops: i.price_drops.iter().map(drop).collect(),
            at_lowest: i.at_lowest.iter().map(at_lowest).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_alert_shows_no_owner_and_no_absent_field() {
        let now = shared::time::parse("2026-11-24T10:00:00Z").unwrap();
        let alert = crate::domain::NewAlert::from_json(&json!({"search_phrase": "lego", "frequency_minutes": 10}))
            .unwrap()
            .into_alert("a1".into(), "owner-sub".into(), "u@example.com".into(), now);
        let view = serde_json::to_value(AlertView::from(&alert)).unwrap();
        let mut stored = serde_json::to_value(&alert).unwrap();
        stored.as_object_mut().unwrap().remove("owner");
        assert_eq!(view, stored, "the alert's fields, less its owner");
        assert!(view.get("max_price").is_none() && view.get("last_sent_at").is_none());
        assert_eq!(serde_json::to_value(ProductsView::from(None)).unwrap(), json!({"products": []}));
    }
}
