//! Insights over a phrase's price history: per day the number of listings, the lowest price and
//! the median of the 20 cheapest; how the median moved; the lowest price seen; listings whose
//! price dropped; listings now at their lowest. Pure: the days come in, the answer goes out.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{
    history::{Day, DayHistory},
    money::{Cents, Currency},
};

/// The prices a day's median is taken over: its cheapest listings.
pub const MEDIAN_OF: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct DaySummary {
    pub date: NaiveDate,
    pub listings: usize,
    pub min_price: Cents,
    /// The mean of the middle two when even: it may have half a cent.
    pub median_price: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lowest {
    pub item_id: String,
    pub title: String,
    pub price: Cents,
    pub date: NaiveDate,
    pub item_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PriceDrop {
    pub item_id: String,
    pub title: String,
    pub from_price: Cents,
    pub to_price: Cents,
    pub change_pct: f64,
    pub item_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AtLowest {
    pub item_id: String,
    pub title: String,
    pub price: Cents,
    pub item_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub search_phrase: String,
    pub currency: Currency,
    pub days: Vec<DaySummary>,
    pub median_change_pct: Option<f64>,
    pub lowest: Option<Lowest>,
    pub price_drops: Vec<PriceDrop>,
    pub at_lowest: Vec<AtLowest>,
}

/// Two decimals, half away from zero.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn pct(from: f64, to: f64) -> f64 {
    round2(100.0 * (to - from) / from)
}

/// The median of the [`MEDIAN_OF`] cheapest prices, in half cents (exact).
fn median_half_cents(day: &Day) -> i64 {
    let mut prices: Vec<i64> = day.values().map(|p| p.price.0).collect();
    prices.sort_unstable();
    prices.truncate(MEDIAN_OF);
    let n = prices.len();
    if n == 0 {
        0
    } else if n % 2 == 1 {
        2 * prices[n / 2]
    } else {
        prices[n / 2 - 1] + prices[n / 2]
    }
}

/// A listing's daily prices in the window, oldest first, and its latest title and link.
type Seen<'a> = (Vec<(NaiveDate, Cents)>, &'a str, &'a str);

/// The insights of `history` (days oldest first; days without listings are left out).
pub fn compute(search_phrase: &str, currency: &Currency, history: &[(NaiveDate, DayHistory)]) -> Insights {
    let history: Vec<&(NaiveDate, DayHistory)> = history.iter().filter(|(_, day)| !day.kept.is_empty()).collect();
    let days: Vec<DaySummary> = history
        .iter()
        .map(|(date, day)| DaySummary {
            date: *date,
            listings: day.listings(),
            min_price: day.kept.values().map(|p| p.price).min().unwrap_or_default(),
            median_price: median_half_cents(&day.kept) as f64 / 200.0,
        })
        .collect();
    let medians: Vec<i64> = history.iter().map(|(_, day)| median_half_cents(&day.kept)).collect();
    let median_change_pct = match (medians.first(), medians.last()) {
        (Some(first), Some(last)) if medians.len() >= 2 && *first > 0 => Some(pct(*first as f64, *last as f64)),
        _ => None,
    };

    let mut lowest: Option<Lowest> = None;
    // Each listing's (date, price) by day, oldest first, with its latest title and link.
    let mut listings: BTreeMap<&str, Seen<'_>> = BTreeMap::new();
    for (date, day) in &history {
        for (id, seen) in &day.kept {
            let better = match &lowest {
                None => true,
                // Days come oldest first: a tie keeps the earlier day (and, on one day, the
                // smaller id, which the map's order gives).
                Some(l) => seen.price < l.price,
            };
            if better {
                lowest = Some(Lowest {
                    item_id: id.clone(),
                    title: seen.title.clone(),
                    price: seen.price,
                    date: *date,
                    item_url: seen.item_url.clone(),
                });
            }
            let entry = listings.entry(id.as_str()).or_insert_with(|| (Vec::new(), "", ""));
            entry.0.push((*date, seen.price));
            entry.1 = &seen.title;
            entry.2 = &seen.item_url;
        }
    }

    let last_day = history.last().map(|(date, _)| *date);
    let mut price_drops = Vec::new();
    let mut at_lowest = Vec::new();
    for (id, (seen, title, url)) in &listings {
        let Some(((latest_date, latest), earlier)) = seen.split_last() else { continue };
        if earlier.is_empty() {
            continue;
        }
        let highest = earlier.iter().map(|(_, p)| *p).max().unwrap_or_default();
        if *latest < highest {
            price_drops.push(PriceDrop {
                item_id: (*id).to_owned(),
                title: (*title).to_owned(),
                from_price: highest,
                to_price: *latest,
                change_pct: pct(highest.0 as f64, latest.0 as f64),
                item_url: (*url).to_owned(),
            });
        }
        let lowest_before = earlier.iter().map(|(_, p)| *p).min().unwrap_or_default();
        if Some(*latest_date) == last_day && *latest <= lowest_before {
            at_lowest.push(AtLowest {
                item_id: (*id).to_owned(),
                title: (*title).to_owned(),
                price: *latest,
                item_url: (*url).to_owned(),
            });
        }
    }
    price_drops.sort_by(|a, b| a.change_pct.total_cmp(&b.change_pct).then_with(|| a.item_id.cmp(&b.item_id)));
    at_lowest.sort_by(|a, b| a.price.cmp(&b.price).then_with(|| a.item_id.cmp(&b.item_id)));
    Insights {
        search_phrase: search_phrase.to_owned(),
        currency: currency.clone(),
        days,
        median_change_pct,
        lowest,
        price_drops,
        at_lowest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::DayPrice;

    fn day(prices: &[(&str, i64)]) -> DayHistory {
        let kept: Day = prices
            .iter()
            .map(|(id, p)| {
                ((*id).to_owned(), DayPrice { price: Cents(*p), title: format!("t{id}"), item_url: format!("u{id}") })
            })
            .collect();
        DayHistory { kept, ..Default::default() }
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn medians_of_the_twenty_cheapest_drops_and_lows() {
        let many: Vec<(String, i64)> = (0..25).map(|i| (format!("m{i:02}"), 1000 + i * 10)).collect();
        let many: Vec<(&str, i64)> = many.iter().map(|(id, p)| (id.as_str(), *p)).collect();
        let history = vec![
            (date(1), day(&many)),
            (date(2), day(&[("a", 500), ("b", 700)])),
            (date(3), day(&[])),
            (date(4), day(&[("a", 400), ("b", 800), ("c", 300)])),
        ];
        let insights = compute("x", &Currency::usd(), &history);
        assert_eq!(insights.days.len(), 3, "days without listings are left out");
        // 20 cheapest of 1000..1240: the 10th and 11th are 1090 and 1100.
        assert_eq!(insights.days[0].median_price, 10.95);
        assert_eq!(insights.days[1].median_price, 6.0);
        assert_eq!(insights.days[2].median_price, 4.0);
        assert_eq!(insights.median_change_pct, Some(round2(100.0 * (400.0 - 1095.0) / 1095.0)));
        assert_eq!(insights.lowest.as_ref().map(|l| (l.item_id.as_str(), l.date)), Some(("c", date(4))));
        let drops: Vec<(&str, i64, i64)> =
            insights.price_drops.iter().map(|d| (d.item_id.as_str(), d.from_price.0, d.to_price.0)).collect();
        assert_eq!(drops, [("a", 500, 400)]);
        let low: Vec<&str> = insights.at_lowest.iter().map(|l| l.item_id.as_str()).collect();
        assert_eq!(low, ["a"], "b rose; c was not seen before");
        assert_eq!(compute("x", &Currency::usd(), &[]).median_change_pct, None);
    }
}
