//! An alert: a saved search phrase, how often it is mailed, and its price limits; what a request
//! may set and how the next run is scheduled.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::time::Timestamp;

use super::money::{Cents, Currency, MAX_PRICE};

/// Alerts one user may have.
pub const MAX_ALERTS_PER_USER: u32 = 20;
/// Characters of a search phrase, after trimming.
pub const MAX_PHRASE_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Paused,
    /// By the recipient, from an email's link: sends nothing more until its owner resumes it.
    Unsubscribed,
}

/// Minutes between two emails of an alert: 2, 10 or 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Frequency(u32);

impl Frequency {
    pub const CHOICES: [u32; 3] = [2, 10, 30];

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn period(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

impl TryFrom<u32> for Frequency {
    type Error = String;
    fn try_from(minutes: u32) -> Result<Self, String> {
        if Self::CHOICES.contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(format!("must be 2, 10 or 30 (minutes), got {minutes}"))
        }
    }
}

impl From<Frequency> for u32 {
    fn from(f: Frequency) -> u32 {
        f.0
    }
}

/// An alert as stored and shown (`owner` is the Cognito `sub`, never shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub alert_id: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub owner: String,
    pub email: String,
    pub search_phrase: String,
    pub frequency_minutes: Frequency,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_price: Option<Cents>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target_price: Option<Cents>,
    pub currency: Currency,
    pub status: Status,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_sent_at: Option<Timestamp>,
    /// The start of the period the next email belongs to: due from then on.
    pub next_run_at: Timestamp,
}

impl Alert {
    /// The phrase as searches are shared and duplicates found: trimmed, lower case, inner
    /// whitespace collapsed to one space.
    pub fn phrase_key(&self) -> String {
        normalise(&self.search_phrase)
    }
}

pub fn normalise(phrase: &str) -> String {
    phrase.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The period after `period` that an alert sends next, on its cadence: the first
/// `period + k × every` (k ≥ 1) after `now`. After an outage the missed periods are skipped, not
/// sent late in a burst.
pub fn next_period(period: Timestamp, every: Frequency, now: Timestamp) -> Timestamp {
    let step = every.period();
    let next = period + step;
    if next > now {
        return next;
    }
    let behind = (now - period).num_milliseconds();
    let periods = behind / step.num_milliseconds() + 1;
    period + step * periods as i32
}

/// A field of a request body that is wrong, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {reason}")]
pub struct Invalid {
    pub field: &'static str,
    pub reason: String,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> Invalid {
    Invalid { field, reason: reason.into() }
}

/// What `POST /alerts` asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub search_phrase: String,
    pub frequency: Frequency,
    pub max_price: Option<Cents>,
    pub target_price: Option<Cents>,
    pub currency: Currency,
}

const CREATE_FIELDS: &[&str] = &["search_phrase", "frequency_minutes", "max_price", "target_price", "currency"];
const CHANGE_FIELDS: &[&str] = &["search_phrase", "frequency_minutes", "max_price", "target_price", "status"];

fn unknown_field(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), Invalid> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Invalid {
            field: "body",
            reason: format!("has an unknown field {k:?}; the fields are {}", allowed.join(", ")),
        }),
        None => Ok(()),
    }
}

fn phrase(value: &Value) -> Result<String, Invalid> {
    let text = value.as_str().ok_or_else(|| invalid("search_phrase", "must be a string"))?;
    let trimmed = text.trim();
    match trimmed.chars().count() {
        0 => Err(invalid("search_phrase", "must not be empty")),
        n if n > MAX_PHRASE_CHARS => {
            Err(invalid("search_phrase", format!("must be at most {MAX_PHRASE_CHARS} characters, got {n}")))
        }
        _ if trimmed.chars().any(char::is_control) => Err(invalid("search_phrase", "must not hold control characters")),
        _ => Ok(trimmed.to_owned()),
    }
}

