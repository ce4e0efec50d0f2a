//! An order: what was asked for (symbol, quantity) and where it is in the pipeline.

use rand::RngExt;
use serde::{Deserialize, Serialize};
use shared::{
    auth::{Caller, STAFF},
    money::Micros,
    time::Timestamp,
};

/// 1 to 10 units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

impl TryFrom<i64> for Quantity {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        match n {
            1..=10 => Ok(Self(n as u32)),
            _ => Err(format!("must be between 1 and 10, got {n}")),
        }
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

impl Quantity {
    pub fn get(self) -> u32 {
        self.0
    }

    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self(rng.random_range(1..=10))
    }
}

/// Three characters, `A`-`Z` or `0`-`9`; lower-case letters are accepted and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(String);

const SYMBOL_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl TryFrom<String> for Symbol {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let upper = value.trim().to_ascii_uppercase();
        if upper.len() == 3 && upper.bytes().all(|b| SYMBOL_CHARS.contains(&b)) {
            Ok(Self(upper))
        } else {
            Err(format!("must be 3 characters A-Z or 0-9, got {value:?}"))
        }
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.0
    }
}

impl Symbol {
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self((0..3).map(|_| SYMBOL_CHARS[rng.random_range(0..SYMBOL_CHARS.len())] as char).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The serde names are the stored and returned ones (`"queued"`, `"processed"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Queued,
    Processed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub symbol: Symbol,
    pub quantity: Quantity,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    /// Millionths; set when processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_price: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_at: Option<Timestamp>,
    /// The `sub` of the user who posted it; generated orders have none. Written with the order
    /// and never changed; not part of the API's view of an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Order {
    /// An order as it enters the pipeline, posted (`owner`: the poster's `sub`) or generated
    /// (no owner): queued, not yet priced.
    pub fn queued(
        order_id: String,
        symbol: Symbol,
        quantity: Quantity,
        created_at: Timestamp,
        owner: Option<String>,
    ) -> Self {
        Self {
            order_id,
            symbol,
            quantity,
            status: OrderStatus::Queued,
            created_at,
            execution_price: None,
            processed_at: None,
            owner,
        }
    }

    /// Whether `caller` may see this order: its owner, and staff and admins any order (generated
    /// orders, which have no owner, only they).
    pub fn visible_to(&self, caller: &Caller) -> bool {
        caller.may_act_as(STAFF) || self.owner.as_deref() == Some(caller.sub.as_str())
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn quantities_and_symbols() {
        assert!(Quantity::try_from(0).is_err());
        assert!(Quantity::try_from(11).is_err());
        assert_eq!(Quantity::try_from(10).unwrap().get(), 10);
        assert_eq!(Symbol::try_from("ab1".to_owned()).unwrap().as_str(), "AB1");
        for bad in ["AB", "ABCD", "A-B", "ÅBC", ""] {
            assert!(Symbol::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let symbol = Symbol::random(&mut rng);
            assert!(Symbol::try_from(symbol.as_str().to_owned()).is_ok());
            assert!((1..=10).contains(&Quantity::random(&mut rng).get()));
        }
    }

    #[test]
    fn a_new_order_is_queued_without_a_price() {
        let created_at = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
        let order = Order::queued("o1".into(), "ABC".to_owned().try_into().unwrap(), Quantity(2), created_at, None);
        assert_eq!(order.status, OrderStatus::Queued);
        // The price and the processing time are absent, not null: the API omits them until set.
        assert_eq!(
            serde_json::to_value(&order).unwrap(),
            serde_json::json!({
                "order_id": "o1", "symbol": "ABC", "quantity": 2, "status": "queued",
                "created_at": "2026-11-22T10:30:00Z",
            })
        );
    }

    fn caller(sub: &str, groups: &[&str]) -> Caller {
        Caller {
            sub: sub.into(),
            email: None,
            email_verified: false,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    #[test]
    fn an_order_is_visible_to_its_owner_and_to_staff_and_admins() {
        let created_at = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
        let symbol: Symbol = "ABC".to_owned().try_into().unwrap();
        let posted = Order::queued("o1".into(), symbol.clone(), Quantity(1), created_at, Some("ada".into()));
        let generated = Order::queued("o2".into(), symbol, Quantity(1), created_at, None);
        let (ada, bob) = (caller("ada", &[]), caller("bob", &["provider", "analyst"]));
        let (staff, admin) = (caller("s", &["staff"]), caller("a", &["admin"]));
        assert!(posted.visible_to(&ada) && !posted.visible_to(&bob));
        assert!(posted.visible_to(&staff) && posted.visible_to(&admin));
        assert!(!generated.visible_to(&ada) && !generated.visible_to(&bob), "no owner is nobody's");
        assert!(generated.visible_to(&staff) && generated.visible_to(&admin));
        // The owner is stored with the order, and read back.
        let stored = serde_json::to_value(&posted).unwrap();
        assert_eq!(stored["owner"], "ada");
        assert_eq!(serde_json::from_value::<Order>(stored).unwrap().owner.as_deref(), Some("ada"));
    }

    #[test]
    fn statuses_have_their_contract_names() {
        assert_eq!(serde_json::to_value(OrderStatus::Queued).unwrap(), "queued");
        assert_eq!(serde_json::to_value(OrderStatus::Processed).unwrap(), "processed");
    }
}
