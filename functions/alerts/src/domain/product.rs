//! A marketplace listing as alerts show it, and which of a search's listings an email carries.

use serde::{Deserialize, Serialize};
use shared::time::Timestamp;

use super::money::{Cents, Currency};

/// Listings one email carries.
pub const PER_EMAIL: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub item_id: String,
    pub title: String,
    pub price: Cents,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shipping_cost: Option<Cents>,
    /// Price plus shipping: what the buyer pays, and what listings are ranked by.
    pub total_price: Cents,
    pub currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub image_url: Option<String>,
    pub item_url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub seller: Option<String>,
}

/// A search's listings as fetched at one time: what the last email of an alert carried, or a
/// search result kept for the next alerts of the same search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Products {
    pub fetched_at: Timestamp,
    pub products: Vec<Product>,
}

/// The [`PER_EMAIL`] cheapest of `products` by total price (item id breaks ties, so the order
/// is stable), only those at or below `max_price` when set: what one alert's email carries.
/// `max_price` bounds what the buyer pays, so it is compared with the total.
pub fn cheapest(products: &[Product], max_price: Option<Cents>) -> Vec<Product> {
    let mut chosen: Vec<Product> =
        products.iter().filter(|p| max_price.is_none_or(|max| p.total_price <= max)).cloned().collect();
    chosen.sort_by(|a, b| a.total_price.cmp(&b.total_price).then_with(|| a.item_id.cmp(&b.item_id)));
    chosen.dedup_by(|a, b| a.item_id == b.item_id);
    chosen.truncate(PER_EMAIL);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, price: i64, shipping: i64) -> Product {
        Product {
            item_id: id.into(),
            title: format!("item {id}"),
            price: Cents(price),
            shipping_cost: Some(Cents(shipping)),
            total_price: Cents(price + shipping),
            currency: Currency::usd(),
            condition: None,
            image_url: None,
            item_url: format!("https://example.com/{id}"),
            seller: None,
        }
    }

    #[test]
    fn the_cheapest_by_total_within_the_limit() {
        let mut products: Vec<Product> = (0..30).map(|i| product(&format!("p{i:02}"), 1000 - i * 10, i * 25)).collect();
        products.push(product("free-shipping", 990, 0));
        let chosen = cheapest(&products, Some(Cents(1100)));
        assert!(chosen.windows(2).all(|w| w[0].total_price <= w[1].total_price));
        assert!(chosen.iter().all(|p| p.total_price <= Cents(1100)));
        assert_eq!(chosen[0].item_id, "free-shipping");
        assert_eq!(chosen[1].item_id, "p00");
        // Totals 1000 + 15 i: p06 is the last within 1100, so free-shipping and p00..p06.
        assert_eq!(chosen.len(), 8);
        assert_eq!(cheapest(&products, None).len(), PER_EMAIL);
    }
}
