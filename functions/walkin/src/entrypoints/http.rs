//! One handler per API Gateway route (each its own Lambda function): request in, use case
//! called, JSON out. Each use case's error enum becomes the contract's status and code here, in
//! one `From` per enum; the message is the error's `Display`.
//!
//! The serve wrapper has applied the route's rule from [`crate::routes::ROUTES`] before a handler
//! runs (401 without a valid token where one is needed, 403 outside the route's groups) and hands
//! it the caller: a `Caller` on the desk's routes, an `Option<Caller>` on the public ones. What is
//! left here is per resource: a ticket is cancelled by staff or with its cancel token, and only
//! staff see names on the queue board.

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::{
    auth::{Caller, STAFF},
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
    time::Timestamp,
};

use crate::{
    App,
    domain::{self, CancelToken, Customer, Email, NewCustomer, PersonName, PhoneNumber, Ticket, TicketStatus, Tier},
    ops::{self, AppointmentError, CancelError, Canceller, CheckInError, NextError, RegisterError},
    routes,
};

/// The header a kiosk customer cancels their ticket with.
pub const CANCEL_TOKEN_HEADER: &str = "x-cancel-token";

/// The desk: staff, and admins (who may do everything).
fn is_staff(caller: Option<&Caller>) -> bool {
    caller.is_some_and(|caller| caller.may_act_as(STAFF))
}

/// Where a route's `Idempotency-Key`s live: per caller (their `sub`), and one shared space for
/// anonymous callers (the kiosks), so that one user's key never replays another's answer.
fn idempotency_scope(route: &str, caller: Option<&Caller>) -> String {
    match caller {
        Some(caller) => format!("walkin.{route}.{}", caller.sub),
        None => format!("walkin.{route}.public"),
    }
}

#[derive(Deserialize)]
struct RegisterBody {
    first_name: PersonName,
    last_name: PersonName,
    phone_number: PhoneNumber,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default)]
    vip: bool,
}

#[derive(Serialize)]
struct CustomerView<'a> {
    customer_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    phone_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a Email>,
    vip: bool,
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
            created_at: c.created_at,
        }
    }
}

/// POST /walkin/v1/customers: staff only (the route's rule), so only staff ever set `vip`.
pub async fn register_customer(app: &App, _desk: Caller, req: Request) -> Outcome {
    let body: RegisterBody = http::parse_json(&req)?;
    let customer = ops::register(
        &app.store,
        NewCustomer {
            first_name: body.first_name,
            last_name: body.last_name,
            phone_number: body.phone_number,
            email: body.email,
            vip: body.vip,
        },
    )
    .await?;
    http::created(&CustomerView::from(&customer))
}

/// Old kiosks send camelCase and their own idea of `is_vip`; the registry decides the tier.
#[derive(Deserialize)]
struct CheckInBody {
    #[serde(alias = "firstName")]
    first_name: PersonName,
    #[serde(alias = "lastName")]
    last_name: PersonName,
    #[serde(alias = "phoneNumber")]
    phone_number: PhoneNumber,
}

#[derive(Serialize)]
struct CheckedInView<'a> {
    service_id: u64,
    tier: Tier,
    position: usize,
    checked_in_at: Timestamp,
    cancel_token: &'a CancelToken,
}

/// POST /walkin/v1/appointment: the kiosk, public. The answer carries the ticket's
/// `cancel_token`, shown this once.
/// With an `Idempotency-Key`, a repeat gets the first answer (the same token) and takes no
/// second ticket.
pub async fn check_in(app: &App, caller: Option<Caller>, req: Request) -> Outcome {
    let scope = idempotency_scope("check-in", caller.as_ref());
    app.idempotency.run(&scope, req, shared::time::now(), |req| check_in_once(app, req)).await
}

async fn check_in_once(app: &App, req: Request) -> Outcome {
    let body: CheckInBody = http::parse_json(&req)?;
    let checked_in = ops::check_in(
        &app.store,
        ops::CheckIn { first_name: body.first_name, last_name: body.last_name, phone_number: body.phone_number },
    )
    .await?;
    http::created(&CheckedInView {
        service_id: checked_in.ticket.service_id,
        tier: checked_in.ticket.tier,
        position: checked_in.position,
        checked_in_at: checked_in.ticket.checked_in_at,
        cancel_token: &checked_in.cancel_token,
    })
}

#[derive(Serialize)]
struct Called<'a> {
    service_id: u64,
    customer_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    tier: Tier,
    checked_in_at: Timestamp,
    waited_seconds: i64,
}

