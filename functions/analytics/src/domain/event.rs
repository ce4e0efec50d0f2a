//! An `order.created` event as the contract fixes it: validated from the JSON it arrived as,
//! whichever door it took, with the fields the rollups need pulled out and the original kept
//! (with a canonical fingerprint) for `GET /events/{id}` and duplicate detection.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use shared::{
    money::Micros,
    time::{self, Timestamp},
};

use super::currency::{Currency, NOT_A_CURRENCY};

/// The only event type the service takes.
pub const ORDER_CREATED: &str = "order.created";
/// Line items one event may carry.
pub const MAX_LINE_ITEMS: usize = 500;
/// One event's JSON, at most.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// Any string of an event, at most (characters).
pub const MAX_STRING_CHARS: usize = 256;
/// `event_id`, at most (characters).
pub const MAX_EVENT_ID_CHARS: usize = 128;
/// The most bytes (UTF-8) of an id that keys a rollup (the customer id, the province as keyed,
/// a line item id): with a date and a separator it stays under DynamoDB's 1,024-byte sort key.
pub const MAX_KEY_BYTES: usize = 1000;
/// A line item's quantity, at most: far beyond any real order, far below any overflow.
pub const MAX_QUANTITY: u64 = 1_000_000_000;

/// Why a JSON value is not an event; each names the field (a path inside the event).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("an event must be a JSON object")]
    NotAnObject,
    #[error("the event is {0} bytes; the limit is {MAX_EVENT_BYTES}")]
    TooLarge(usize),
    #[error("missing field `{0}`")]
    Missing(String),
    #[error("`{field}` {reason}")]
    Field { field: String, reason: String },
    /// A well-formed event of a type the service does not take (a 422, not a 400).
    #[error("`event_type` {0:?} is not supported; only \"order.created\" is")]
    UnsupportedType(String),
}

fn field(field: &str, reason: impl Into<String>) -> Invalid {
    Invalid::Field { field: field.to_owned(), reason: reason.into() }
}

/// Refuses an id that keys a rollup if it is longer than [`MAX_KEY_BYTES`] in UTF-8.
fn key_bytes(name: &str, id: &str) -> Result<(), Invalid> {
    match id.len() {
        len if len > MAX_KEY_BYTES => {
            Err(field(name, format!("is {len} bytes in UTF-8; the limit is {MAX_KEY_BYTES}")))
        }
        _ => Ok(()),
    }
}

/// A line item: its id, and the quantity ordered (≥ 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub id: String,
    pub quantity: u64,
}

/// A valid `order.created` event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event_id: String,
    /// `lovevery_user_id` (or its alias `customer_id`).
    pub customer_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub currency: Currency,
    pub order_value: Micros,
    /// The shipping province, trimmed, as sent (shown in answers).
    pub province: String,
    pub accepts_marketing: bool,
    /// Quantities summed per line item id, in first-seen order.
    pub line_items: Vec<LineItem>,
    /// `occurred_at` if the event carries one; otherwise it happened when it was received.
    pub occurred_at: Option<Timestamp>,
    /// The event as sent.
    pub raw: Map<String, Value>,
}

