//! Price history: an observation (one search's listings at one time) as it arrives, and a day of a
//! phrase's history (each listing's lowest total price that UTC day), which observations only
//! ever lower.
//!
//! An observation may come from anything in the account, so it is bounded as it is read: titles
//! cut to 200 characters without control characters, prices above the largest an alert may set
//! left out, and links and images kept only when they are `https` on the marketplace's own hosts
//! ([`Hosts`]; a listing with another link is kept without it).
//!
//! A day keeps the [`KEPT_PER_DAY`] cheapest listings (fewer when their titles and links pass
//! [`KEPT_BYTES`]), so that its item stays far below DynamoDB's 400 KB however many listings a
//! phrase has; the others are remembered by an 8-byte hash only (at most [`OTHERS_MAX`]), so that
//! `listings` still counts each listing once. The contract's insights need the 20 cheapest for a
//! day's median and minimum; a listing's price on a day it was not among the kept ones is not
//! known (it can only be a price above that day's 1,000 cheapest).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::time::Timestamp;

use sha2::{Digest, Sha256};

pub use super::hosts::Hosts;
use super::{
    alert::normalise,
    money::{Cents, Currency, MAX_PRICE},
    product::Product,
};

/// Listings a day keeps, the cheapest.
pub const KEPT_PER_DAY: usize = 1_000;
/// Bytes the kept listings' ids, titles and links may take in a day's item.
pub const KEPT_BYTES: usize = 200_000;
/// Listings seen but not kept that a day remembers (8 bytes each, about 11 in the item).
pub const OTHERS_MAX: usize = 15_000;
/// Characters of a title kept.
pub const TITLE_CHARS: usize = 200;

/// A title as kept: no control characters, trimmed, at most [`TITLE_CHARS`] characters.
fn bounded_title(title: &str) -> String {
    let clean: String = title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clean.trim().chars().take(TITLE_CHARS).collect()
}

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
    /// Signed by our own worker: only such an observation may send price drop notices (set by
    /// the recorder once it checked the signature; unsigned ones are history only).
    pub signed: bool,
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
    /// Checks a message against `now` and the history kept (`history_days`), keeping links on
    /// `hosts` only.
    pub fn from_json(body: &Value, now: Timestamp, history_days: i64, hosts: &Hosts) -> Result<Self, Refused> {
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
            if total > MAX_PRICE || base.is_some_and(|b| b > MAX_PRICE) {
                continue; // beyond any price an alert may ask about: not a listing we believe
            }
            let optional =
                |name: &str, max: usize| p[name].as_str().map(|s| bounded_title(s).chars().take(max).collect());
            let link = |name: &str| p[name].as_str().filter(|url| url.len() <= 500).and_then(|url| hosts.allow(url));
            listings.push(Product {
                item_id: item_id.chars().filter(|c| !c.is_control()).take(128).collect(),
                title: optional("title", TITLE_CHARS).unwrap_or_default(),
                price: base.unwrap_or(total),
                shipping_cost: shipping,
                total_price: total,
                currency: currency.clone(),
                condition: optional("condition", 40),
                image_url: link("image_url"),
                item_url: link("item_url").unwrap_or_default(),
                seller: optional("seller", 100),
            });
        }
        Ok(Self { phrase, currency, observed_at, source, listings, signed: false })
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

/// A phrase's day as kept: the cheapest listings, and a hash of each other listing seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayHistory {
    pub kept: Day,
    pub others: BTreeSet<u64>,
}

impl DayHistory {
    /// Listings seen that day.
    pub fn listings(&self) -> usize {
        self.kept.len() + self.others.len()
    }