/// POST (and, for old clients, GET) /walkin/v1/appointment/next: staff only.
/// With an `Idempotency-Key`, a repeat (a desk that did not hear the answer) gets the same
/// customer again instead of calling the following one; the keys are each desk user's own.
pub async fn next(app: &App, desk: Caller, req: Request) -> Outcome {
    let scope = idempotency_scope("next", Some(&desk));
    app.idempotency.run(&scope, req, shared::time::now(), |_| next_once(app)).await
}

async fn next_once(app: &App) -> Outcome {
    let ticket = ops::next(&app.store).await?;
    let served_at = ticket.served_at.unwrap_or_else(shared::time::now);
    http::ok(&Called {
        service_id: ticket.service_id,
        customer_id: &ticket.customer_id,
        first_name: ticket.first_name.as_str(),
        last_name: ticket.last_name.as_str(),
        tier: ticket.tier,
        checked_in_at: ticket.checked_in_at,
        waited_seconds: ticket.waited_seconds(served_at),
    })
}

#[derive(Serialize)]
struct TicketView {
    service_id: u64,
    status: TicketStatus,
    tier: Tier,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
    checked_in_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    served_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<Timestamp>,
}

impl TicketView {
    fn new(ticket: &Ticket, position: Option<usize>) -> Self {
        Self {
            service_id: ticket.service_id,
            status: ticket.status,
            tier: ticket.tier,
            position,
            checked_in_at: ticket.checked_in_at,
            served_at: ticket.served_at,
            cancelled_at: ticket.cancelled_at,
        }
    }
}

/// The ticket number in the path.
fn service_id(req: &Request) -> Result<u64, ApiError> {
    domain::parse_service_id(&http::path_param(req, "service_id")?)
        .map_err(|reason| ApiError::invalid_field("service_id", reason))
}

/// GET /walkin/v1/appointment/{service_id}: public.
pub async fn get_appointment(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let (ticket, position) = ops::appointment(&app.store, service_id(&req)?).await?;
    http::ok(&TicketView::new(&ticket, position))
}

/// DELETE /walkin/v1/appointment/{service_id}: staff cancel any ticket; anyone else needs the
/// ticket's cancel token in `X-Cancel-Token` (403 `forbidden` without it or with another).
pub async fn cancel_appointment(app: &App, caller: Option<Caller>, req: Request) -> Outcome {
    let service_id = service_id(&req)?;
    let by = if is_staff(caller.as_ref()) {
        Canceller::Staff
    } else {
        // A value that is not text cannot be a token: it is a wrong one, not a missing one.
        Canceller::TokenHolder(req.headers().get(CANCEL_TOKEN_HEADER).map(|value| value.to_str().unwrap_or("")))
    };
    let ticket = ops::cancel(&app.store, service_id, by).await?;
    http::ok(&TicketView::new(&ticket, None))
}

#[derive(Serialize)]
struct QueueEntry<'a> {
    service_id: u64,
    tier: Tier,
    /// Staff only: the public board shows numbers, tiers and times.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    checked_in_at: Timestamp,
}

#[derive(Serialize)]
struct QueueView<'a> {
    waiting: Vec<QueueEntry<'a>>,
    vip_waiting: usize,
    regular_waiting: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// The listing a queue cursor belongs to.
const QUEUE_LISTING: &str = "walkin/queue";

/// GET /walkin/v1/queue: `limit` (default 100, at most 500) tickets in serving order from
/// `cursor`. Public; staff also see first names. The function does not start without the
/// cursors' key ([`App::deferred_with_cursors`]).
pub async fn queue(app: &App, caller: Option<Caller>, req: Request) -> Outcome {
    let names = is_staff(caller.as_ref());
    let query: PageQuery = http::parse_query(&req)?;
    let limit = query.limit(100, 500)?;
    let cursors = Cursors::configured(app.cursors.as_ref())?;
    let from = cursors.start(QUEUE_LISTING, query.cursor.as_deref())?;
    let page = ops::queue_page(&app.store, from, limit).await?;
    http::ok(&QueueView {
        vip_waiting: page.vip_waiting,
        regular_waiting: page.regular_waiting,
        waiting: page
            .tickets
            .iter()
            .map(|t| QueueEntry {
                service_id: t.service_id,
                tier: t.tier,
                first_name: names.then(|| t.first_name.as_str()),
                checked_in_at: t.checked_in_at,
            })
            .collect(),
        next_cursor: cursors.next(QUEUE_LISTING, page.next.as_ref()),
    })
}

