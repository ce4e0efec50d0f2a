//! Price history: an observation (one search's listings at one time) as it arrives, and a day of a
//! phrase's history (each listing's lowest total price that UTC day), which observations only
//! ever lower.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::time::Timestamp;

use super::{
    alert::normalise,
    money::{Cents, Currency},
    product::Product,
};

/// An observation may come this far from the future (clocks of other producers).
pub const FUTURE_SKEW: Duration = Duration::minutes(5);

/// A checked observation: `{"search_phrase", "currency", "observed_at", "source", "products"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// Normalised.
    pub phrase: String,
    pub currency: Currency,
    pub observed_at: Timestamp,
    pub source: String,
    /// In the observation's currency (listings in another are left out).
    pub listings: Vec<Product>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not an observation: {0}")]
    Malformed(String),
    #[error("observed_at {0} is in the future")]
    Future(String),
    #[error("observed_at {0} is older than the {1} days of history kept")]
    TooOld(String, i64),
}

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str, Refused> {
    value[field].as_str().ok_or_else(|| Refused::Malformed(format!("`{field}` must be a string")))
}

fn price(value: &Value, field: &str) -> Result<Option<Cents>, Refused> {
    match &value[field] {
        Value::Null => Ok(None),
        Value::Number(n) => Cents::parse(&n.to_string()).map(Some),
        Value::String(s) => Cents::parse(s).map(Some),
        _ => Err("must be a number".to_owned()),
    }
    .map_err(|reason| Refused::Malformed(format!("`{field}` {reason}")))
}

impl Observation {
    /// Checks a message against `now` and the history kept (`history_days`).
    pub fn from_json(body: &Value, now: Timestamp, history_days: i64) -> Result<Self, Refused> {
        if !body.is_object() {
            return Err(Refused::Malformed("the body must be a JSON object".into()));
        }
        let phrase = normalise(text(body, "search_phrase")?);
        if phrase.is_empty() || phrase.chars().count() > super::alert::MAX_PHRASE_CHARS {
            return Err(Refused::Malformed("`search_phrase` must hold 1 to 100 characters".into()));
        }
        let currency =
            Currency::parse(text(body, "currency")?).map_err(|r| Refused::Malformed(format!("`currency` {r}")))?;
        let raw_at = text(body, "observed_at")?;
        let observed_at = shared::time::parse(raw_at).map_err(|r| Refused::Malformed(format!("`observed_at`: {r}")))?;
        if observed_at > now + FUTURE_SKEW {
            return Err(Refused::Future(raw_at.to_owned()));
        }
        if observed_at < now - Duration::days(history_days) {
            return Err(Refused::TooOld(raw_at.to_owned(), history_days));
        }
        let source = body["source"].as_str().unwrap_or("unknown").chars().take(64).collect();
        let products =
            body["products"].as_array().ok_or_else(|| Refused::Malformed("`products` must be an array".into()))?;
        let mut listings = Vec::with_capacity(products.len());
        for (i, p) in products.iter().enumerate() {
            let field = |name: &str| format!("products[{i}].{name}");
            let item_id = text(p, "item_id")
                .map_err(|_| Refused::Malformed(format!("`{}` must be a string", field("item_id"))))?;
            let base = price(p, "price")?;
            let shipping = price(p, "shipping_cost")?;
            let total = match (price(p, "total_price")?, base) {
                (Some(total), _) => total,
                (None, Some(base)) => Cents(base.0 + shipping.map_or(0, |s| s.0)),
                (None, None) => return Err(Refused::Malformed(format!("`{}` is required", field("price")))),
            };
            if p["currency"].as_str().is_some_and(|c| c != currency.as_str()) {
                continue; // another currency's price says nothing about this history
            }
            let optional = |name: &str, max: usize| p[name].as_str().map(|s| s.chars().take(max).collect::<String>());
            listings.push(Product {
                item_id: item_id.chars().take(128).collect(),
                title: optional("title", 200).unwrap_or_default(),
                price: base.unwrap_or(total),
                shipping_cost: shipping,
                total_price: total,
                currency: currency.clone(),
                condition: optional("condition", 40),
                image_url: optional("image_url", 500),
                item_url: optional("item_url", 500).unwrap_or_default(),
                seller: optional("seller", 100),
            });
        }
        Ok(Self { phrase, currency, observed_at, source, listings })
    }