fn frequency(value: &Value) -> Result<Frequency, Invalid> {
    let minutes = value.as_u64().ok_or_else(|| invalid("frequency_minutes", "must be 2, 10 or 30 (minutes)"))?;
    Frequency::try_from(u32::try_from(minutes).unwrap_or(0)).map_err(|reason| invalid("frequency_minutes", reason))
}

/// A price: a JSON number (or a decimal string), positive, at most two decimals.
fn price(field: &'static str, value: &Value) -> Result<Cents, Invalid> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(invalid(field, "must be a number such as 19.99")),
    };
    let cents = Cents::parse(&text).map_err(|reason| invalid(field, reason))?;
    if cents.0 == 0 {
        return Err(invalid(field, "must be greater than 0"));
    }
    if cents > MAX_PRICE {
        return Err(invalid(field, format!("must be at most {MAX_PRICE}")));
    }
    Ok(cents)
}

fn optional_price(field: &'static str, body: &Map<String, Value>) -> Result<Option<Cents>, Invalid> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => price(field, value).map(Some),
    }
}

impl NewAlert {
    pub fn from_json(body: &Value) -> Result<Self, Invalid> {
        let body = body.as_object().ok_or_else(|| invalid("body", "must be a JSON object"))?;
        unknown_field(body, CREATE_FIELDS)?;
        let search_phrase = phrase(body.get("search_phrase").ok_or_else(|| invalid("search_phrase", "is required"))?)?;
        let frequency =
            frequency(body.get("frequency_minutes").ok_or_else(|| invalid("frequency_minutes", "is required"))?)?;
        let currency = match body.get("currency") {
            None | Some(Value::Null) => Currency::usd(),
            Some(Value::String(code)) => Currency::parse(code).map_err(|reason| invalid("currency", reason))?,
            Some(_) => return Err(invalid("currency", "must be a currency code such as \"USD\"")),
        };
        Ok(Self {
            search_phrase,
            frequency,
            max_price: optional_price("max_price", body)?,
            target_price: optional_price("target_price", body)?,
            currency,
        })
    }

    /// The alert as created: active, due at once (its first email goes out within a minute).
    pub fn into_alert(self, alert_id: String, owner: String, email: String, now: Timestamp) -> Alert {
        Alert {
            alert_id,
            owner,
            email,
            search_phrase: self.search_phrase,
            frequency_minutes: self.frequency,
            max_price: self.max_price,
            target_price: self.target_price,
            currency: self.currency,
            status: Status::Active,
            created_at: now,
            updated_at: now,
            last_sent_at: None,
            next_run_at: now,
        }
    }
}

/// What `PATCH /alerts/{id}` asks to change; `Some(None)` clears a price.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertChange {
    pub search_phrase: Option<String>,
    pub frequency: Option<Frequency>,
    pub max_price: Option<Option<Cents>>,
    pub target_price: Option<Option<Cents>>,
    /// `active` or `paused` (unsubscribing is the email link's).
    pub status: Option<Status>,
}