/// ANY /walkin/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

impl From<RegisterError> for ApiError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::CustomerExists(_) => ApiError::conflict("customer_exists", err.to_string()),
            RegisterError::Store(err) => err.into(),
        }
    }
}

impl From<CheckInError> for ApiError {
    fn from(err: CheckInError) -> Self {
        match err {
            CheckInError::NotRegistered | CheckInError::OtherName(_) => {
                ApiError::not_found("customer_not_found", err.to_string())
            }
            CheckInError::AlreadyWaiting(_) => ApiError::conflict("already_checked_in", err.to_string()),
            CheckInError::Busy => ApiError::unavailable(err.to_string()),
            CheckInError::Store(err) => err.into(),
        }
    }
}

impl From<NextError> for ApiError {
    fn from(err: NextError) -> Self {
        match err {
            NextError::QueueEmpty => ApiError::not_found("queue_empty", err.to_string()),
            NextError::Busy => ApiError::unavailable(err.to_string()),
            NextError::Store(err) => err.into(),
        }
    }
}

impl From<AppointmentError> for ApiError {
    fn from(err: AppointmentError) -> Self {
        match err {
            AppointmentError::NotFound(_) => ApiError::not_found("appointment_not_found", err.to_string()),
            AppointmentError::Store(err) => err.into(),
        }
    }
}

impl From<CancelError> for ApiError {
    fn from(err: CancelError) -> Self {
        match err {
            CancelError::NotFound(_) => ApiError::not_found("appointment_not_found", err.to_string()),
            CancelError::NotAllowed(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", err.to_string()),
            CancelError::AlreadyServed(_) => ApiError::conflict("already_served", err.to_string()),
            CancelError::Busy => ApiError::unavailable(err.to_string()),
            CancelError::Store(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::dynamo::StoreError;

    use super::*;

    fn answer(err: impl Into<ApiError>) -> (StatusCode, String, String) {
        let err = err.into();
        (err.status, err.code.into_owned(), err.message)
    }

    fn expect(err: impl Into<ApiError>, status: u16, code: &str, message: &str) {
        assert_eq!(answer(err), (StatusCode::from_u16(status).unwrap(), code.to_owned(), message.to_owned()));
    }

    #[test]
    fn each_refusal_has_the_contracts_status_code_and_message() {
        let phone = PhoneNumber::try_from("+1 555 010 9999".to_owned()).unwrap();
        expect(
            RegisterError::CustomerExists(phone.clone()),
            409,
            "customer_exists",
            "a customer with phone number +15550109999 is already registered",
        );
        expect(
            CheckInError::NotRegistered,
            404,
            "customer_not_found",
            "no registered customer has this name and phone number; register first",
        );
        expect(
            CheckInError::OtherName(phone),
            404,
            "customer_not_found",
            "phone number +15550109999 is registered under another name; check the name",
        );
        expect(
            CheckInError::AlreadyWaiting(7),
            409,
            "already_checked_in",
            "this customer is already waiting with ticket 7",
        );
        expect(NextError::QueueEmpty, 404, "queue_empty", "nobody is waiting");
        expect(AppointmentError::NotFound(9), 404, "appointment_not_found", "there is no ticket 9");
        expect(CancelError::NotFound(9), 404, "appointment_not_found", "there is no ticket 9");
        expect(CancelError::AlreadyServed(3), 409, "already_served", "ticket 3 has already been served");
        expect(
            CancelError::NotAllowed(3),
            403,
            "forbidden",
            "only staff, or whoever holds ticket 3's cancel token (header `X-Cancel-Token`), may cancel it",
        );
    }

    #[test]
    fn lost_races_and_outages_are_503s_and_bugs_500s() {
        for busy in [answer(CheckInError::Busy), answer(NextError::Busy), answer(CancelError::Busy)] {
            assert_eq!(
                busy,
                (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable".into(), "the queue is busy; try again".into())
            );
        }
        let down = || StoreError::Unavailable("connection refused".into());
        for err in [
            ApiError::from(RegisterError::from(down())),
            CheckInError::from(down()).into(),
            NextError::from(down()).into(),
            AppointmentError::from(down()).into(),
            CancelError::from(down()).into(),
        ] {
            assert_eq!((err.status, err.code.as_ref()), (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"));
        }
        let bug = ApiError::from(CheckInError::from(StoreError::Unexpected("no such table".into())));
        assert_eq!((bug.status, bug.code.as_ref()), (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"));
    }
}
