//! A ticket: one customer's visit, from check-in until they are served, do not show up, or
//! cancel. `waiting` → `called` (to a desk; a recall calls again) → `served` or `no_show`;
//! `waiting` or `called` → `cancelled`.

use serde::{Deserialize, Serialize};
use shared::{person::PersonName, time::Timestamp};

use super::{CancelTokenHash, Customer, Desk, PhoneNumber, Tier};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Served,
    NoShow,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ticket {
    pub service_id: u64,
    pub customer_id: String,
    pub phone_number: PhoneNumber,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub tier: Tier,
    pub status: TicketStatus,
    pub checked_in_at: Timestamp,
    /// The desk it is (or was last) called to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<Desk>,
    /// When it was last called (a recall moves it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at: Option<Timestamp>,
    /// How many times it was called: 1 by `next`, one more per recall. A "called" notice is
    /// sent once per call, each claimed under its number.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub calls: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_show_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    /// The digest of the cancel token handed out at check-in. Tickets issued before cancel
    /// tokens existed have none: only staff may cancel those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_token_hash: Option<CancelTokenHash>,
}

impl Ticket {
    /// Ticket `service_id` for `customer`, waiting in the tier the registry gives them; whoever
    /// holds the token `cancel_token_hash` is the digest of may cancel it.
    pub fn issue(customer: &Customer, service_id: u64, now: Timestamp, cancel_token_hash: CancelTokenHash) -> Self {
        Self {
            service_id,
            customer_id: customer.customer_id.clone(),
            phone_number: customer.phone_number.clone(),
            first_name: customer.first_name.clone(),
            last_name: customer.last_name.clone(),
            tier: Tier::of(customer.vip),
            status: TicketStatus::Waiting,
            checked_in_at: now,
            desk: None,
            called_at: None,
            calls: 0,
            served_at: None,
            no_show_at: None,
            cancelled_at: None,
            cancel_token_hash: Some(cancel_token_hash),
        }
    }

    /// Whether `presented` (the `X-Cancel-Token` a caller sent, if any) is this ticket's cancel
    /// token. Never for a ticket without one.
    pub fn cancellable_with(&self, presented: Option<&str>) -> bool {
        match (&self.cancel_token_hash, presented) {
            (Some(hash), Some(presented)) => hash.matches(presented),
            _ => false,
        }
    }

    /// Called to `desk` at `now`: by `next` (the first call) or a recall (the same desk again).
    pub fn call(&mut self, desk: Desk, now: Timestamp) {
        self.status = TicketStatus::Called;
        self.desk = Some(desk);
        self.called_at = Some(now);
        self.calls += 1;
    }

    pub fn serve(&mut self, now: Timestamp) {
        self.status = TicketStatus::Served;
        self.served_at = Some(now);
    }

    pub fn no_show(&mut self, now: Timestamp) {
        self.status = TicketStatus::NoShow;
        self.no_show_at = Some(now);
    }

    pub fn cancel(&mut self, now: Timestamp) {
        self.status = TicketStatus::Cancelled;
        self.cancelled_at = Some(now);
    }

