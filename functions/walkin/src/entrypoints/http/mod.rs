//! One handler per API Gateway route (each its own Lambda function): request in, use case
//! called, JSON out. Each use case's error enum becomes the contract's status and code in
//! [`errors`], one `From` per enum; the message is the error's `Display`. The answers' shapes are
//! in [`views`].
//!
//! The serve wrapper has applied the route's rule from [`crate::routes::ROUTES`] before a handler
//! runs (401 without a valid token where one is needed, 403 outside the route's groups) and hands
//! it the caller: a `Caller` on the desk's routes, an `Option<Caller>` on the public ones. What is
//! left here is per resource: a ticket is cancelled by staff or with its cancel token, and only
//! staff see names on the queue board.

mod errors;
mod views;

use serde::Deserialize;
use shared::{
    auth::{Caller, STAFF},
    cursor::Cursors,
    http::{self, ApiError, Outcome, PageQuery, Request},
};

use self::views::{CallEntry, CalledView, CheckedInView, CustomerView, QueueEntry, QueueView, TicketView};
use crate::{
    App,
    domain::{self, Desk, Email, NewCustomer, Notify, PersonName, PhoneNumber},
    ops::{self, Canceller, ForgetError, Verdict},
    routes,
};

/// The header a kiosk customer cancels their ticket with.
pub const CANCEL_TOKEN_HEADER: &str = "x-cancel-token";

/// The desk: staff, and admins (who may do everything).
fn is_staff(caller: Option<&Caller>) -> bool {
    caller.is_some_and(|caller| caller.may_act_as(STAFF))
}

/// The header a kiosk names itself with (a random id it keeps).
pub const DEVICE_ID_HEADER: &str = "x-device-id";

/// The caller's `X-Device-Id`, if sent: 1 to 64 characters of `A-Z a-z 0-9 - _`.
fn device_id(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(DEVICE_ID_HEADER) else { return Ok(None) };
    let value = value.to_str().unwrap_or_default();
    let valid =
        (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(ApiError::invalid_field("X-Device-Id", "must be 1 to 64 characters of A-Z a-z 0-9 - _"));
    }
    Ok(Some(value.to_owned()))
}

