//! A registered customer and what makes one valid: a name, a phone number that identifies them,
//! an optional e-mail address, and whether they are a VIP.

use std::fmt;

use serde::{Deserialize, Serialize};
use shared::{person::PersonName, time::Timestamp};

use super::Notify;

/// A phone number, normalised to an optional leading `+` and 7 to 15 digits (the E.164 range).
/// Spaces, dots, dashes and parentheses are accepted as separators and dropped, so
/// `+44 (20) 7946-0958` and `+442079460958` are the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl TryFrom<String> for PhoneNumber {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(format!("is not a phone number: unexpected character {c:?}")),
            }
        }
        match digits.len() {
            7..=15 => Ok(Self(format!("{plus}{digits}"))),
            n => Err(format!("is not a phone number: expected 7 to 15 digits, got {n}")),
        }
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> String {
        phone.0
    }
}

impl PhoneNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked for shape only (one `@`, a dot in the domain, no spaces); whether
/// it exists is for the mail server to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let trimmed = value.trim();
        let valid = trimmed.len() <= 254
            && !trimmed.contains(char::is_whitespace)
            && matches!(trimmed.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid { Ok(Self(trimmed.to_owned())) } else { Err(format!("is not an e-mail address: {trimmed:?}")) }
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

/// What staff enter to register a customer.
pub struct NewCustomer {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    pub email: Option<Email>,
    pub vip: bool,
    /// How they want to be told; `None`: by SMS.
    pub notify: Option<Notify>,
}

impl NewCustomer {
    /// Email notices need an address: the reason, for a message naming `notify`, when missing.
    pub fn notify_problem(&self) -> Option<&'static str> {
        (self.notify == Some(Notify::Email) && self.email.is_none()).then_some("\"email\" needs an email address")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub phone_number: PhoneNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    pub vip: bool,
    /// How they are told when their turn nears and when called; absent: by SMS (customers
    /// registered before notices existed included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    pub created_at: Timestamp,
    /// The ticket this customer is waiting on; set and cleared in the same transactions that
    /// create and close the ticket, which is what refuses a second check-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_service_id: Option<u64>,
}

impl Customer {
    /// A newly registered customer, waiting on nothing yet.
    pub fn register(new: NewCustomer, customer_id: String, now: Timestamp) -> Self {
        Self {
            customer_id,
            first_name: new.first_name,
            last_name: new.last_name,
            phone_number: new.phone_number,
            email: new.email,
            vip: new.vip,
            notify: new.notify,
            created_at: now,
            waiting_service_id: None,
        }
    }

    /// Whether the name given at a kiosk is this customer's, compared as loosely as
    /// [`PersonName::matches`] does.
    pub fn is_named(&self, first_name: &PersonName, last_name: &PersonName) -> bool {
        self.first_name.matches(first_name) && self.last_name.matches(last_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> Result<PhoneNumber, String> {
        PhoneNumber::try_from(s.to_owned())
    }

    fn name(s: &str) -> PersonName {
        PersonName::try_from(s.to_owned()).unwrap()
    }

    #[test]
    fn phone_numbers_are_normalised() {
        assert_eq!(phone("+44 (20) 7946-0958").unwrap().as_str(), "+442079460958");
        assert_eq!(phone(" 555.123.4567 ").unwrap().as_str(), "5551234567");
        assert!(phone("call me").is_err());
        assert!(phone("12345").is_err());
        assert!(phone("+1234567890123456").is_err());
        assert!(phone("++4412345678").is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(Email::try_from("ada@example.com".to_owned()).is_ok());
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b@c.com"] {
            assert!(Email::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    fn ada() -> Customer {
        let new = NewCustomer {
            first_name: name("Ada"),
            last_name: name("Lovelace"),
            phone_number: phone("+44 20 7946 0958").unwrap(),
            email: None,
            vip: true,
            notify: None,
        };
        Customer::register(new, "c-1".to_owned(), shared::time::now())
    }

    #[test]
    fn a_new_customer_waits_on_nothing() {
        let customer = ada();
        assert_eq!((customer.customer_id.as_str(), customer.vip), ("c-1", true));
        assert_eq!(customer.waiting_service_id, None);
    }

    #[test]
    fn a_kiosk_name_matches_loosely_but_both_parts_count() {
        let customer = ada();
        assert!(customer.is_named(&name(" ADA "), &name("lovelace")));
        assert!(!customer.is_named(&name("Ada"), &name("Byron")));
        assert!(!customer.is_named(&name("Augusta"), &name("Lovelace")));
    }
}