impl Event {
    /// Validates one event. Only the fields the contract names are checked (and every string of
    /// the event for its length); anything else is kept as sent.
    pub fn from_json(value: &Value) -> Result<Self, Invalid> {
        let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > MAX_EVENT_BYTES {
            return Err(Invalid::TooLarge(size));
        }
        let raw = value.as_object().ok_or(Invalid::NotAnObject)?;
        check_strings("", value)?;
        let event_type = required_str(raw, "event_type")?;
        let event_id = required_str(raw, "event_id")?;
        let chars = event_id.chars().count();
        if chars == 0 || chars > MAX_EVENT_ID_CHARS {
            return Err(field("event_id", format!("must be 1 to {MAX_EVENT_ID_CHARS} characters")));
        }
        if event_type != ORDER_CREATED {
            return Err(Invalid::UnsupportedType(event_type.to_owned()));
        }
        let customer_id = customer_id(raw)?;
        key_bytes(if raw.contains_key("lovevery_user_id") { "lovevery_user_id" } else { "customer_id" }, &customer_id)?;
        let currency = required_str(raw, "currency")?;
        let currency = Currency::try_from(currency.to_owned())
            .map_err(|_| field("currency", format!("{NOT_A_CURRENCY}, got {currency:?}")))?;
        let order_value = money(raw, "order_value")?.ok_or_else(|| Invalid::Missing("order_value".into()))?;
        money(raw, "total_discounts")?;
        money(raw, "total_tax")?;
        let shipping = match raw.get("shipping_address") {
            None | Some(Value::Null) => return Err(Invalid::Missing("shipping_address".into())),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(field("shipping_address", "must be an object")),
        };
        let province = nested_str(shipping, "shipping_address.province")?.trim().to_owned();
        if province.is_empty() {
            return Err(field("shipping_address.province", "must not be empty"));
        }
        key_bytes("shipping_address.province", &province_key(&province))?;
        if nested_str(shipping, "shipping_address.country")?.trim().is_empty() {
            return Err(field("shipping_address.country", "must not be empty"));
        }
        let accepts_marketing = match raw.get("buyer_accepts_marketing") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(field("buyer_accepts_marketing", "must be true or false")),
        };
        let occurred_at = match raw.get("occurred_at") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(time::parse(s).map_err(|e| field("occurred_at", e))?),
            Some(_) => return Err(field("occurred_at", "must be an RFC 3339 timestamp")),
        };
        Ok(Self {
            event_id: event_id.to_owned(),
            customer_id,
            email: optional_str(raw, "email")?,
            first_name: optional_str(raw, "first_name")?,
            last_name: optional_str(raw, "last_name")?,
            currency,
            order_value,
            province,
            accepts_marketing,
            line_items: line_items(raw)?,
            occurred_at,
            raw: raw.clone(),
        })
    }

    /// The event's canonical form (keys sorted, no whitespace) and its SHA-256: the same event
    /// sent twice has the same fingerprint, whatever the order of its keys.
    pub fn canonical(&self) -> String {
        // serde_json's map keeps keys sorted (no `preserve_order`), so this is canonical.
        serde_json::to_string(&self.raw).unwrap_or_default()
    }

    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.canonical().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The province as the rollups key it: trimmed and lowercased, so that "Idaho" and " idaho"
    /// are one province.
    pub fn province_key(&self) -> String {
        province_key(&self.province)
    }
}

/// A province as the rollups and the `province` query parameter match it.
pub fn province_key(province: &str) -> String {
    province.trim().to_lowercase()
}

fn check_strings(path: &str, value: &Value) -> Result<(), Invalid> {
    match value {
        Value::String(s) if s.chars().count() > MAX_STRING_CHARS => {
            Err(field(path, format!("is longer than {MAX_STRING_CHARS} characters")))
        }
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, v)| check_strings(&format!("{path}[{i}]"), v))
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let path = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            check_strings(&path, v)
        }),
        _ => Ok(()),
    }
}

fn required_str<'a>(raw: &'a Map<String, Value>, name: &str) -> Result<&'a str, Invalid> {
    match raw.get(name) {
        None | Some(Value::Null) => Err(Invalid::Missing(name.to_owned())),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(field(name, "must be a string")),
    }
}

/// A string inside an object; `path` is how errors name it.
fn nested_str<'a>(map: &'a Map<String, Value>, path: &str) -> Result<&'a str, Invalid> {
    let name = path.rsplit('.').next().unwrap_or(path);
    match map.get(name) {
        None | Some(Value::Null) => Err(Invalid::Missing(path.to_owned())),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(field(path, "must be a string")),
    }
}

fn optional_str(raw: &Map<String, Value>, name: &str) -> Result<Option<String>, Invalid> {
    match raw.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(field(name, "must be a string")),
    }
}