/// Where a route's `Idempotency-Key`s live: per caller (their `sub`), and for anonymous callers
/// (the kiosks) per `X-Device-Id` (one space for those without), so that one user's or one
/// kiosk's key never replays another's answer.
fn idempotency_scope(route: &str, caller: Option<&Caller>, device: Option<&str>) -> String {
    match (caller, device) {
        (Some(caller), _) => format!("walkin.{route}.{}", caller.sub),
        (None, Some(device)) => format!("walkin.{route}.device.{device}"),
        (None, None) => format!("walkin.{route}.public"),
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
    #[serde(default)]
    notify: Option<Notify>,
}

/// POST /walkin/v1/customers: staff only (the route's rule), so only staff ever set `vip`.
pub async fn register_customer(app: &App, _desk: Caller, req: Request) -> Outcome {
    let body: RegisterBody = http::parse_json(&req)?;
    let new = NewCustomer {
        first_name: body.first_name,
        last_name: body.last_name,
        phone_number: body.phone_number,
        email: body.email,
        vip: body.vip,
        notify: body.notify,
    };
    if let Some(reason) = new.notify_problem() {
        return Err(ApiError::invalid_field("notify", reason));
    }
    let customer = ops::register(&app.store, new).await?;
    http::created(&CustomerView::from(&customer))
}

/// DELETE /walkin/v1/customers/{customer_id}: staff; the customer leaves the registry (a
/// waiting ticket is cancelled first; their closed tickets go too).
pub async fn delete_customer(app: &App, _desk: Caller, req: Request) -> Outcome {
    let customer_id = http::path_param(&req, "customer_id")?;
    // Ids are ours (`ids::new_id`): anything much longer is no customer's, asked of nobody.
    if customer_id.len() > 64 {
        return Err(ForgetError::NotFound(customer_id.chars().take(64).collect()).into());
    }
    ops::forget(&app.store, &app.notices, &customer_id).await?;
    http::ok(&serde_json::json!({"deleted": true}))
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

/// POST /walkin/v1/appointment: the kiosk, public. The answer carries the ticket's
/// `cancel_token`, shown this once.
/// With an `Idempotency-Key`, a repeat gets the first answer (the same token) and takes no
/// second ticket.
/// The address a request came from (API Gateway's `sourceIp`); "unknown" without one.
fn source_address(req: &Request) -> String {
    use lambda_http::{RequestExt, request::RequestContext};
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// A stranger at the kiosk is not told which ticket a customer already waits with; staff are.
/// Refused check-ins (numbers not registered) are counted per source address: past the quota,
/// that address's refused attempts are 429s, so numbers cannot be probed in bulk; registered
/// customers still check in.
pub async fn check_in(app: &App, caller: Option<Caller>, req: Request) -> Outcome {
    let device = device_id(&req)?;
    let scope = idempotency_scope("check-in", caller.as_ref(), device.as_deref());
    let staff = is_staff(caller.as_ref());
    app.idempotency.run(&scope, req, shared::time::now(), |req| check_in_once(app, req, staff)).await
}

async fn check_in_once(app: &App, req: Request, staff: bool) -> Outcome {
    let source = source_address(&req);
    let body: CheckInBody = http::parse_json(&req)?;
    let checked_in = ops::check_in(
        &app.store,
        &app.notices,
        ops::CheckIn { first_name: body.first_name, last_name: body.last_name, phone_number: body.phone_number },
    )
    .await;
    let checked_in = match checked_in {
        Ok(checked_in) => checked_in,
        Err(ops::CheckInError::AlreadyWaiting(_)) if !staff => {
            return Err(ApiError::conflict(
                "already_checked_in",
                "this customer is already waiting; the desk can tell the ticket number",
            ));
        }
        Err(err @ (ops::CheckInError::NotRegistered | ops::CheckInError::OtherName(_))) => {
            app.refused_check_ins.spend(&source, shared::time::now()).await?;
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    http::created(&CheckedInView {
        service_id: checked_in.ticket.service_id,
        tier: checked_in.ticket.tier,
        position: checked_in.place.position,
        estimated_wait_seconds: checked_in.place.estimated_wait_seconds,
        checked_in_at: checked_in.ticket.checked_in_at,
        cancel_token: &checked_in.cancel_token,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NextBody {
    #[serde(default)]
    desk: Desk,
}

/// The desk a call is for: the body's `desk`, or desk "1" without a body (GET, old clients).
fn desk_of(req: &Request) -> Result<Desk, ApiError> {
    let empty = match req.body() {
        lambda_http::Body::Empty => true,
        lambda_http::Body::Text(text) => text.trim().is_empty(),
        lambda_http::Body::Binary(bytes) => bytes.iter().all(u8::is_ascii_whitespace),
        _ => false,
    };
    if empty {
        return Ok(Desk::default());
    }
    Ok(http::parse_json::<NextBody>(req)?.desk)
}

/// POST (and, for old clients, GET) /walkin/v1/appointment/next: staff only. Calls the next
/// ticket to the body's `desk` (default "1") and serves that desk's previous ticket.
/// With an `Idempotency-Key`, a repeat (a desk that did not hear the answer) gets the same
/// customer again instead of calling the following one; the keys are each desk user's own.
pub async fn next(app: &App, desk: Caller, req: Request) -> Outcome {
    let scope = idempotency_scope("next", Some(&desk), None);
    app.idempotency.run(&scope, req, shared::time::now(), |req| next_once(app, req)).await
}

async fn next_once(app: &App, req: Request) -> Outcome {
    let desk = desk_of(&req)?;
    let ticket = ops::next(&app.store, &app.notices, &desk).await?;
    http::ok(&CalledView::from(&ticket))
}

/// The ticket number in the path.
fn service_id(req: &Request) -> Result<u64, ApiError> {
    domain::parse_service_id(&http::path_param(req, "service_id")?)
        .map_err(|reason| ApiError::invalid_field("service_id", reason))
}

/// GET /walkin/v1/appointment/{service_id}: public.
pub async fn get_appointment(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let (ticket, place) = ops::appointment(&app.store, service_id(&req)?).await?;
    http::ok(&TicketView::new(&ticket, place))
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
    let ticket = ops::cancel(&app.store, &app.notices, service_id, by).await?;
    http::ok(&TicketView::new(&ticket, None))
}

async fn decide(app: &App, req: Request, verdict: Verdict) -> Outcome {
    let ticket = ops::decide(&app.store, &app.notices, service_id(&req)?, verdict).await?;
    http::ok(&TicketView::new(&ticket, None))
}

/// POST /walkin/v1/appointment/{service_id}/served: staff; a called ticket is served.
pub async fn served(app: &App, _desk: Caller, req: Request) -> Outcome {
    decide(app, req, Verdict::Served).await
}

/// POST /walkin/v1/appointment/{service_id}/no_show: staff; a called ticket did not come.
pub async fn no_show(app: &App, _desk: Caller, req: Request) -> Outcome {
    decide(app, req, Verdict::NoShow).await
}

/// POST /walkin/v1/appointment/{service_id}/recall: staff; a called ticket is called again to
/// its desk, and told again.
pub async fn recall(app: &App, _desk: Caller, req: Request) -> Outcome {
    decide(app, req, Verdict::Recall).await
}

/// The listing a queue cursor belongs to.
const QUEUE_LISTING: &str = "walkin/queue";

/// GET /walkin/v1/queue: `limit` (default 100, at most 500) tickets in serving order from
/// `cursor`, with their estimated waits, and the last calls still called. Public; staff also see
/// first names. The function does not start without the cursors' key.
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
            .map(|(t, estimate)| QueueEntry {
                service_id: t.service_id,
                tier: t.tier,
                first_name: names.then(|| t.first_name.as_str()),
                checked_in_at: t.checked_in_at,
                estimated_wait_seconds: *estimate,
            })
            .collect(),
        called: page.called.iter().map(|t| CallEntry::new(t, names)).collect(),
        next_cursor: cursors.next(QUEUE_LISTING, page.next.as_ref()),
    })
}

/// ANY /walkin/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}
