//! One handler per API Gateway route (each its own Lambda function): request in, use case
//! called, typed view out. One file per use-case group, as in [`crate::ops`]: [`profiles`],
//! [`availability`], [`reservations`], [`listings`]; the views they answer with are in
//! [`views`], and each use case's error enum becomes the contract's status and code in
//! [`errors`], in one `From` per enum (the message is the error's `Display`).
//!
//! The serve wrapper resolves the caller from the route table ([`routes::ROUTES`]) before a
//! handler runs (401, 403), and hands it over as a parameter. What the caller may then touch is
//! decided here and in the use cases: profiles, holds and reservations are the caller's own (the
//! client is always the caller: a `client_id` naming someone else is a 403), a provider's
//! availability, slots and appointments are that provider's (or an admin's), and a reservation
//! is read by its client or its provider; anyone else's reservation is not found.

mod availability;
mod errors;
mod listings;
mod profiles;
mod reservations;
mod views;

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
    time::{self, Timestamp},
};

pub use availability::{add_availability, delete_slot, list_availability};
pub use listings::{list_my_reservations, list_provider_reservations, list_providers};
pub use profiles::{create_client, create_provider, delete_client, delete_provider, update_client, update_provider};
pub use reservations::{cancel, confirm, expire_now, get_reservation, reschedule, reserve};

use crate::{App, routes};

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

/// A provider's own things (availability, slots, appointments): that provider, or an admin.
/// Another provider is refused with a 403 rather than a 404: providers, their ids and their
/// availability are public, so there is nothing to hide by pretending the provider is unknown.
fn acts_for_provider(caller: &Caller, provider_id: &str) -> Result<(), ApiError> {
    if caller.sub == provider_id || caller.is_admin() {
        Ok(())
    } else {
        Err(forbidden("this is another provider's; a provider manages only their own"))
    }
}

/// A `client_id` a request names (body or query): accepted when it is the caller (the client is
/// always the caller), refused otherwise.
fn same_client(caller: &Caller, client_id: Option<&str>) -> Result<(), ApiError> {
    match client_id {
        Some(id) if id != caller.sub => {
            Err(forbidden("`client_id` is not yours: a client acts only for themselves (leave it out)"))
        }
        _ => Ok(()),
    }
}

/// The function's cursor key, which `main` of every listing requires at start-up.
fn cursors(app: &App) -> Result<&Cursors, ApiError> {
    Cursors::configured(app.cursors.as_ref())
}

/// Where a page of a listing keyed by a string ends: the last sort key it listed.
#[derive(Serialize, Deserialize)]
struct KeyMark {
    #[serde(rename = "k")]
    key: String,
}

/// A time in a query string (`from`, `to`): RFC 3339 in any offset, as UTC; kept as sent too,
/// since a cursor belongs to the window as the request wrote it.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct QueryTime {
    sent: String,
    at: Timestamp,
}

impl TryFrom<String> for QueryTime {
    type Error = String;
    fn try_from(sent: String) -> Result<Self, String> {
        let at = time::parse(&sent)?;
        Ok(Self { sent, at })
    }
}

/// `?from=&to=&limit=&cursor=` of a listing by time.
#[derive(Deserialize)]
struct WindowQuery {
    #[serde(default)]
    from: Option<QueryTime>,
    #[serde(default)]
    to: Option<QueryTime>,
    #[serde(flatten)]
    page: PageQuery,
}

impl WindowQuery {
    fn window(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        (self.from.as_ref().map(|t| t.at), self.to.as_ref().map(|t| t.at))
    }

    /// The listing a cursor of `provider_id`'s `kind` over this window belongs to.
    fn listing(&self, kind: &str, provider_id: &str) -> String {
        let sent = |t: &Option<QueryTime>| t.as_ref().map_or("", |t| t.sent.as_str()).to_owned();
        format!("booking/{kind}/{provider_id}/{}/{}", sent(&self.from), sent(&self.to))
    }
}

/// ANY /booking/{proxy+}: whatever no other route matched; 405 for a known path, else 404. Open
/// to anyone: it touches nothing.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use lambda_http::RequestExt;

    use super::*;
    use crate::domain::Status;

    fn with_query(pairs: &[(&str, &str)]) -> Request {
        let params: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Request::default().with_query_string_parameters(params)
    }

    #[test]
    fn a_window_is_read_as_utc_and_its_cursors_belong_to_it_as_sent() {
        let req = with_query(&[("from", "2026-11-24T10:00:00+01:00"), ("limit", "5"), ("cursor", "c")]);
        let query: WindowQuery = http::parse_query(&req).unwrap();
        assert_eq!(query.window(), (Some(time::parse("2026-11-24T09:00:00Z").unwrap()), None));
        assert_eq!(query.listing("availability", "p"), "booking/availability/p/2026-11-24T10:00:00+01:00/");
        assert_eq!((query.page.limit(200, 1000).unwrap(), query.page.cursor.as_deref()), (5, Some("c")));
        let err = http::parse_query::<WindowQuery>(&with_query(&[("to", "tomorrow")])).err().unwrap();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`to` \"tomorrow\" is not an RFC 3339 timestamp"), "{}", err.message);
    }

    #[test]
    fn a_status_filter_is_read_by_serde_and_named_when_wrong() {
        #[derive(Deserialize)]
        struct StatusQuery {
            status: Option<Status>,
        }
        let query: StatusQuery = http::parse_query(&with_query(&[("status", "held")])).unwrap();
        assert_eq!(query.status, Some(Status::Held));
        let err = http::parse_query::<StatusQuery>(&with_query(&[("status", "HELD")])).err().unwrap();
        assert_eq!(err.code, "invalid_field");
        assert!(err.message.starts_with("`status`"), "{}", err.message);
    }
}