/// `lovevery_user_id`, or its alias `customer_id` (not both, unless equal): a non-empty string.
fn customer_id(raw: &Map<String, Value>) -> Result<String, Invalid> {
    let pick = |name: &str| -> Result<Option<String>, Invalid> {
        match raw.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(field(name, "must be a non-empty string")),
        }
    };
    match (pick("lovevery_user_id")?, pick("customer_id")?) {
        (Some(a), Some(b)) if a != b => {
            Err(field("customer_id", "differs from `lovevery_user_id`; send one of them (they are aliases)"))
        }
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => Err(Invalid::Missing("lovevery_user_id".into())),
    }
}

fn money(raw: &Map<String, Value>, name: &str) -> Result<Option<Micros>, Invalid> {
    let text = match raw.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(_) => return Err(field(name, "must be a number or a decimal string")),
    };
    Micros::parse(&text).map(Some).map_err(|reason| field(name, reason))
}

fn line_items(raw: &Map<String, Value>) -> Result<Vec<LineItem>, Invalid> {
    let items = match raw.get("line_items") {
        None | Some(Value::Null) => return Err(Invalid::Missing("line_items".into())),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(field("line_items", "must be an array")),
    };
    if items.len() > MAX_LINE_ITEMS {
        return Err(field("line_items", format!("has {} items; the limit is {MAX_LINE_ITEMS}", items.len())));
    }
    let mut summed: Vec<LineItem> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let at = |name: &str| format!("line_items[{i}].{name}");
        let item = item.as_object().ok_or_else(|| field(&format!("line_items[{i}]"), "must be an object"))?;
        let id = match item.get("id") {
            None | Some(Value::Null) => return Err(Invalid::Missing(at("id"))),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            // Ids that arrive as numbers are ids all the same.
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(field(&at("id"), "must be a non-empty string")),
        };
        let quantity = match item.get("quantity") {
            None | Some(Value::Null) => return Err(Invalid::Missing(at("quantity"))),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            Some(_) => None,
        }
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| {
            field(&at("quantity"), format!("must be an integer from 1 to {MAX_QUANTITY} (or a string holding one)"))
        })?;
        key_bytes(&at("id"), &id)?;
        match index.get(&id) {
            Some(&at) => summed[at].quantity += quantity,
            None => {
                index.insert(id.clone(), summed.len());
                summed.push(LineItem { id, quantity });
            }
        }
    }
    Ok(summed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    pub fn sample() -> Value {
        json!({"event_type": "order.created", "event_id": "e-1", "lovevery_user_id": "66f6",
            "email": "dan@example.com", "first_name": "dan", "last_name": "dyer",
            "shipping_address": {"province": " Idaho ", "country": "United States"},
            "currency": "USD", "order_value": 5.0, "buyer_accepts_marketing": true,
            "line_items": [{"quantity": "2", "id": "a"}, {"quantity": 3, "id": "b"}, {"quantity": "1", "id": "a"}],
            "occurred_at": "2020-09-01T10:00:00Z"})
    }

    fn with(change: impl FnOnce(&mut Map<String, Value>)) -> Result<Event, Invalid> {
        let mut value = sample();
        change(value.as_object_mut().unwrap());
        Event::from_json(&value)
    }

    #[test]
    fn a_sample_event_is_read_with_its_line_items_summed() {
        let event = Event::from_json(&sample()).unwrap();
        assert_eq!(event.customer_id, "66f6");
        assert_eq!(event.order_value, Micros(5_000_000));
        assert_eq!(event.province_key(), "idaho");
        assert_eq!(
            event.line_items,
            [LineItem { id: "a".into(), quantity: 3 }, LineItem { id: "b".into(), quantity: 3 }]
        );
        assert_eq!(event.occurred_at, Some(time::parse("2020-09-01T10:00:00Z").unwrap()));
    }

    /// Money is `shared::money` (its own tests read every form of decimal): an event's figures as
    /// JSON numbers, exponents included.
    #[test]
    fn money_fields_take_json_numbers_with_exponents() {
        let value = |v: Value| with(|m| drop(m.insert("order_value".into(), v))).map(|e| e.order_value);
        assert_eq!(value(json!(1.5e2)), Ok(Micros(150_000_000)), "a JSON number with an exponent");
        assert_eq!(value(json!(0.001)), Ok(Micros(1_000)));
        assert_eq!(value(json!("0.1")), Ok(Micros(100_000)), "a decimal string");
    }

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_content() {
        let a = Event::from_json(&sample()).unwrap();
        let reordered: Value = serde_json::from_str(
            &sample().to_string().replace(r#""currency":"USD","#, "").replacen('{', r#"{"currency":"USD","#, 1),
        )
        .unwrap();
        assert_eq!(Event::from_json(&reordered).unwrap().fingerprint(), a.fingerprint());
        let other = with(|m| {
            m.insert("order_value".into(), json!(6));
        })
        .unwrap();
        assert_ne!(other.fingerprint(), a.fingerprint());
    }

    #[test]
    fn bad_events_name_the_field() {
        type Change = Box<dyn FnOnce(&mut Map<String, Value>)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|m| drop(m.remove("event_id"))), "event_id"),
            (Box::new(|m| drop(m.insert("event_id".into(), json!("")))), "event_id"),
            (Box::new(|m| drop(m.remove("lovevery_user_id"))), "lovevery_user_id"),
            (Box::new(|m| drop(m.insert("currency".into(), json!("usd")))), "currency"),
            (Box::new(|m| drop(m.insert("order_value".into(), json!(-1)))), "order_value"),
            (Box::new(|m| drop(m.insert("order_value".into(), json!("abc")))), "order_value"),
            (Box::new(|m| drop(m.insert("order_value".into(), json!("1.0000001")))), "order_value"),
            (Box::new(|m| drop(m.insert("total_tax".into(), json!(true)))), "total_tax"),
            (
                Box::new(|m| drop(m.insert("line_items".into(), json!([{"id": "a", "quantity": "two"}])))),
                "line_items[0].quantity",
            ),
            (
                Box::new(|m| drop(m.insert("line_items".into(), json!([{"id": "a", "quantity": 0}])))),
                "line_items[0].quantity",
            ),
            (Box::new(|m| drop(m.insert("line_items".into(), json!([{"id": "", "quantity": 1}])))), "line_items[0].id"),
            (Box::new(|m| drop(m.insert("occurred_at".into(), json!("yesterday")))), "occurred_at"),
            (
                Box::new(|m| drop(m.insert("shipping_address".into(), json!({"country": "US"})))),
                "shipping_address.province",
            ),
            (Box::new(|m| drop(m.insert("email".into(), json!("x".repeat(257))))), "email"),
        ];
        for (change, name) in cases {
            let err = with(change).unwrap_err();
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        let too_many: Vec<Value> = (0..501).map(|i| json!({"id": i.to_string(), "quantity": 1})).collect();
        assert!(
            with(|m| drop(m.insert("line_items".into(), json!(too_many))))
                .unwrap_err()
                .to_string()
                .contains("line_items")
        );
        assert_eq!(
            with(|m| drop(m.insert("event_type".into(), json!("order.updated")))).unwrap_err(),
            Invalid::UnsupportedType("order.updated".into())
        );
        // 256 characters of 4 bytes each: within the character limit, past the key's bytes.
        let wide = "\u{1F600}".repeat(256);
        let err = with(|m| {
            drop(m.insert("line_items".into(), json!([{"id": "a", "quantity": 1}, {"id": wide, "quantity": 1}])))
        })
        .unwrap_err();
        assert!(err.to_string().contains("line_items[1].id"), "{err}");
        let err = with(|m| drop(m.insert("lovevery_user_id".into(), json!(wide)))).unwrap_err();
        assert!(err.to_string().contains("lovevery_user_id"), "{err}");
        let err = with(|m| drop(m.insert("shipping_address".into(), json!({"province": wide, "country": "US"}))))
            .unwrap_err();
        assert!(err.to_string().contains("shipping_address.province"), "{err}");
        assert!(with(|m| drop(m.insert("lovevery_user_id".into(), json!("\u{1F600}".repeat(250))))).is_ok());
        let huge: Vec<Value> = (0..500).map(|i| json!({"id": format!("{i:0>200}"), "quantity": 1})).collect();
        assert!(matches!(with(|m| drop(m.insert("line_items".into(), json!(huge)))), Err(Invalid::TooLarge(_))));
    }
}
