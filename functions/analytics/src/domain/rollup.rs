//! The rollups the canned queries read, and the pure rules that sum them over a range: a
//! customer's days into one ranked customer, a province's day parts into its sales.

use std::{
    collections::BTreeMap,
    ops::{Add, Sub},
};

use serde::Deserialize;
use shared::money::MicrosSum;

/// Orders and their value (in micros): one rollup's, or a sum of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i128,
    pub value: MicrosSum,
}

impl Totals {
    pub fn new(count: i128, value: i128) -> Self {
        Self { count, value: MicrosSum(value) }
    }
}

impl Add for Totals {
    type Output = Totals;

    fn add(self, other: Totals) -> Totals {
        Totals::new(self.count + other.count, self.value.0 + other.value.0)
    }
}

impl Sub for Totals {
    type Output = Totals;

    fn sub(self, other: Totals) -> Totals {
        Totals::new(self.count - other.count, self.value.0 - other.value.0)
    }
}

impl std::iter::Sum for Totals {
    fn sum<I: Iterator<Item = Totals>>(totals: I) -> Totals {
        totals.fold(Totals::default(), Add::add)
    }
}

/// Whose orders top customers ranks: those whose buyer accepted marketing, those who did not, or
/// all of them (`accepts_marketing`: `true`, `false`, `any`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Consent {
    #[default]
    #[serde(rename = "true")]
    Yes,
    #[serde(rename = "false")]
    No,
    #[serde(rename = "any")]
    Any,
}

/// A customer's rollup of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDay {
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub all: Totals,
    /// The orders whose buyer accepted marketing.
    pub marketing: Totals,
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

/// Sums the customers' days (in day order: the latest name and email win) and ranks them: the
/// `count` with the highest order value, ties by `customer_id`, counting only the orders whose
/// buyer's consent `consent` takes.
pub fn rank_customers(days: Vec<Vec<CustomerDay>>, count: usize, consent: Consent) -> Vec<RankedCustomer> {
    let mut customers: BTreeMap<String, RankedCustomer> = BTreeMap::new();
    for day in days {
        for c in day {
            let totals = match consent {
                Consent::Yes => c.marketing,
                Consent::No => c.all - c.marketing,
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
            entry.totals = entry.totals + totals;
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

/// One part of a province's rollup of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvincePart {
    /// The province as keyed (trimmed, lowercase).
    pub key: String,
    /// As the latest event spelled it.
    pub shown: String,
    /// Zero on parts other than 0.
    pub totals: Totals,
    pub quantity: i128,
    pub items: Vec<(String, i128)>,
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

impl ProvinceSales {
    /// A province without sales, as asked.
    pub fn none(province: String) -> Self {
        Self { province, totals: Totals::default(), quantity: 0, items: vec![] }
    }
}

/// Sums the province parts of the range's days (in day order: the latest spelling wins) per
/// province, largest value first, ties by province.
pub fn sum_provinces(days: Vec<Vec<ProvincePart>>) -> Vec<ProvinceSales> {
    let mut provinces: BTreeMap<String, (ProvinceSales, BTreeMap<String, i128>)> = BTreeMap::new();
    for part in days.into_iter().flatten() {
        let (sales, items) = provinces
            .entry(part.key.clone())
            .or_insert_with(|| (ProvinceSales::none(part.shown.clone()), BTreeMap::new()));
        sales.province = part.shown;
        sales.totals = sales.totals + part.totals;
        sales.quantity += part.quantity;
        for (id, quantity) in part.items {
            *items.entry(id).or_default() += quantity;
        }
    }
    let mut sales: Vec<ProvinceSales> = provinces
        .into_values()
        .map(|(mut sales, items)| {
            sales.items = items.into_iter().collect();
            sales.items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            sales
        })
        .collect();
    sales.sort_by(|a, b| b.totals.value.cmp(&a.totals.value).then_with(|| a.province.cmp(&b.province)));
    sales
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: &str, email: Option<&str>, all: (i128, i128), marketing: (i128, i128)) -> CustomerDay {
        CustomerDay {
            customer_id: id.to_owned(),
            email: email.map(str::to_owned),
            first_name: None,
            last_name: None,
            all: Totals::new(all.0, all.1),
            marketing: Totals::new(marketing.0, marketing.1),
        }
    }

    #[test]
    fn customers_are_summed_over_days_and_ranked_by_value_then_id() {
        let days = vec![
            vec![customer("b", Some("old@b"), (2, 300), (1, 100)), customer("a", None, (1, 500), (0, 0))],
            vec![customer("b", Some("new@b"), (1, 200), (1, 200)), customer("c", None, (1, 500), (1, 500))],
        ];
        let ranked = |consent, count| {
            rank_customers(days.clone(), count, consent)
                .into_iter()
                .map(|c| (c.customer_id, c.totals.count, c.totals.value.0))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ranked(Consent::Any, 5),
            [("a".into(), 1, 500), ("b".into(), 3, 500), ("c".into(), 1, 500)],
            "ties by id"
        );
        assert_eq!(ranked(Consent::Yes, 5), [("c".into(), 1, 500), ("b".into(), 2, 300)]);
        assert_eq!(ranked(Consent::No, 5), [("a".into(), 1, 500), ("b".into(), 1, 200)]);
        assert_eq!(ranked(Consent::Any, 1).len(), 1);
        let b = rank_customers(days, 5, Consent::Any).into_iter().find(|c| c.customer_id == "b").unwrap();
        assert_eq!(b.email.as_deref(), Some("new@b"), "the latest day's email wins");
    }

    #[test]
    fn province_parts_are_summed_with_their_items() {
        let part = |key: &str, shown: &str, totals: (i128, i128), items: &[(&str, i128)]| ProvincePart {
            key: key.to_owned(),
            shown: shown.to_owned(),
            totals: Totals::new(totals.0, totals.1),
            quantity: items.iter().map(|(_, q)| q).sum(),
            items: items.iter().map(|(id, q)| (id.to_string(), *q)).collect(),
        };
        let days = vec![
            vec![part("idaho", "Idaho", (1, 100), &[("x", 2)]), part("ohio", "Ohio", (1, 900), &[("y", 1)])],
            vec![part("idaho", "IDAHO", (2, 300), &[("y", 3), ("x", 1)]), part("idaho", "IDAHO", (0, 0), &[("z", 3)])],
        ];
        let sales = sum_provinces(days);
        assert_eq!(sales.iter().map(|s| s.province.as_str()).collect::<Vec<_>>(), ["Ohio", "IDAHO"]);
        let idaho = &sales[1];
        assert_eq!((idaho.totals, idaho.quantity), (Totals::new(3, 400), 9));
        assert_eq!(idaho.items, [("x".to_owned(), 3), ("y".to_owned(), 3), ("z".to_owned(), 3)]);
    }
}
