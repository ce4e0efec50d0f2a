//! The canned queries: each reads rollups only, never raw events, along the range's
//! [`Plan`]: whole months from the month rollups, partial months as their days (or as the month
//! minus the days left out), one `Query` per piece, so a query's cost grows with the months of
//! its range, not its days; then sums them with the pure rules of [`crate::domain::rollup`].

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt, stream};
use shared::dynamo::StoreError;

use crate::{
    domain::{
        Consent, Currency, DateRange, Piece, Plan, ProvinceSales, RankedCustomer, Totals, range,
        rollup::{rank_customers, sum_items, sum_provinces},
    },
    store::{Reads, Store},
};

/// `Query`s in flight at once.
const PIECES_IN_FLIGHT: usize = 8;

fn log_reads(query: &str, reads: Reads) {
    tracing::info!(query, items = reads.items, pages = reads.pages, "rollups read");
}

/// Runs `read` for every piece of the range's plan, a few at a time: what it added, in time
/// order, then what it takes away, each with whether to take it away.
async fn each_piece<T, F, Fut>(range: &DateRange, read: F) -> Result<(Vec<(bool, T)>, Reads), StoreError>
where
    F: Fn(Piece) -> Fut,
    Fut: Future<Output = Result<(T, Reads), StoreError>>,
{
    let plan = Plan::of(range);
    let pieces =
        plan.add.into_iter().map(|p| (false, p)).chain(plan.subtract.into_iter().map(|d| (true, Piece::Days(d))));
    let read = &read;
    let results: Vec<(bool, (T, Reads))> = stream::iter(pieces)
        .map(|(away, piece)| async move { Ok::<_, StoreError>((away, read(piece).await?)) })
        .buffered(PIECES_IN_FLIGHT)
        .try_collect()
        .await?;
    let mut reads = Reads::default();
    let values = results
        .into_iter()
        .map(|(away, (value, r))| {
            reads += r;
            (away, value)
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
) -> Result<(Vec<RankedCustomer>, Reads), StoreError> {
    let (pieces, reads) = each_piece(range, |piece| async move {
        let mut reads = Reads::default();
        let customers = store.customers(currency.as_str(), &piece, &mut reads).await?;
        Ok((customers, reads))
    })
    .await?;
    log_reads("top_customers", reads);
    let rollups = pieces
        .into_iter()
        .map(|(away, rollups)| if away { rollups.into_iter().map(|c| c.negated()).collect() } else { rollups })
        .collect();
    Ok((rank_customers(rollups, count, consent), reads))
}

/// Every day of the range with its orders and value in `currency`, zeros included: one `Query`
/// of the currency's day rollups, whatever the number of events.
pub async fn order_value_by_day(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
) -> Result<(Vec<(String, Totals)>, Reads), StoreError> {
    let mut reads = Reads::default();
    let found: BTreeMap<String, Totals> = store
        .days(currency.as_str(), &range::key(range.start), &range::key(range.end), &mut reads)
        .await?
        .into_iter()
        .collect();
    log_reads("order_value", reads);
    let days = range.days().map(range::key).map(|date| (date.clone(), found.get(&date).copied().unwrap_or_default()));
    Ok((days.collect(), reads))
}

/// The orders and value of the range in `currency`: its whole months in one `Query` of the month
/// rollups, each span of days in one of the day rollups.
pub async fn order_value_total(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
) -> Result<(Totals, Reads), StoreError> {
    let plan = Plan::of(range);
    let mut reads = Reads::default();
    let months: Vec<&str> =
        plan.add.iter().filter_map(|p| if let Piece::Month(m) = p { Some(m.as_str()) } else { None }).collect();
    let mut total = Totals::default();
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        let found = store.months(currency.as_str(), first, last, &mut reads).await?;
        total = found.into_iter().filter(|(m, _)| months.contains(&m.as_str())).map(|(_, t)| t).sum();
    }
    let spans = plan
        .add
        .iter()
        .filter_map(|p| if let Piece::Days(d) = p { Some((false, d)) } else { None })
        .chain(plan.subtract.iter().map(|d| (true, d)));
    for (away, days) in spans {
        let sum: Totals =
            store.days(currency.as_str(), &days.from, &days.to, &mut reads).await?.into_iter().map(|(_, t)| t).sum();
        total = if away { total - sum } else { total + sum };
    }
    log_reads("order_value_total", reads);
    Ok((total, reads))
}

/// Sales per province over the range in `currency` (only `province`'s, by its key, if given,
/// with its line items), largest value first, ties by province.
pub async fn province_sales(
    store: &Store,
    currency: &Currency,
    range: &DateRange,
    province: Option<&str>,
) -> Result<(Vec<ProvinceSales>, Reads), StoreError> {
    let (pieces, mut reads) = each_piece(range, |piece| async move {
        let mut reads = Reads::default();
        let parts = store.provinces(currency.as_str(), &piece, province, &mut reads).await?;
        Ok((parts, reads))
    })
    .await?;
    let rollups = pieces
        .into_iter()
        .map(|(away, rollups)| if away { rollups.into_iter().map(|p| p.negated()).collect() } else { rollups })
        .collect();
    let mut sales = sum_provinces(rollups);
    if let (Some(key), Some(one)) = (province, sales.first_mut()) {
        let (pieces, item_reads) = each_piece(range, |piece| async move {
            let mut reads = Reads::default();
            let items = store.items(currency.as_str(), &piece, key, &mut reads).await?;
            Ok((items, reads))
        })
        .await?;
        reads += item_reads;
        one.items = sum_items(
            pieces
                .into_iter()
                .flat_map(|(away, items)| items.into_iter().map(move |(id, q)| (id, if away { -q } else { q }))),
        );
    }
    log_reads("sales_by_province", reads);
    Ok((sales, reads))
}