    /// Seconds between check-in and being called.
    pub fn waited_seconds(&self, now: Timestamp) -> i64 {
        (now - self.checked_in_at).num_seconds().max(0)
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A ticket number as a client writes it (in a path): a positive integer. The error is the
/// reason, for a message that names the field.
pub fn parse_service_id(raw: &str) -> Result<u64, String> {
    raw.parse::<u64>().ok().filter(|id| *id > 0).ok_or_else(|| format!("must be a positive integer, got {raw:?}"))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::{CancelToken, NewCustomer};

    fn customer(vip: bool) -> Customer {
        let name = |s: &str| PersonName::try_from(s.to_owned()).unwrap();
        let new = NewCustomer {
            first_name: name("Ada"),
            last_name: name("Lovelace"),
            phone_number: PhoneNumber::try_from("5551234567".to_owned()).unwrap(),
            email: None,
            vip,
            notify: None,
        };
        Customer::register(new, "c-1".to_owned(), shared::time::now())
    }

    fn issue(vip: bool, service_id: u64, now: Timestamp) -> Ticket {
        Ticket::issue(&customer(vip), service_id, now, CancelToken::from_secret([service_id as u8; 32]).hash())
    }

    #[test]
    fn only_the_holder_of_its_cancel_token_may_cancel_a_ticket() {
        let now = shared::time::now();
        let ticket = issue(false, 1, now);
        let token = CancelToken::from_secret([1; 32]);
        assert!(ticket.cancellable_with(Some(token.as_str())));
        assert!(!ticket.cancellable_with(None));
        assert!(!ticket.cancellable_with(Some(CancelToken::from_secret([2; 32]).as_str())), "another ticket's");
        let before_tokens = Ticket { cancel_token_hash: None, ..ticket };
        assert!(!before_tokens.cancellable_with(Some(token.as_str())), "a ticket without a token: staff only");
    }

    #[test]
    fn a_ticket_stored_before_cancel_tokens_still_reads() {
        let mut stored = serde_json::to_value(issue(true, 3, shared::time::now())).unwrap();
        stored.as_object_mut().unwrap().remove("cancel_token_hash");
        let ticket: Ticket = serde_json::from_value(stored).unwrap();
        assert_eq!((ticket.service_id, ticket.cancel_token_hash), (3, None));
    }

    #[test]
    fn a_ticket_waits_in_the_customers_tier() {
        let now = shared::time::now();
        let ticket = issue(true, 7, now);
        assert_eq!((ticket.service_id, ticket.tier, ticket.status), (7, Tier::Vip, TicketStatus::Waiting));
        assert_eq!((ticket.checked_in_at, ticket.served_at, ticket.cancelled_at), (now, None, None));
        assert_eq!(issue(false, 8, now).tier, Tier::Regular);
    }

    #[test]
    fn serving_and_cancelling_record_when() {
        let now = shared::time::now();
        let mut served = issue(false, 1, now);
        served.serve(now + Duration::seconds(90));
        assert_eq!((served.status, served.served_at), (TicketStatus::Served, Some(now + Duration::seconds(90))));
        assert_eq!(served.waited_seconds(now + Duration::seconds(90)), 90);
        let mut cancelled = issue(false, 2, now);
        cancelled.cancel(now);
        assert_eq!((cancelled.status, cancelled.cancelled_at), (TicketStatus::Cancelled, Some(now)));
    }

    #[test]
    fn waiting_time_is_never_negative() {
        let now = shared::time::now();
        let ticket = issue(false, 1, now);
        assert_eq!(ticket.waited_seconds(now - Duration::seconds(5)), 0);
    }

    #[test]
    fn ticket_numbers_are_positive_integers() {
        assert_eq!(parse_service_id("42"), Ok(42));
        for bad in ["abc", "0", "-1", "", "1.5"] {
            let reason = parse_service_id(bad).unwrap_err();
            assert!(reason.starts_with("must be a positive integer"), "{bad}: {reason}");
        }
    }

    #[test]
    fn statuses_are_stored_and_shown_in_snake_case() {
        assert_eq!(serde_json::to_value(TicketStatus::Cancelled).unwrap(), "cancelled");
        assert_eq!(serde_json::to_value(TicketStatus::NoShow).unwrap(), "no_show");
    }

    #[test]
    fn each_call_is_counted_and_keeps_its_desk() {
        let now = shared::time::now();
        let mut ticket = issue(false, 1, now);
        let desk = Desk::try_from("3".to_owned()).unwrap();
        ticket.call(desk.clone(), now);
        ticket.call(desk.clone(), now + Duration::seconds(30));
        assert_eq!((ticket.status, ticket.calls), (TicketStatus::Called, 2));
        assert_eq!((ticket.desk.clone(), ticket.called_at), (Some(desk), Some(now + Duration::seconds(30))));
        ticket.no_show(now + Duration::seconds(60));
        assert_eq!((ticket.status, ticket.no_show_at), (TicketStatus::NoShow, Some(now + Duration::seconds(60))));
    }
}
