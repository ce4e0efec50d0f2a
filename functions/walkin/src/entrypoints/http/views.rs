//! The JSON shapes the walk-in routes answer with.

use serde::Serialize;
use shared::time::Timestamp;

use crate::{
    domain::{CancelToken, Customer, Email, Notify, Ticket, TicketStatus, Tier},
    ops::Place,
};

#[derive(Serialize)]
pub struct CustomerView<'a> {
    customer_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    phone_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a Email>,
    vip: bool,
    notify: Notify,
    created_at: Timestamp,
}

impl<'a> From<&'a Customer> for CustomerView<'a> {
    fn from(c: &'a Customer) -> Self {
        Self {
            customer_id: &c.customer_id,
            first_name: c.first_name.as_str(),
            last_name: c.last_name.as_str(),
            phone_number: c.phone_number.as_str(),
            email: c.email.as_ref(),
            vip: c.vip,
            notify: c.notify.unwrap_or_default(),
            created_at: c.created_at,
        }
    }
}

#[derive(Serialize)]
pub struct CheckedInView<'a> {
    pub service_id: u64,
    pub tier: Tier,
    pub position: usize,
    /// `null` until the recent calls allow an estimate.
    pub estimated_wait_seconds: Option<u64>,
    pub checked_in_at: Timestamp,
    pub cancel_token: &'a CancelToken,
}

/// The answer of `next`: who to call, and to which desk.
#[derive(Serialize)]
pub struct CalledView<'a> {
    service_id: u64,
    customer_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    tier: Tier,
    desk: &'a str,
    checked_in_at: Timestamp,
    waited_seconds: i64,
}

impl<'a> From<&'a Ticket> for CalledView<'a> {
    fn from(ticket: &'a Ticket) -> Self {
        let called_at = ticket.called_at.unwrap_or_else(shared::time::now);
        Self {
            service_id: ticket.service_id,
            customer_id: &ticket.customer_id,
            first_name: ticket.first_name.as_str(),
            last_name: ticket.last_name.as_str(),
            tier: ticket.tier,
            desk: ticket.desk.as_ref().map_or("", |desk| desk.as_str()),
            checked_in_at: ticket.checked_in_at,
            waited_seconds: ticket.waited_seconds(called_at),
        }
    }
}

/// A ticket as anyone may see it (no name, no phone).
#[derive(Serialize)]
pub struct TicketView<'a> {
    service_id: u64,
    status: TicketStatus,
    tier: Tier,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
    /// Waiting tickets only; `null` until the recent calls allow an estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimated_wait_seconds: Option<Option<u64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    desk: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    called_at: Option<Timestamp>,
    checked_in_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    served_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_show_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<Timestamp>,
}

impl<'a> TicketView<'a> {
    pub fn new(ticket: &'a Ticket, place: Option<Place>) -> Self {
        Self {
            service_id: ticket.service_id,
            status: ticket.status,
            tier: ticket.tier,
            position: place.map(|p| p.position),
            estimated_wait_seconds: place.map(|p| p.estimated_wait_seconds),
            desk: ticket.desk.as_ref().map(|desk| desk.as_str()),
            called_at: ticket.called_at,
            checked_in_at: ticket.checked_in_at,
            served_at: ticket.served_at,
            no_show_at: ticket.no_show_at,
            cancelled_at: ticket.cancelled_at,
        }
    }
}

#[derive(Serialize)]
pub struct QueueEntry<'a> {
    pub service_id: u64,
    pub tier: Tier,
    /// Staff only: the public board shows numbers, tiers and times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
    pub checked_in_at: Timestamp,
    pub estimated_wait_seconds: Option<u64>,
}

/// A call on the board: which ticket goes to which desk.
#[derive(Serialize)]
pub struct CallEntry<'a> {
    pub service_id: u64,
    pub desk: &'a str,
    pub called_at: Option<Timestamp>,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<&'a str>,
}

impl<'a> CallEntry<'a> {
    pub fn new(ticket: &'a Ticket, names: bool) -> Self {
        Self {
            service_id: ticket.service_id,
            desk: ticket.desk.as_ref().map_or("", |desk| desk.as_str()),
            called_at: ticket.called_at,
            first_name: names.then(|| ticket.first_name.as_str()),
        }
    }
}

#[derive(Serialize)]
pub struct QueueView<'a> {
    pub waiting: Vec<QueueEntry<'a>>,
    pub vip_waiting: usize,
    pub regular_waiting: usize,
    pub called: Vec<CallEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