    /// Keeps the cheapest (by price, then id) within [`KEPT_PER_DAY`] and [`KEPT_BYTES`]; the
    /// rest become hashes.
    fn trim(&mut self) {
        if self.kept.len() <= KEPT_PER_DAY && self.kept_bytes() <= KEPT_BYTES {
            return;
        }
        let mut order: Vec<(Cents, String, usize)> =
            self.kept.iter().map(|(id, p)| (p.price, id.clone(), entry_bytes(id, p))).collect();
        order.sort();
        let mut bytes = 0;
        for (i, (_, id, size)) in order.into_iter().enumerate() {
            bytes += size;
            if i >= KEPT_PER_DAY || bytes > KEPT_BYTES {
                self.kept.remove(&id);
                if self.others.len() < OTHERS_MAX {
                    self.others.insert(id_hash(&id));
                }
            }
        }
    }

    fn kept_bytes(&self) -> usize {
        self.kept.iter().map(|(id, p)| entry_bytes(id, p)).sum()
    }
}

/// What a kept listing takes in the item, about.
fn entry_bytes(id: &str, p: &DayPrice) -> usize {
    id.len() + p.title.len() + p.item_url.len() + 16
}

/// The 8-byte hash a listing not kept is remembered by.
pub fn id_hash(item_id: &str) -> u64 {
    let digest = Sha256::digest(item_id.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// Lowers `day` by `listings`, keeping the cheapest; whether anything changed. Only ever lowers,
/// so applying the same observation twice, or observations out of order, ends in the same day.
/// A listing once trimmed out comes back only if its new price puts it among the kept ones.
pub fn lower(day: &mut DayHistory, listings: &[Product]) -> bool {
    let before = day.clone();
    lower_kept(&mut day.kept, listings);
    for seen in listings {
        if day.kept.contains_key(&seen.item_id) {
            day.others.remove(&id_hash(&seen.item_id));
        }
    }
    day.trim();
    *day != before
}

/// Lowers the kept listings by `listings`, every one of them (trimming comes after).
fn lower_kept(day: &mut Day, listings: &[Product]) {
    for seen in listings {
        match day.get_mut(&seen.item_id) {
            Some(known) if known.price <= seen.total_price => {}
            Some(known) => {
                known.price = seen.total_price;
                known.title.clone_from(&seen.title);
                known.item_url.clone_from(&seen.item_url);
            }
            None => {
                day.insert(
                    seen.item_id.clone(),
                    DayPrice { price: seen.total_price, title: seen.title.clone(), item_url: seen.item_url.clone() },
                );
            }
        }
    }
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
            &Hosts::default(),
        )
        .unwrap();
        assert_eq!(ok.phrase, "lego castle");
        let totals: Vec<(&str, i64)> = ok.listings.iter().map(|p| (p.item_id.as_str(), p.total_price.0)).collect();
        assert_eq!(totals, [("a", 1250), ("b", 725)]);
        assert!(matches!(
            Observation::from_json(&observation("2026-11-24T12:10:00Z", json!([])), now(), 90, &Hosts::default()),
            Err(Refused::Future(_))
        ));
        assert!(matches!(
            Observation::from_json(&observation("2026-08-01T00:00:00Z", json!([])), now(), 90, &Hosts::default()),
            Err(Refused::TooOld(..))
        ));
        for bad in [
            json!("x"),
            json!({"search_phrase": "x"}),
            observation("yesterday", json!([])),
            observation("2026-11-24T11:00:00Z", json!([{"item_id": "a"}])),
            observation("2026-11-24T11:00:00Z", json!([{"item_id": "a", "price": -1}])),
        ] {
            assert!(
                matches!(Observation::from_json(&bad, now(), 90, &Hosts::default()), Err(Refused::Malformed(_))),
                "{bad}"
            );
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
                &Hosts::default(),
            )
            .unwrap()
            .listings
        };
        let mut day = DayHistory::default();
        assert!(lower(&mut day, &listings(&[("a", 500), ("b", 700)])));
        assert!(!lower(&mut day, &listings(&[("a", 500), ("b", 700)])), "the same again changes nothing");
        assert!(!lower(&mut day, &listings(&[("a", 900)])), "higher later in the day: the low stays");
        assert!(lower(&mut day, &listings(&[("b", 650), ("c", 100)])));
        let prices: Vec<(&str, i64)> = day.kept.iter().map(|(id, p)| (id.as_str(), p.price.0)).collect();
        assert_eq!(prices, [("a", 500), ("b", 650), ("c", 100)]);
    }

    fn many(n: usize, offset: i64) -> Vec<Product> {
        (0..n)
            .map(|i| Product {
                item_id: format!("v1|{:012}|0", i),
                title: format!(
                    "Listing number {i} with a long and descriptive marketplace title, as sellers write them"
                ),
                price: Cents(10_000 + i as i64 * 7 + offset),
                shipping_cost: None,
                total_price: Cents(10_000 + i as i64 * 7 + offset),
                currency: Currency::usd(),
                condition: None,
                image_url: None,
                item_url: format!("https://www.ebay.com/itm/{i:012}"),
                seller: None,
            })
            .collect()
    }

    #[test]
    fn a_day_keeps_the_cheapest_and_counts_every_listing_once() {
        let listings = many(3_000, 0);
        let mut day = DayHistory::default();
        // In pieces, most expensive first, then all again: 3,000 listings, the 1,000 cheapest kept.
        for chunk in listings.rchunks(200) {
            assert!(lower(&mut day, chunk));
        }
        assert!(!lower(&mut day, &listings), "the same again changes nothing");
        assert_eq!(day.listings(), 3_000);
        assert_eq!(day.kept.len(), KEPT_PER_DAY);
        assert!(day.kept_bytes() <= KEPT_BYTES);
        let dearest_kept = day.kept.values().map(|p| p.price).max().unwrap();
        assert_eq!(dearest_kept, Cents(10_000 + 999 * 7));
        // A listing trimmed out comes back when it gets among the cheapest, and is counted once.
        let mut cheaper = listings[2_500].clone();
        cheaper.total_price = Cents(1);
        assert!(lower(&mut day, &[cheaper]));
        assert_eq!(day.listings(), 3_000);
        assert_eq!(day.kept[&listings[2_500].item_id].price, Cents(1));
        // One trimmed out again at a price still too high changes nothing.
        assert!(!lower(&mut day, &many(3_000, -1)[2_000..2_100]));
    }

    #[test]
    fn foreign_links_and_unbelievable_prices_are_not_kept() {
        let body = observation(
            "2026-11-24T11:00:00Z",
            json!([
                {"item_id": "ok", "title": "A\u{7}\nB", "price": 5, "item_url": "https://www.ebay.com/itm/1", "image_url": "https://i.ebayimg.com/1.jpg"},
                {"item_id": "http", "price": 5, "item_url": "http://www.ebay.com/itm/2", "image_url": "http://i.ebayimg.com/2.jpg"},
                {"item_id": "phish", "price": 5, "item_url": "https://ebay.com.evil.example/itm/3", "image_url": "https://evil.example/x.png"},
                {"item_id": "creds", "price": 5, "item_url": "https://user:pw@www.ebay.com/itm/4"},
                {"item_id": "rich", "price": 2_000_000, "item_url": "https://www.ebay.com/itm/5"},
                {"item_id": "long", "title": "x".repeat(500), "price": 5},
            ]),
        );
        let o = Observation::from_json(&body, now(), 90, &Hosts::default()).unwrap();
        let ids: Vec<&str> = o.listings.iter().map(|p| p.item_id.as_str()).collect();
        assert_eq!(ids, ["ok", "http", "phish", "creds", "long"], "prices past the largest are left out");
        assert_eq!(o.listings[0].title, "A  B");
        assert_eq!(o.listings[0].item_url, "https://www.ebay.com/itm/1");
        assert_eq!(o.listings[0].image_url.as_deref(), Some("https://i.ebayimg.com/1.jpg"));
        for p in &o.listings[1..4] {
            assert_eq!((p.item_url.as_str(), p.image_url.as_deref()), ("", None), "{}", p.item_id);
        }
        assert_eq!(o.listings[4].title.chars().count(), TITLE_CHARS);
        assert!(!o.signed, "unsigned until the recorder checks");
        let local = Hosts::parse("ebay.com, picsum.photos");
        assert!(local.allow("https://picsum.photos/seed/1/200").is_some());
    }
}
