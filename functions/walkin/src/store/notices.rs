//! Notice claims: each notice is claimed on its ticket with a conditional write before it is
//! sent, so redelivered messages and concurrent senders send it once.
//!
//! - "almost your turn": `almost_notice_at` is set once, while the ticket waits;
//! - "please go to desk N": `noticed_call` is set to the call's number while the ticket is
//!   called with that number (a recall is a new number, so a new notice).

use shared::{
    dynamo::{StoreError, Written, attr, n, s, written},
    time::Timestamp,
};

use super::{Store, ticket_key};
use crate::domain::TicketStatus;

impl Store {
    /// Claims ticket `service_id`'s "almost" notice: refused if it was claimed before or the
    /// ticket no longer waits (called, cancelled).
    pub async fn claim_almost(&self, service_id: u64, now: Timestamp) -> Result<Written, StoreError> {
        written(
            self.table
                .update_item()
                .set_key(Some(ticket_key(service_id)))
                .update_expression("SET almost_notice_at = :now")
                .condition_expression("#status = :waiting AND attribute_not_exists(almost_notice_at)")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":waiting", attr(&TicketStatus::Waiting)?)
                .expression_attribute_values(":now", s(shared::time::format(now)))
                .send()
                .await,
        )
    }

    /// Claims the notice of call number `call` of ticket `service_id`: refused if it was
    /// claimed, or the ticket is no longer called with that number (served, no-show, cancelled,
    /// recalled since).
    pub async fn claim_call(&self, service_id: u64, call: u32) -> Result<Written, StoreError> {
        written(
            self.table
                .update_item()
                .set_key(Some(ticket_key(service_id)))
                .update_expression("SET noticed_call = :call")
                .condition_expression(
                    "#status = :called AND calls = :call AND (attribute_not_exists(noticed_call) OR noticed_call < :call)",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":called", attr(&TicketStatus::Called)?)
                .expression_attribute_values(":call", n(call))
                .send()
                .await,
        )
    }
}
