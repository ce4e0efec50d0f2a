//! The canned queries: each reads rollups only (one `Query` per rollup partition of the range),
//! never raw events, except the event listing, which is a paginated read of the events by day.

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use shared::dynamo::StoreError;

use crate::{
    App,
    domain::{DateRange, range},
    store::{CustomerDay, ProvincePart, Reads, StoredEvent, Totals},
};

/// Per-day `Query`s in flight at once.
const DAYS_IN_FLIGHT: usize = 8;

/// Whose orders top customers ranks: those whose buyer accepted marketing, those who did not, or
/// all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Yes,
    No,
    Any,
}

/// A customer's orders over a range, with their latest name and email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedCustomer {
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub totals: Totals,
}

/// Runs `read` for every day of the range, a few at a time, in day order.
async fn each_day<T, F, Fut>(range: &DateRange, read: F) -> Result<(Vec<T>, Reads), StoreError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<(T, Reads), StoreError>>,
{
    let results: Vec<(T, Reads)> =
        stream::iter(range.days().map(range::key)).map(read).buffered(DAYS_IN_FLIGHT).try_collect().await?;
    let mut reads = Reads::default();
    let values = results
        .into_iter()
        .map(|(value, r)| {
            reads.items += r.items;
            reads.pages += r.pages;
            value
        })
        .collect();
    Ok((values, reads))
}

fn add(a: Totals, b: Totals) -> Totals {
    Totals { count: a.count + b.count, value: a.value + b.value }
}

/// The `count` customers with the highest order value over the range in `currency`, ties by
/// `customer_id`; orders filtered by the buyer's marketing consent.
pub async fn top_customers(
    app: &App,
    currency: &str,
    range: &DateRange,
    count: usize,
    consent: Consent,
) -> Result<(Vec<RankedCustomer>, Reads), StoreError> {
    let (days, reads) = each_day(range, |date| async move {
        let mut reads = Reads::default();
        let customers = app.store.customer_days(currency, &date, &mut reads).await?;
        Ok((customers, reads))
    })
    .await?;
    Ok((rank_customers(days, count, consent), reads))
}

/// Sums the customers' days (in day order: the latest name and email win) and ranks them.
pub fn rank_customers(days: Vec<Vec<CustomerDay>>, count: usize, consent: Consent) -> Vec<RankedCustomer> {
    let mut customers: BTreeMap<String, RankedCustomer> = BTreeMap::new();
    for day in days {
        for c in day {
            let totals = match consent {
                Consent::Yes => c.marketing,
                Consent::No => {
                    Totals { count: c.all.count - c.marketing.count, value: c.all.value - c.marketing.value }
                }
                Consent::Any => c.all,
            };
            if totals.count == 0 {
                continue;
            }
            let entry = customers.entry(c.customer_id.clone()).or_insert_with(|| RankedCustomer {
                customer_id: c.customer_id.clone(),
                email: None,
                first_name: None,
                last_name: None,
                totals: Totals::default(),
            });
            entry.totals = add(entry.totals, totals);
            entry.email = c.email.or(entry.email.take());
            entry.first_name = c.first_name.or(entry.first_name.take());
            entry.last_name = c.last_name.or(entry.last_name.take());
        }
    }
    let mut ranked: Vec<RankedCustomer> = customers.into_values().collect();
    ranked.sort_by(|a, b| b.totals.value.cmp(&a.totals.value).then_with(|| a.customer_id.cmp(&b.customer_id)));
    ranked.truncate(count);
    ranked
}

/// Every day of the range with its orders and value in `currency`, zeros included: one `Query`
/// of the currency's day rollups, whatever the number of events.
pub async fn order_value_by_day(
    app: &App,
    currency: &str,
    range: &DateRange,
) -> Result<(Vec<(String, Totals)>, Reads), StoreError> {
    let mut reads = Reads::default();
    let found: BTreeMap<String, Totals> = app
        .store
        .days(currency, &range::key(range.start), &range::key(range.end), &mut reads)
        .await?
        .into_iter()
        .collect();
    let days = range
        .days()
        .map(range::key)
        .map(|date| (date.clone(), found.get(&date).copied().unwrap_or_default()))
        .collect();
    Ok((days, reads))
}

/// A province's sales over a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceSales {
    /// As the latest event spelled it.
    pub province: String,
    pub totals: Totals,
    pub quantity: i128,
    /// Quantity per line item id, largest first, ties by id.
    pub items: Vec<(String, i128)>,
}

/// Sales per province over the range in `currency` (only `province`'s, by its key, if given),
/// largest value first, ties by province.
pub async fn province_sales(
    app: &App,
    currency: &str,
    range: &DateRange,
    province: Option<&str>,
) -> Result<(Vec<ProvinceSales>, Reads), StoreError> {
    let (days, reads) = each_day(range, |date| async move {
        let mut reads = Reads::default();
        let parts = app.store.province_parts(currency, &date, province, &mut reads).await?;
        Ok((parts, reads))
    })
    .await?;
    Ok((sum_provinces(days), reads))
}

pub fn sum_provinces(days: Vec<Vec<ProvincePart>>) -> Vec<ProvinceSales> {
    let mut provinces: BTreeMap<String, (ProvinceSales, BTreeMap<String, i128>)> = BTreeMap::new();
    for part in days.into_iter().flatten() {
        let (sales, items) = provinces.entry(part.key.clone()).or_insert_with(|| {
            let sales =
                ProvinceSales { province: part.shown.clone(), totals: Totals::default(), quantity: 0, items: vec![] };
            (sales, BTreeMap::new())
        });
        sales.province = part.shown;
        sales.totals = add(sales.totals, part.totals);
        sales.quantity += part.quantity;
        for (id, quantity) in part.items {
            *items.entry(id).or_default() += quantity;
        }
    }
    let mut sales: Vec<ProvinceSales> = provinces
        .into_iter()
        .map(|(_, (mut sales, items))| {
            sales.items = items.into_iter().collect();
            sales.items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            sales
        })
        .collect();
    sales.sort_by(|a, b| b.totals.value.cmp(&a.totals.value).then_with(|| a.province.cmp(&b.province)));
    sales
}

/// Where a page of the event listing starts: a day, and the index position after which it goes
/// on (none: the day's first event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub date: String,
    pub after: Option<String>,
}

/// Up to `limit` events of the range by `occurred_at`, from `from` (the range's start without
/// it), and where the next page starts if there may be one.
pub async fn list_events(
    app: &App,
    range: &DateRange,
    from: Option<Position>,
    limit: usize,
) -> Result<(Vec<StoredEvent>, Option<Position>, Reads), StoreError> {
    let mut reads = Reads::default();
    let mut events = Vec::new();
    let start = from.as_ref().map_or_else(|| range::key(range.start), |p| p.date.clone());
    let mut after = from.and_then(|p| p.after);
    let days: Vec<String> = range.days().map(range::key).filter(|d| *d >= start).collect();
    for (i, date) in days.iter().enumerate() {
        let (found, last) = app.store.events_of_day(date, after.as_deref(), limit - events.len(), &mut reads).await?;
        events.extend(found);
        after = None;
        if events.len() == limit {
            let next = match last {
                Some(last) => Some(Position { date: date.clone(), after: Some(last) }),
                None => days.get(i + 1).map(|next| Position { date: next.clone(), after: None }),
            };
            return Ok((events, next, reads));
        }
    }
    Ok((events, None, reads))
}
