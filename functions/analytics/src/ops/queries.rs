//! The canned queries: each reads rollups only (one `Query` per rollup partition of the range),
//! never raw events, and sums them with the pure rules of [`crate::domain::rollup`].

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt, stream};
use shared::dynamo::StoreError;

use crate::{
    domain::{
        Consent, Currency, DateRange, ProvinceSales, RankedCustomer, Totals, range,
        rollup::{rank_customers, sum_provinces},
    },
    store::{Reads, Store},
};

/// Per-day `Query`s in flight at once.
const DAYS_IN_FLIGHT: usize = 8;

fn log_reads(query: &str, reads: Reads) {
    tracing::info!(query, items = reads.items, pages = reads.pages, "rollups read");
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
            reads += r;
            value
        })
        .collect();
    Ok((values, reads))
}

/// The `count` customers with the highest order value over the range in `currency`, ties by
/// `customer_id`; orders filtered by the buyer's marketing consent.
pub async fn top_customers(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
    count: usize,
    consent: Consent,
) -> Result<Vec<RankedCustomer>, StoreError> {
    let (days, reads) = each_day(range, |date| async move {
        let mut reads = Reads::default();
        let customers = store.customer_days(currency.as_str(), &date, &mut reads).await?;
        Ok((customers, reads))
    })
    .await?;
    log_reads("top_customers", reads);
    Ok(rank_customers(days, count, consent))
}

/// Every day of the range with its orders and value in `currency`, zeros included: one `Query`
/// of the currency's day rollups, whatever the number of events.
pub async fn order_value_by_day(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
) -> Result<Vec<(String, Totals)>, StoreError> {
    let mut reads = Reads::default();
    let found: BTreeMap<String, Totals> = store
        .days(currency.as_str(), &range::key(range.start), &range::key(range.end), &mut reads)
        .await?
        .into_iter()
        .collect();
    log_reads("order_value", reads);
    Ok(range.days().map(range::key).map(|date| (date.clone(), found.get(&date).copied().unwrap_or_default())).collect())
}

/// Sales per province over the range in `currency` (only `province`'s, by its key, if given),
/// largest value first, ties by province.
pub async fn province_sales(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
    province: Option<&str>,
) -> Result<Vec<ProvinceSales>, StoreError> {
    let (days, reads) = each_day(range, |date| async move {
        let mut reads = Reads::default();
        let parts = store.province_parts(currency.as_str(), &date, province, &mut reads).await?;
        Ok((parts, reads))
    })
    .await?;
    log_reads("sales_by_province", reads);
    Ok(sum_provinces(days))
}
