//! An alert: a saved search phrase, how often it is mailed, and its price limits; what a change
//! does to it and how the next run is scheduled. What a request may set is read in
//! [`super::request`].

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};
use shared::time::Timestamp;

use super::{
    money::{Cents, Currency},
    product::Product,
};

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

/// When an alert emails: every run that finds listings (the default), or only when the listings
/// it would carry changed since its last email (a listing new to it, or a lower price).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyOn {
    #[default]
    EveryRun,
    Changes,
}

/// How an alert's last run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// An email went out.
    Sent,
    /// `notify_on: "changes"` and the listings were those of the last email: nothing sent.
    Unchanged,
    /// The search found no listing (within `max_price`): nothing sent.
    NoListings,
    /// The marketplace budget (the stack's, or the owner's share) was spent: skipped, nothing
    /// sent; the next period runs as usual.
    BudgetExhausted,
    /// The mail service refused or could not take the email.
    Failed,
}

/// An alert's last run: when, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    pub at: Timestamp,
    pub outcome: RunOutcome,
}

/// What an alert's last email carried, as `notify_on: "changes"` compares it: each listing's
/// total price by item id (at most the 20 listings of one email).
pub type Fingerprint = BTreeMap<String, Cents>;

/// The fingerprint of the listings an email carries.
pub fn fingerprint(products: &[Product]) -> Fingerprint {
    products.iter().map(|p| (p.item_id.clone(), p.total_price)).collect()
}

/// Whether `products` differ from the last email's (`last`) as the contract counts a change: a
/// listing the last email did not carry, or one now cheaper than it was then. Listings that
/// left, or got dearer, are no news. Before the first email everything is new.
pub fn changed(last: Option<&Fingerprint>, products: &[Product]) -> bool {
    let Some(last) = last else { return !products.is_empty() };
    products.iter().any(|p| last.get(&p.item_id).is_none_or(|before| p.total_price < *before))
}

/// Minutes between two emails of an alert: 2, 10 or 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "u32")]
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
            Err(format!("{FREQUENCY_EXPECTED}, got {minutes}"))
        }
    }
}

impl<'de> Deserialize<'de> for Frequency {
    /// As stored and as requested: a whole number of minutes, one of the choices.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let minutes = u32::deserialize(deserializer).map_err(|_| D::Error::custom(FREQUENCY_EXPECTED))?;
        Self::try_from(minutes).map_err(D::Error::custom)
    }
}

/// What a frequency that is not a whole number of minutes is told.
pub(crate) const FREQUENCY_EXPECTED: &str = "must be 2, 10 or 30 (minutes)";

impl From<Frequency> for u32 {
    fn from(f: Frequency) -> u32 {
        f.0
    }
}

/// An alert as stored (`owner` is the Cognito `sub`; the API's view of an alert leaves it out).
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
    #[serde(default)]
    pub notify_on: NotifyOn,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_run: Option<LastRun>,
    /// What the last email carried (stored, never shown).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub emailed: Option<Fingerprint>,
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

/// What `POST /alerts` asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub search_phrase: String,
    pub frequency: Frequency,
    pub max_price: Option<Cents>,
    pub target_price: Option<Cents>,
    pub currency: Currency,
    pub notify_on: NotifyOn,
}

impl NewAlert {
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
            notify_on: self.notify_on,
            last_run: None,
            emailed: None,
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
    pub notify_on: Option<NotifyOn>,
}

impl AlertChange {
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
        if let Some(notify_on) = self.notify_on {
            next.notify_on = notify_on;
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

    fn listing(id: &str, cents: i64) -> Product {
        Product {
            item_id: id.into(),
            title: id.into(),
            price: Cents(cents),
            shipping_cost: None,
            total_price: Cents(cents),
            currency: Currency::usd(),
            condition: None,
            image_url: None,
            item_url: format!("https://www.ebay.com/itm/{id}"),
            seller: None,
        }
    }

    #[test]
    fn a_change_is_a_new_listing_or_a_lower_price() {
        let last = fingerprint(&[listing("a", 500), listing("b", 700)]);
        assert!(!changed(Some(&last), &[listing("a", 500), listing("b", 700)]), "the same listings");
        assert!(!changed(Some(&last), &[listing("a", 500)]), "one left: no news");
        assert!(!changed(Some(&last), &[listing("a", 600), listing("b", 700)]), "dearer: no news");
        assert!(changed(Some(&last), &[listing("a", 499), listing("b", 700)]), "cheaper");
        assert!(changed(Some(&last), &[listing("a", 500), listing("c", 900)]), "new");
        assert!(changed(None, &[listing("a", 500)]), "the first email");
        assert!(!changed(None, &[]));
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
        let changes = AlertChange::from_json(&json!({"notify_on": "changes"})).unwrap().apply(&alert, now);
        assert_eq!(changes.notify_on, NotifyOn::Changes);
        assert_eq!(alert.notify_on, NotifyOn::EveryRun, "every run by default");
        assert_eq!(AlertChange::from_json(&json!({"status": "unsubscribed"})).unwrap_err().field, "status");
        assert_eq!(AlertChange::from_json(&json!({"search_phrase": null})).unwrap_err().field, "search_phrase");
    }
}
