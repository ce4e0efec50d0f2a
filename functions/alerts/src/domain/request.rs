//! What a request may set, read field by field into types that cannot hold a bad value: a
//! refusal names its field (`search_phrase`, `max_price`, ...) with the reason, and a field the
//! route does not take is refused naming `body` (a misspelt `frequency` would otherwise be
//! silently ignored and the alert made without it).

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

use super::{
    alert::{AlertChange, FREQUENCY_EXPECTED, Frequency, MAX_PHRASE_CHARS, NewAlert, NotifyOn, Status},
    money::{Cents, Currency, MAX_PRICE},
};

/// A field of a request body that is wrong, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {reason}")]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

/// The reason of a field the request must carry.
pub const REQUIRED: &str = "is required";

fn invalid(field: &str, reason: impl Into<String>) -> Invalid {
    Invalid { field: field.to_owned(), reason: reason.into() }
}

impl Invalid {
    /// A refusal of serde's, at the path it names (`body` for the body itself).
    fn from_serde(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        // The whole body (or an array where an object is due) is the body's problem.
        let field = if path == "." || path.starts_with('[') { "body".to_owned() } else { path };
        Self { field, reason: err.into_inner().to_string() }
    }
}

/// A search phrase as a request gives it: trimmed, 1 to [`MAX_PHRASE_CHARS`] characters, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPhrase(String);

impl SearchPhrase {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        match trimmed.chars().count() {
            0 => Err("must not be empty".into()),
            n if n > MAX_PHRASE_CHARS => Err(format!("must be at most {MAX_PHRASE_CHARS} characters, got {n}")),
            _ if trimmed.chars().any(char::is_control) => Err("must not hold control characters".into()),
            _ => Ok(Self(trimmed.to_owned())),
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

const PHRASE_EXPECTED: &str = "must be a string";

impl<'de> Deserialize<'de> for SearchPhrase {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer).map_err(|_| D::Error::custom(PHRASE_EXPECTED))?;
        Self::parse(&text).map_err(D::Error::custom)
    }
}

/// A price limit as a request gives it: a JSON number (or a decimal string), greater than 0, at
/// most [`MAX_PRICE`], at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price(pub Cents);

const PRICE_EXPECTED: &str = "must be a number such as 19.99";

impl Price {
    pub fn parse(text: &str) -> Result<Self, String> {
        let cents = Cents::parse(text)?;
        if cents.0 == 0 {
            return Err("must be greater than 0".into());
        }
        if cents > MAX_PRICE {
            return Err(format!("must be at most {MAX_PRICE}"));
        }
        Ok(Self(cents))
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A number's own text (`12.3`, as written), so that no float rounding comes in between.
        let text = match Value::deserialize(deserializer)? {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s,
            _ => return Err(D::Error::custom(PRICE_EXPECTED)),
        };
        Self::parse(&text).map_err(D::Error::custom)
    }
}

/// A currency code as a request gives it (absent or null: none asked for).
fn currency<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Currency>, D::Error> {
    let code = Option::<String>::deserialize(deserializer)
        .map_err(|_| D::Error::custom("must be a currency code such as \"USD\""))?;
    code.map(|code| Currency::parse(&code)).transpose().map_err(D::Error::custom)
}

/// Tells a field given as `null` (`Some(None)`) from an absent one (`None`).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The statuses a request may set: pausing and resuming (unsubscribing is the email link's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requested(pub Status);

const STATUS_EXPECTED: &str = "must be \"active\" or \"paused\"";

impl<'de> Deserialize<'de> for Requested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Settable {
            Active,
            Paused,
        }
        match Settable::deserialize(deserializer).map_err(|_| D::Error::custom(STATUS_EXPECTED))? {
            Settable::Active => Ok(Self(Status::Active)),
            Settable::Paused => Ok(Self(Status::Paused)),
        }
    }
}

const CHANGE_FIELDS: &[&str] =
    &["search_phrase", "frequency_minutes", "max_price", "target_price", "status", "notify_on"];

/// `notify_on` as a request gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notify(pub NotifyOn);

const NOTIFY_EXPECTED: &str = "must be \"every_run\" or \"changes\"";

impl<'de> Deserialize<'de> for Notify {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        NotifyOn::deserialize(deserializer).map(Self).map_err(|_| D::Error::custom(NOTIFY_EXPECTED))
    }
}

/// `POST /alerts` as sent.
#[derive(Debug, Deserialize)]
pub struct NewAlertBody {
    #[serde(default, deserialize_with = "nullable")]
    search_phrase: Option<Option<SearchPhrase>>,
    #[serde(default, deserialize_with = "nullable")]
    frequency_minutes: Option<Option<Frequency>>,
    #[serde(default)]
    max_price: Option<Price>,
    #[serde(default)]
    target_price: Option<Price>,
    /// USD when absent.
    #[serde(default, deserialize_with = "currency")]
    currency: Option<Currency>,
    /// `every_run` when absent.
    #[serde(default, deserialize_with = "nullable")]
    notify_on: Option<Option<Notify>>,
}