    pub fn date(&self) -> NaiveDate {
        self.observed_at.date_naive()
    }
}

/// A listing's day in the history: its lowest total price that day, with its title and link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPrice {
    #[serde(rename = "p")]
    pub price: Cents,
    #[serde(rename = "t", default)]
    pub title: String,
    #[serde(rename = "u", default)]
    pub item_url: String,
}

/// One phrase's listings on one UTC day, by item id.
pub type Day = BTreeMap<String, DayPrice>;

/// Lowers `day` by `listings`; whether anything changed. Only ever lowers, so applying the same
/// observation twice, or observations out of order, ends in the same day.
pub fn lower(day: &mut Day, listings: &[Product]) -> bool {
    let mut changed = false;
    for seen in listings {
        match day.get_mut(&seen.item_id) {
            Some(known) if known.price <= seen.total_price => {}
            Some(known) => {
                known.price = seen.total_price;
                known.title.clone_from(&seen.title);
                known.item_url.clone_from(&seen.item_url);
                changed = true;
            }
            None => {
                day.insert(
                    seen.item_id.clone(),
                    DayPrice { price: seen.total_price, title: seen.title.clone(), item_url: seen.item_url.clone() },
                );
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn now() -> Timestamp {
        shared::time::parse("2026-11-24T12:00:00Z").unwrap()
    }

    fn observation(at: &str, products: Value) -> Value {
        json!({"search_phrase": " Lego  Castle ", "currency": "USD", "observed_at": at, "source": "test", "products": products})
    }

    #[test]
    fn observations_are_checked() {
        let ok = Observation::from_json(
            &observation(
                "2026-11-24T11:00:00Z",
                json!([
                    {"item_id": "a", "title": "A", "price": 10.5, "shipping_cost": 2, "item_url": "https://x/a"},
                    {"item_id": "b", "total_price": "7.25", "currency": "USD"},
                    {"item_id": "c", "price": 1, "currency": "EUR"},
                ]),
            ),
            now(),
            90,
        )
        .unwrap();
        assert_eq!(ok.phrase, "lego castle");
        let totals: Vec<(&str, i64)> = ok.listings.iter().map(|p| (p.item_id.as_str(), p.total_price.0)).collect();
        assert_eq!(totals, [("a", 1250), ("b", 725)]);
        assert!(matches!(
            Observation::from_json(&observation("2026-11-24T12:10:00Z", json!([])), now(), 90),
            Err(Refused::Future(_))
        ));
        assert!(matches!(
            Observation::from_json(&observation("2026-08-01T00:00:00Z", json!([])), now(), 90),
            Err(Refused::TooOld(..))
        ));
        for bad in [
            json!("x"),
            json!({"search_phrase": "x"}),
            observation("yesterday", json!([])),
            observation("2026-11-24T11:00:00Z", json!([{"item_id": "a"}])),
            observation("2026-11-24T11:00:00Z", json!([{"item_id": "a", "price": -1}])),
        ] {
            assert!(matches!(Observation::from_json(&bad, now(), 90), Err(Refused::Malformed(_))), "{bad}");
        }
    }

    #[test]
    fn a_day_only_ever_lowers() {
        let listings = |prices: &[(&str, i64)]| -> Vec<Product> {
            Observation::from_json(
                &observation(
                    "2026-11-24T11:00:00Z",
                    prices.iter().map(|(id, p)| json!({"item_id": id, "total_price": *p as f64 / 100.0})).collect(),
                ),
                now(),
                90,
            )
            .unwrap()
            .listings
        };
        let mut day = Day::new();
        assert!(lower(&mut day, &listings(&[("a", 500), ("b", 700)])));
        assert!(!lower(&mut day, &listings(&[("a", 500), ("b", 700)])), "the same again changes nothing");
        assert!(!lower(&mut day, &listings(&[("a", 900)])), "higher later in the day: the low stays");
        assert!(lower(&mut day, &listings(&[("b", 650), ("c", 100)])));
        let prices: Vec<(&str, i64)> = day.iter().map(|(id, p)| (id.as_str(), p.price.0)).collect();
        assert_eq!(prices, [("a", 500), ("b", 650), ("c", 100)]);
    }
}