impl AlertChange {
    pub fn from_json(body: &Value) -> Result<Self, Invalid> {
        let body = body.as_object().ok_or_else(|| invalid("body", "must be a JSON object"))?;
        unknown_field(body, CHANGE_FIELDS)?;
        if body.is_empty() {
            return Err(invalid("body", format!("must change at least one of {}", CHANGE_FIELDS.join(", "))));
        }
        let clearable = |field: &'static str| -> Result<Option<Option<Cents>>, Invalid> {
            match body.get(field) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(None)),
                Some(value) => price(field, value).map(|p| Some(Some(p))),
            }
        };
        let status = match body.get("status") {
            None => None,
            Some(Value::String(s)) if s == "active" => Some(Status::Active),
            Some(Value::String(s)) if s == "paused" => Some(Status::Paused),
            Some(_) => return Err(invalid("status", "must be \"active\" or \"paused\"")),
        };
        let null_is_wrong = |field: &'static str| match body.get(field) {
            Some(Value::Null) => Err(invalid(field, "cannot be null")),
            _ => Ok(()),
        };
        null_is_wrong("search_phrase")?;
        null_is_wrong("frequency_minutes")?;
        Ok(Self {
            search_phrase: body.get("search_phrase").map(phrase).transpose()?,
            frequency: body.get("frequency_minutes").map(frequency).transpose()?,
            max_price: clearable("max_price")?,
            target_price: clearable("target_price")?,
            status,
        })
    }

    /// `alert` with the change applied at `now`. Resuming, or changing the frequency, keeps the
    /// cadence where it can: the next run is never earlier than `now`, and an alert whose period
    /// has already come is due at once.
    pub fn apply(&self, alert: &Alert, now: Timestamp) -> Alert {
        let mut next = alert.clone();
        if let Some(phrase) = &self.search_phrase {
            next.search_phrase = phrase.clone();
        }
        if let Some(max) = self.max_price {
            next.max_price = max;
        }
        if let Some(target) = self.target_price {
            next.target_price = target;
        }
        if let Some(frequency) = self.frequency {
            next.frequency_minutes = frequency;
            if let Some(sent) = alert.last_sent_at {
                next.next_run_at = (sent + frequency.period()).max(now);
            }
        }
        if let Some(status) = self.status {
            if status == Status::Active && alert.status != Status::Active {
                next.next_run_at = next.next_run_at.max(now);
            }
            next.status = status;
        }
        next.updated_at = now;
        next
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(s: &str) -> Timestamp {
        shared::time::parse(s).unwrap()
    }

    #[test]
    fn phrases_normalise() {
        assert_eq!(normalise("  Nintendo   Switch\tOLED "), "nintendo switch oled");
    }

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
            (json!({"search_phrase": "a", "frequency_minutes": 2, "frequency": 2}), "body"),
            (json!([1]), "body"),
        ] {
            assert_eq!(NewAlert::from_json(&body).unwrap_err().field, field, "{body}");
        }
    }

    #[test]
    fn the_next_period_keeps_the_cadence_and_skips_missed_periods() {
        let ten = Frequency::try_from(10).unwrap();
        let p = at("2026-11-24T10:00:00Z");
        assert_eq!(next_period(p, ten, at("2026-11-24T10:00:30Z")), at("2026-11-24T10:10:00Z"));
        // Sent late within the period: still on the cadence.
        assert_eq!(next_period(p, ten, at("2026-11-24T10:09:59Z")), at("2026-11-24T10:10:00Z"));
        // After an outage of 35 minutes: one email now, the next on the cadence.
        assert_eq!(next_period(p, ten, at("2026-11-24T10:35:00Z")), at("2026-11-24T10:40:00Z"));
        assert_eq!(next_period(p, ten, at("2026-11-24T10:40:00Z")), at("2026-11-24T10:50:00Z"));
    }

    #[test]
    fn changes_clear_prices_and_resume_no_earlier_than_now() {
        let now = at("2026-11-24T10:00:00Z");
        let alert = NewAlert::from_json(&json!({"search_phrase": "a", "frequency_minutes": 30, "target_price": 9}))
            .unwrap()
            .into_alert("a1".into(), "u".into(), "u@example.com".into(), now);
        let change = AlertChange::from_json(&json!({"target_price": null, "status": "paused"})).unwrap();
        let paused = change.apply(&alert, now);
        assert_eq!(paused.target_price, None);
        assert_eq!(paused.status, Status::Paused);
        let later = at("2026-11-24T12:00:00Z");
        let resumed = AlertChange::from_json(&json!({"status": "active"})).unwrap().apply(&paused, later);
        assert_eq!(resumed.next_run_at, later);
        assert!(AlertChange::from_json(&json!({})).is_err());
        assert_eq!(AlertChange::from_json(&json!({"status": "unsubscribed"})).unwrap_err().field, "status");
        assert_eq!(AlertChange::from_json(&json!({"search_phrase": null})).unwrap_err().field, "search_phrase");
    }
}