impl TryFrom<NewAlertBody> for NewAlert {
    type Error = Invalid;

    fn try_from(body: NewAlertBody) -> Result<Self, Invalid> {
        let search_phrase = match body.search_phrase {
            None => return Err(invalid("search_phrase", REQUIRED)),
            Some(None) => return Err(invalid("search_phrase", PHRASE_EXPECTED)),
            Some(Some(phrase)) => phrase.into_string(),
        };
        let frequency = match body.frequency_minutes {
            None => return Err(invalid("frequency_minutes", REQUIRED)),
            Some(None) => return Err(invalid("frequency_minutes", FREQUENCY_EXPECTED)),
            Some(Some(frequency)) => frequency,
        };
        Ok(Self {
            search_phrase,
            frequency,
            max_price: body.max_price.map(|p| p.0),
            target_price: body.target_price.map(|p| p.0),
            currency: body.currency.unwrap_or_else(Currency::usd),
            notify_on: not_null("notify_on", body.notify_on)?.map_or(NotifyOn::EveryRun, |n| n.0),
        })
    }
}

impl NewAlert {
    /// A body given as JSON (tools and tests; the HTTP layer reads the request's bytes).
    pub fn from_json(body: &Value) -> Result<Self, Invalid> {
        serde_path_to_error::deserialize::<_, NewAlertBody>(body).map_err(Invalid::from_serde)?.try_into()
    }
}

/// `PATCH /alerts/{id}` as sent: an absent field is kept, a price given as `null` is cleared.
#[derive(Debug, Deserialize)]
pub struct AlertChangeBody {
    #[serde(default, deserialize_with = "nullable")]
    search_phrase: Option<Option<SearchPhrase>>,
    #[serde(default, deserialize_with = "nullable")]
    frequency_minutes: Option<Option<Frequency>>,
    #[serde(default, deserialize_with = "nullable")]
    max_price: Option<Option<Price>>,
    #[serde(default, deserialize_with = "nullable")]
    target_price: Option<Option<Price>>,
    #[serde(default, deserialize_with = "nullable")]
    status: Option<Option<Requested>>,
    #[serde(default, deserialize_with = "nullable")]
    notify_on: Option<Option<Notify>>,
}

/// A field that may be absent but not cleared.
fn not_null<T>(field: &str, value: Option<Option<T>>) -> Result<Option<T>, Invalid> {
    match value {
        Some(None) => Err(invalid(field, "cannot be null")),
        Some(Some(value)) => Ok(Some(value)),
        None => Ok(None),
    }
}

impl TryFrom<AlertChangeBody> for AlertChange {
    type Error = Invalid;

    fn try_from(body: AlertChangeBody) -> Result<Self, Invalid> {
        let status = match body.status {
            None => None,
            Some(None) => return Err(invalid("status", STATUS_EXPECTED)),
            Some(Some(requested)) => Some(requested.0),
        };
        let change = Self {
            search_phrase: not_null("search_phrase", body.search_phrase)?.map(SearchPhrase::into_string),
            frequency: not_null("frequency_minutes", body.frequency_minutes)?,
            max_price: body.max_price.map(|max| max.map(|p| p.0)),
            target_price: body.target_price.map(|target| target.map(|p| p.0)),
            status,
            notify_on: not_null("notify_on", body.notify_on)?.map(|n| n.0),
        };
        if change == Self::default() {
            return Err(invalid("body", format!("must change at least one of {}", CHANGE_FIELDS.join(", "))));
        }
        Ok(change)
    }
}

impl AlertChange {
    /// A body given as JSON (tools and tests; the HTTP layer reads the request's bytes).
    pub fn from_json(body: &Value) -> Result<Self, Invalid> {
        serde_path_to_error::deserialize::<_, AlertChangeBody>(body).map_err(Invalid::from_serde)?.try_into()
    }
}

/// `PATCH /preferences` as sent.
#[derive(Debug, Deserialize)]
pub struct PreferencesBody {
    #[serde(default, deserialize_with = "nullable")]
    insights: Option<Option<Switch>>,
}

/// `true` or `false`, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Switch(bool);

const SWITCH_EXPECTED: &str = "must be true or false";

impl<'de> Deserialize<'de> for Switch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        bool::deserialize(deserializer).map(Self).map_err(|_| D::Error::custom(SWITCH_EXPECTED))
    }
}

