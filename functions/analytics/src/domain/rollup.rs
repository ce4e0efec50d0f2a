//! The rollups the canned queries read, and the pure rules that sum them over a range: a
//! customer's months and days into one ranked customer, a province's into its sales. A range's
//! plan ([`super::plan`]) may take a month's rollup and subtract some of its days: those days come
//! [`negated`](CustomerRollup::negated), and whoever sums to no order drops out.

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

impl std::ops::Neg for Totals {
    type Output = Totals;

    fn neg(self) -> Totals {
        Totals::new(-self.count, -self.value.0)
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

/// A customer's rollup of one day or one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRollup {
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub all: Totals,
    /// The orders whose buyer accepted marketing.
    pub marketing: Totals,
}

impl CustomerRollup {
    /// The rollup to take away: totals negated, no name or email to offer.
    pub fn negated(self) -> Self {
        Self { email: None, first_name: None, last_name: None, all: -self.all, marketing: -self.marketing, ..self }
    }
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

/// Sums the customers' rollups (in time order: the latest name and email win; taken-away days
/// last) and ranks them: the `count` with the highest order value, ties by `customer_id`,
/// counting only the orders whose buyer's consent `consent` takes.
pub fn rank_customers(rollups: Vec<Vec<CustomerRollup>>, count: usize, consent: Consent) -> Vec<RankedCustomer> {
    let mut customers: BTreeMap<String, RankedCustomer> = BTreeMap::new();
    for rollup in rollups {
        for c in rollup {
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
    let mut ranked: Vec<RankedCustomer> = customers.into_values().filter(|c| c.totals.count > 0).collect();
    ranked.sort_by(|a, b| b.totals.value.cmp(&a.totals.value).then_with(|| a.customer_id.cmp(&b.customer_id)));
    ranked.truncate(count);
    ranked
}

/// A province's rollup of one day or one month (its line items are kept apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceRollup {
    /// The province as keyed (trimmed, lowercase).
    pub key: String,
    /// As the latest event spelled it.
    pub shown: String,
    pub totals: Totals,
    pub quantity: i128,
}

impl ProvinceRollup {
    /// The rollup to take away.
    pub fn negated(self) -> Self {
        Self { totals: -self.totals, quantity: -self.quantity, ..self }
    }
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

/// Sums the province rollups of the range (in time order: the latest spelling wins; taken-away
/// days last, spelling nothing) per province, largest value first, ties by province; without
/// their line items.
pub fn sum_provinces(rollups: Vec<Vec<ProvinceRollup>>) -> Vec<ProvinceSales> {
    let mut provinces: BTreeMap<String, ProvinceSales> = BTreeMap::new();
    for rollup in rollups.into_iter().flatten() {
        let negative = rollup.totals.count < 0;
        let sales = provinces.entry(rollup.key.clone()).or_insert_with(|| ProvinceSales::none(rollup.shown.clone()));
        if !negative {
            sales.province = rollup.shown;
        }
        sales.totals = sales.totals + rollup.totals;
        sales.quantity += rollup.quantity;
    }
    let mut sales: Vec<ProvinceSales> = provinces.into_values().filter(|s| s.totals.count > 0).collect();
    sales.sort_by(|a, b| b.totals.value.cmp(&a.totals.value).then_with(|| a.province.cmp(&b.province)));
    sales
}

/// Sums line item quantities (taken-away days negative): largest first, ties by id, none at 0.
pub fn sum_items(quantities: impl IntoIterator<Item = (String, i128)>) -> Vec<(String, i128)> {
    let mut items: BTreeMap<String, i128> = BTreeMap::new();
    for (id, quantity) in quantities {
        *items.entry(id).or_default() += quantity;
    }
    let mut items: Vec<(String, i128)> = items.into_iter().filter(|(_, q)| *q > 0).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: &str, email: Option<&str>, all: (i128, i128), marketing: (i128, i128)) -> CustomerRollup {
        CustomerRollup {
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
    fn taken_away_days_subtract_and_who_sums_to_nothing_drops_out() {
        let month = vec![customer("a", Some("a@x"), (3, 900), (2, 600)), customer("b", None, (1, 100), (1, 100))];
        let left_out = vec![
            customer("a", Some("old@a"), (1, 300), (1, 300)).negated(),
            customer("b", None, (1, 100), (1, 100)).negated(),
        ];
        let ranked = rank_customers(vec![month, left_out], 5, Consent::Any);
        assert_eq!(ranked.len(), 1, "b had no order in the range");
        assert_eq!((ranked[0].totals, ranked[0].email.as_deref()), (Totals::new(2, 600), Some("a@x")));
        assert_eq!(rank_customers(vec![], 5, Consent::Yes), []);
    }

    #[test]
    fn provinces_and_their_items_are_summed() {
        let rollup = |key: &str, shown: &str, totals: (i128, i128), quantity: i128| ProvinceRollup {
            key: key.to_owned(),
            shown: shown.to_owned(),
            totals: Totals::new(totals.0, totals.1),
            quantity,
        };
        let rollups = vec![
            vec![rollup("idaho", "Idaho", (1, 100), 2), rollup("ohio", "Ohio", (1, 900), 1)],
            vec![rollup("idaho", "IDAHO", (3, 400), 9), rollup("utah", "Utah", (1, 5), 1)],
            vec![rollup("idaho", "idaho", (1, 100), 2).negated(), rollup("utah", "utah", (1, 5), 1).negated()],
        ];
        let sales = sum_provinces(rollups);
        assert_eq!(sales.iter().map(|s| s.province.as_str()).collect::<Vec<_>>(), ["Ohio", "IDAHO"]);
        assert_eq!((sales[1].totals, sales[1].quantity), (Totals::new(3, 400), 9));
        let items = sum_items([
            ("y".to_owned(), 3),
            ("x".to_owned(), 2),
            ("x".to_owned(), 1),
            ("z".to_owned(), 1),
            ("z".to_owned(), -1),
        ]);
        assert_eq!(items, [("x".to_owned(), 3), ("y".to_owned(), 3)]);
    }
}
