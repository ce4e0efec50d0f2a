//! Telling customers: how each wants to be told (`notify`), where an SMS goes (E.164), and the
//! words of the two notices: "almost your turn" and "please go to desk N".

use serde::{Deserialize, Serialize};

use super::{Customer, Desk, PhoneNumber};

/// How a customer is told, as registered. Without a choice, by SMS (every customer has a phone
/// number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    #[default]
    Sms,
    Email,
    None,
}

/// Where one notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// A phone number in E.164 (`+` and the country code).
    Sms(String),
    Email(String),
}

/// Where `customer`'s notices go, if anywhere; `country_code` completes a number registered
/// without one.
pub fn channel(customer: &Customer, country_code: &str) -> Option<Channel> {
    match customer.notify.unwrap_or_default() {
        Notify::Sms => Some(Channel::Sms(e164(&customer.phone_number, country_code))),
        Notify::Email => customer.email.as_ref().map(|email| Channel::Email(String::from(email.clone()))),
        Notify::None => None,
    }
}

/// `phone` in E.164: as it is with a leading `+`; otherwise `country_code` is put in front, after
/// dropping a national trunk prefix (leading zeros: `07946 0958` in the UK is `+4479460958`).
/// No numbering-plan check: the phone network is the judge.
pub fn e164(phone: &PhoneNumber, country_code: &str) -> String {
    let number = phone.as_str();
    if number.starts_with('+') {
        return number.to_owned();
    }
    let code = country_code.trim().trim_start_matches('+');
    format!("+{code}{}", number.trim_start_matches('0'))
}

/// A country calling code as `WALKIN_SMS_DEFAULT_COUNTRY_CODE` gives it: 1 to 3 digits, an
/// optional `+`.
pub fn parse_country_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().trim_start_matches('+');
    if (1..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()) && !code.starts_with('0') {
        Ok(code.to_owned())
    } else {
        Err(format!("must be a country calling code (1 to 3 digits), got {raw:?}"))
    }
}

/// What a notice says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The ticket is first or second in line.
    Almost { service_id: u64 },
    /// The ticket is called to `desk`.
    Called { service_id: u64, desk: Desk },
}

impl Notice {
    /// The text of the SMS, and the subject and body of the email.
    pub fn text(&self) -> String {
        match self {
            Notice::Almost { service_id } => {
                format!("Ticket {service_id}: it is almost your turn. Please come back to the waiting area.")
            }
            Notice::Called { service_id, desk } => format!("Ticket {service_id}: please go to desk {desk}."),
        }
    }

    pub fn subject(&self) -> String {
        match self {
            Notice::Almost { service_id } => format!("Ticket {service_id}: almost your turn"),
            Notice::Called { service_id, desk } => format!("Ticket {service_id}: please go to desk {desk}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> PhoneNumber {
        PhoneNumber::try_from(s.to_owned()).unwrap()
    }

    #[test]
    fn sms_go_to_e164_numbers() {
        assert_eq!(e164(&phone("+44 20 7946 0958"), "1"), "+442079460958");
        assert_eq!(e164(&phone("(555) 042-1234"), "1"), "+15550421234");
        assert_eq!(e164(&phone("07946 0958"), "44"), "+4479460958");
    }

    #[test]
    fn country_codes_are_one_to_three_digits() {
        assert_eq!(parse_country_code("+44").unwrap(), "44");
        assert_eq!(parse_country_code("1").unwrap(), "1");
        for bad in ["", "0", "1234", "x1", "+"] {
            assert!(parse_country_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn notices_name_the_ticket_and_the_desk() {
        let desk = Desk::try_from("3".to_owned()).unwrap();
        assert_eq!(Notice::Called { service_id: 17, desk }.text(), "Ticket 17: please go to desk 3.");
        assert!(Notice::Almost { service_id: 17 }.text().starts_with("Ticket 17: it is almost your turn"));
        assert_eq!(serde_json::to_value(Notify::None).unwrap(), "none");
    }
}