impl PreferencesBody {
    /// Whether the user asks for insight emails.
    pub fn insights(self) -> Result<bool, Invalid> {
        match self.insights {
            None => Err(invalid("insights", REQUIRED)),
            Some(None) => Err(invalid("insights", SWITCH_EXPECTED)),
            Some(Some(Switch(on))) => Ok(on),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_new_alert_is_checked_field_by_field() {
        let ok =
            NewAlert::from_json(&json!({"search_phrase": " lego ", "frequency_minutes": 10, "max_price": 50})).unwrap();
        assert_eq!(ok.search_phrase, "lego");
        assert_eq!(ok.max_price, Some(Cents(5000)));
        assert_eq!(ok.currency, Currency::usd());
        for (body, field) in [
            (json!({"frequency_minutes": 10}), "search_phrase"),
            (json!({"search_phrase": "  ", "frequency_minutes": 10}), "search_phrase"),
            (json!({"search_phrase": "x".repeat(101), "frequency_minutes": 10}), "search_phrase"),
            (json!({"search_phrase": "a", "frequency_minutes": 5}), "frequency_minutes"),
            (json!({"search_phrase": "a", "frequency_minutes": "10"}), "frequency_minutes"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "max_price": -1}), "max_price"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "max_price": "cheap"}), "max_price"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "target_price": 1.234}), "target_price"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "currency": "XYZ"}), "currency"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "notify_on": "sometimes"}), "notify_on"),
            (json!({"search_phrase": "a", "frequency_minutes": 2, "notify_on": null}), "notify_on"),
            (json!([1]), "body"),
        ] {
            assert_eq!(NewAlert::from_json(&body).unwrap_err().field, field, "{body}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored_as_everywhere() {
        let alert = NewAlert::from_json(&json!({"search_phrase": "a", "frequency_minutes": 2, "frequency": 5}));
        assert!(alert.is_ok(), "{alert:?}");
    }

    #[test]
    fn refusals_keep_their_reasons() {
        let reason = |body: Value| NewAlert::from_json(&body).unwrap_err().to_string();
        assert_eq!(reason(json!({"frequency_minutes": 10})), "`search_phrase` is required");
        assert_eq!(reason(json!({"search_phrase": 5, "frequency_minutes": 10})), "`search_phrase` must be a string");
        assert_eq!(
            reason(json!({"search_phrase": "a", "frequency_minutes": "10"})),
            "`frequency_minutes` must be 2, 10 or 30 (minutes)"
        );
        assert_eq!(
            reason(json!({"search_phrase": "a", "frequency_minutes": 5})),
            "`frequency_minutes` must be 2, 10 or 30 (minutes), got 5"
        );
        assert_eq!(
            reason(json!({"search_phrase": "a", "frequency_minutes": 2, "max_price": 0})),
            "`max_price` must be greater than 0"
        );
        assert_eq!(
            reason(json!({"search_phrase": "a", "frequency_minutes": 2, "max_price": true})),
            "`max_price` must be a number such as 19.99"
        );
        assert_eq!(
            reason(json!({"search_phrase": "a", "frequency_minutes": 2, "currency": 1})),
            "`currency` must be a currency code such as \"USD\""
        );
        let ok = NewAlert::from_json(&json!({"search_phrase": "a", "frequency_minutes": 2, "target_price": "12.30",
                                             "max_price": 45.5, "currency": null}))
        .unwrap();
        assert_eq!(
            (ok.target_price, ok.max_price, ok.currency),
            (Some(Cents(1230)), Some(Cents(4550)), Currency::usd())
        );
        let change = |body: Value| AlertChange::from_json(&body);
        assert_eq!(change(json!({"status": null})).unwrap_err().reason, STATUS_EXPECTED);
        assert_eq!(change(json!({"frequency_minutes": null})).unwrap_err().reason, "cannot be null");
        assert_eq!(change(json!({"max_price": null})).unwrap().max_price, Some(None), "null clears");
        assert_eq!(change(json!({"max_price": 3})).unwrap().max_price, Some(Some(Cents(300))));
        assert_eq!(change(json!({"status": "paused"})).unwrap().max_price, None, "absent keeps");
        assert!(change(json!({})).unwrap_err().reason.starts_with("must change at least one of"));
    }

    #[test]
    fn preferences_take_insights_only() {
        let insights = |body: Value| {
            serde_path_to_error::deserialize::<_, PreferencesBody>(&body).map_err(Invalid::from_serde)?.insights()
        };
        assert_eq!(insights(json!({"insights": false})), Ok(false));
        assert_eq!(insights(json!({"insights": "no"})).unwrap_err().to_string(), "`insights` must be true or false");
        assert_eq!(insights(json!({})).unwrap_err().reason, REQUIRED);
        assert_eq!(
            insights(json!({"insights": true, "digest": 1})),
            Ok(true),
            "unknown fields are ignored, as everywhere"
        );
    }
}
