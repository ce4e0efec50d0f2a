//! One handler per API Gateway route (each its own Lambda function): request in, use case
//! called, JSON out. Each use case's error enum becomes the contract's status and code here, in
//! one `From` per enum; the message is the error's `Display`.
//!
//! Every handler first asks `app.auth.caller` with the route table ([`routes::ROUTES`]), which
//! verifies the token and applies the route's rule (401, 403). What the caller may then touch is
//! decided here and in the use cases: profiles, holds and reservations are the caller's own (the
//! client is always the caller: a `client_id` naming someone else is a 403), a provider's
//! availability, slots and appointments are that provider's (or an admin's), and a reservation
//! is read by its client or its provider; anyone else's reservation is not found.

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::json;
use shared::{
    auth::Caller,
    cursor::Cursors,
    http::{self, ApiError, Outcome, Request},
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{PersonName, RangeProblem, Reservation, Slot, SlotMinutes, Status},
    ops::{
        self, AddAvailabilityError, CancelError, ClientReservationsError, ConfirmError, DeleteSlotError, ExpireError,
        GetError, ListAvailabilityError, ProviderReservationsError, ReserveError, SignUp, SignUpError,
    },
    routes,
};

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

#[derive(Deserialize)]
struct NameBody {
    first_name: PersonName,
    last_name: PersonName,
}

/// 201 for a profile made now, 200 for the one that existed.
fn signed_up<T: Serialize>(sign_up: SignUp<T>) -> Outcome {
    match sign_up {
        SignUp::Created(profile) => http::created(&profile),
        SignUp::Existing(profile) => http::ok(&profile),
    }
}

/// POST /booking/v1/providers: the caller's provider profile.
pub async fn create_provider(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    signed_up(ops::create_provider(app, &caller.sub, body.first_name, body.last_name).await?)
}

/// POST /booking/v1/clients: the caller's client profile.
pub async fn create_client(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    signed_up(ops::create_client(app, &caller.sub, body.first_name, body.last_name).await?)
}

/// Where a page of a listing keyed by a string ends: the last sort key it listed.
#[derive(Serialize, Deserialize)]
struct KeyMark {
    #[serde(rename = "k")]
    key: String,
}

/// The position a request's `cursor` carries in `listing`, if it sends one.
fn read_cursor<T: DeserializeOwned>(app: &App, req: &Request, listing: &str) -> Result<Option<T>, ApiError> {
    http::query_param(req, "cursor")
        .map(|cursor| Cursors::configured(app.cursors.as_ref())?.read::<T>(listing, &cursor))
        .transpose()
}

/// A listing's body with `next_cursor` when another page follows.
fn with_next_cursor(
    app: &App,
    mut body: serde_json::Value,
    listing: &str,
    next_after: Option<String>,
) -> Result<serde_json::Value, ApiError> {
    if let Some(key) = next_after {
        body["next_cursor"] = Cursors::configured(app.cursors.as_ref())?.issue(listing, &KeyMark { key }).into();
    }
    Ok(body)
}

/// GET /booking/v1/providers?limit=&cursor=: the public directory, `limit` (default 50, at most
/// 200) providers a page, by provider id.
pub async fn list_providers(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let limit = http::limit_param(&req, 50, 200)?;
    let listing = "booking/providers";
    let after = read_cursor::<KeyMark>(app, &req, listing)?.map(|mark| mark.key);
    let page = ops::providers(app, after.as_deref(), limit).await?;
    http::ok(&with_next_cursor(app, json!({"providers": page.items}), listing, page.next_after)?)
}

#[derive(Serialize)]
struct SlotView<'a> {
    slot_id: &'a str,
    provider_id: &'a str,
    provider_name: Option<&'a str>,
    start_time: Timestamp,
    end_time: Timestamp,
}

#[derive(Serialize)]
struct Slots<'a> {
    slots: Vec<SlotView<'a>>,
}

fn slots(list: &[Slot]) -> Slots<'_> {
    Slots {
        slots: list
            .iter()
            .map(|s| SlotView {
                slot_id: &s.slot_id,
                provider_id: &s.provider_id,
                provider_name: s.provider_name.as_deref(),
                start_time: s.start_time,
                end_time: s.end_time,
            })
            .collect(),
    }
}

/// Timestamps in any RFC 3339 offset; converted to UTC.
#[derive(Deserialize)]
struct AvailabilityBody {
    #[serde(deserialize_with = "time::deserialize")]
    start_time: Timestamp,
    #[serde(deserialize_with = "time::deserialize")]
    end_time: Timestamp,
    #[serde(default)]
    slot_minutes: Option<SlotMinutes>,
}

/// POST /booking/v1/providers/{provider_id}/availability: that provider's.
pub async fn add_availability(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let body: AvailabilityBody = http::parse_json(&req)?;
    let created =
        ops::add_availability(app, &provider_id, body.start_time, body.end_time, body.slot_minutes, time::now())
            .await?;
    http::created(&slots(&created))
}

fn query_time(req: &Request, name: &str) -> Result<Option<Timestamp>, ApiError> {
    http::query_param(req, name).map(|v| time::parse(&v).map_err(|e| ApiError::invalid_field(name, e))).transpose()
}

/// Where a page of availability ends: the last start time it listed (seconds since the epoch).
#[derive(Serialize, Deserialize)]
struct AvailabilityMark {
    #[serde(rename = "a")]
    after: i64,
}

/// GET /booking/v1/providers/{provider_id}/availability?from=&to=&limit=&cursor=: `limit`
/// (default 200, at most 1000) bookable slots by start time. A cursor belongs to one provider and
/// one `from`/`to`.
pub async fn list_availability(app: &App, _caller: Option<Caller>, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let (from, to) = (query_time(&req, "from")?, query_time(&req, "to")?);
    let limit = http::limit_param(&req, 200, 1000)?;
    let cursors = || Cursors::configured(app.cursors.as_ref());
    let listing = format!(
        "booking/availability/{provider_id}/{}/{}",
        http::query_param(&req, "from").unwrap_or_default(),
        http::query_param(&req, "to").unwrap_or_default()
    );
    let after = read_cursor::<AvailabilityMark>(app, &req, &listing)?
        .map(|mark| {
            chrono::DateTime::from_timestamp(mark.after, 0)
                .ok_or_else(|| ApiError::invalid_field("cursor", "is not a cursor of this listing"))
        })
        .transpose()?;
    let page = ops::list_availability(app, &provider_id, (from, to), after, limit, time::now()).await?;
    let mut body = serde_json::to_value(slots(&page.slots)).map_err(|_| ApiError::internal())?;
    if let Some(after) = page.next_after {
        body["next_cursor"] = cursors()?.issue(&listing, &AvailabilityMark { after: after.timestamp() }).into();
    }
    http::ok(&body)
}

/// GET /booking/v1/providers/{provider_id}/reservations?from=&to=&limit=&cursor=: that
/// provider's held and confirmed reservations with their clients' names, by start time, from now
/// unless `from` says otherwise; `limit` (default 50, at most 200) a page. A cursor belongs to
/// one provider and one `from`/`to`.
pub async fn list_provider_reservations(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let window = (query_time(&req, "from")?, query_time(&req, "to")?);
    let limit = http::limit_param(&req, 50, 200)?;
    let listing = format!(
        "booking/provider-reservations/{provider_id}/{}/{}",
        http::query_param(&req, "from").unwrap_or_default(),
        http::query_param(&req, "to").unwrap_or_default()
    );
    let after = read_cursor::<KeyMark>(app, &req, &listing)?.map(|mark| mark.key);
    let page = ops::provider_reservations(app, &provider_id, window, after.as_deref(), limit, time::now()).await?;
    http::ok(&with_next_cursor(app, json!({"reservations": page.items}), &listing, page.next_after)?)
}

/// GET /booking/v1/clients/me/reservations?status=&limit=&cursor=: the caller's reservations,
/// newest first, `limit` (default 50, at most 200) a page. A cursor belongs to one caller and one
/// `status`.
pub async fn list_my_reservations(app: &App, caller: Caller, req: Request) -> Outcome {
    let status = http::query_param(&req, "status")
        .map(|s| s.parse::<Status>().map_err(|e| ApiError::invalid_field("status", e)))
        .transpose()?;
    let limit = http::limit_param(&req, 50, 200)?;
    let listing =
        format!("booking/client-reservations/{}/{}", caller.sub, http::query_param(&req, "status").unwrap_or_default());
    let before = read_cursor::<KeyMark>(app, &req, &listing)?.map(|mark| mark.key);
    let page = ops::client_reservations(app, &caller.sub, status, before.as_deref(), limit, time::now()).await?;
    http::ok(&with_next_cursor(app, json!({"reservations": page.items}), &listing, page.next_after)?)
}

/// DELETE /booking/v1/providers/{provider_id}/slots/{slot_id}: that provider's.
pub async fn delete_slot(app: &App, caller: Caller, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    acts_for_provider(&caller, &provider_id)?;
    let slot_id = http::path_param(&req, "slot_id")?;
    let slot = ops::delete_slot(app, &provider_id, &slot_id, time::now()).await?;
    http::ok(&json!({"deleted": slots(std::slice::from_ref(&slot)).slots[0]}))
}

#[derive(Deserialize)]
struct ReserveBody {
    /// The caller, if given at all.
    #[serde(default)]
    client_id: Option<String>,
    slot_id: String,
}

/// POST /booking/v1/reservations: the caller holds a slot. With an `Idempotency-Key` (the
/// caller's own: two callers' keys never meet), a repeat gets the first answer instead of
/// `409 slot_unavailable` for the client's own hold.
pub async fn reserve(app: &App, caller: Caller, req: Request) -> Outcome {
    let scope = format!("booking.reserve.{}", caller.sub);
    app.idempotency.run(&scope, req, time::now(), |req| reserve_once(app, caller, req)).await
}

async fn reserve_once(app: &App, caller: Caller, req: Request) -> Outcome {
    let body: ReserveBody = http::parse_json(&req)?;
    same_client(&caller, body.client_id.as_deref())?;
    http::created(&ops::reserve(app, &caller.sub, &body.slot_id, time::now()).await?)
}

#[derive(Deserialize)]
struct ClientBody {
    #[serde(default)]
    client_id: Option<String>,
}

/// POST /booking/v1/reservations/{reservation_id}/confirm: by its client. The body may be
/// empty; a `client_id` in it must be the caller.
pub async fn confirm(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let body: ClientBody = if req.body().as_ref().iter().all(u8::is_ascii_whitespace) {
        ClientBody { client_id: None }
    } else {
        http::parse_json(&req)?
    };
    same_client(&caller, body.client_id.as_deref())?;
    http::ok(&ops::confirm(app, &reservation_id, &caller.sub).await?)
}

/// DELETE /booking/v1/reservations/{reservation_id}: by its client (`?client_id=`, which older
/// clients send, must be the caller).
pub async fn cancel(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    same_client(&caller, http::query_param(&req, "client_id").as_deref())?;
    http::ok(&ops::cancel(app, &reservation_id, &caller.sub).await?)
}

/// GET /booking/v1/reservations/{reservation_id}: by its client or its provider.
pub async fn get_reservation(app: &App, caller: Caller, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    http::ok(&ops::get(app, &reservation_id, &caller.sub, time::now()).await?)
}

#[derive(Serialize)]
struct Expired {
    expired: Vec<Reservation>,
}

/// POST /booking/v1/reservations/expire: the sweep, on demand (admins).
pub async fn expire_now(app: &App, _admin: Caller, _: Request) -> Outcome {
    http::ok(&Expired { expired: ops::sweep(app, time::now(), ops::SWEEP_BUDGET).await?.expired })
}

/// ANY /booking/{proxy+}: whatever no other route matched; 405 for a known path, else 404. Open
/// to anyone: it touches nothing.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(&routes::ROUTES, &req))
}

fn not_found(code: &'static str, err: impl ToString) -> ApiError {
    ApiError::not_found(code, err.to_string())
}

fn busy(err: impl ToString) -> ApiError {
    ApiError::unavailable(err.to_string())
}

fn gone(err: impl ToString) -> ApiError {
    ApiError::new(StatusCode::GONE, "reservation_expired", err.to_string())
}

fn client_profile_required(err: impl ToString) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "client_profile_required", err.to_string())
}

impl From<SignUpError> for ApiError {
    fn from(err: SignUpError) -> Self {
        match err {
            SignUpError::Busy => busy(err),
            SignUpError::Store(err) => err.into(),
        }
    }
}

impl From<ProviderReservationsError> for ApiError {
    fn from(err: ProviderReservationsError) -> Self {
        match err {
            ProviderReservationsError::ToNotAfterFrom => ApiError::invalid_field("to", err),
            ProviderReservationsError::Store(err) => err.into(),
        }
    }
}

impl From<ClientReservationsError> for ApiError {
    fn from(err: ClientReservationsError) -> Self {
        match err {
            ClientReservationsError::ClientProfileRequired => client_profile_required(err),
            ClientReservationsError::Store(err) => err.into(),
        }
    }
}

impl From<RangeProblem> for ApiError {
    fn from(problem: RangeProblem) -> Self {
        match problem {
            RangeProblem::NotAligned { field, .. } => ApiError::invalid_field(field, &problem),
            RangeProblem::EndNotAfterStart => ApiError::invalid_field("end_time", &problem),
            RangeProblem::InThePast => ApiError::unprocessable("range_in_past", problem.to_string()),
            RangeProblem::TooLong => ApiError::unprocessable("range_too_long", problem.to_string()),
            RangeProblem::TooManySlots { .. } => ApiError::unprocessable("too_many_slots", problem.to_string()),
        }
    }
}

impl From<AddAvailabilityError> for ApiError {
    fn from(err: AddAvailabilityError) -> Self {
        match err {
            AddAvailabilityError::ProviderNotFound(_) => not_found("provider_not_found", err),
            AddAvailabilityError::Range(problem) => problem.into(),
            AddAvailabilityError::Busy => busy(err),
            AddAvailabilityError::Store(err) => err.into(),
        }
    }
}

impl From<ListAvailabilityError> for ApiError {
    fn from(err: ListAvailabilityError) -> Self {
        match err {
            ListAvailabilityError::ProviderNotFound(_) => not_found("provider_not_found", err),
            ListAvailabilityError::ToNotAfterFrom => ApiError::invalid_field("to", err),
            ListAvailabilityError::Store(err) => err.into(),
        }
    }
}

impl From<DeleteSlotError> for ApiError {
    fn from(err: DeleteSlotError) -> Self {
        match err {
            DeleteSlotError::SlotNotFound(_) => not_found("slot_not_found", err),
            DeleteSlotError::SlotReserved => ApiError::conflict("slot_reserved", err.to_string()),
            DeleteSlotError::Store(err) => err.into(),
        }
    }
}

impl From<ReserveError> for ApiError {
    fn from(err: ReserveError) -> Self {
        match err {
            ReserveError::SlotNotFound(_) => not_found("slot_not_found", err),
            ReserveError::ClientProfileRequired => client_profile_required(err),
            ReserveError::TooManyHolds { .. } => ApiError::unprocessable("too_many_holds", err.to_string()),
            ReserveError::TooLate { .. } => ApiError::unprocessable("too_late", err.to_string()),
            ReserveError::SlotTaken => ApiError::conflict("slot_unavailable", err.to_string()),
            ReserveError::Busy => busy(err),
            ReserveError::Store(err) => err.into(),
        }
    }
}

impl From<GetError> for ApiError {
    fn from(err: GetError) -> Self {
        match err {
            GetError::NotFound(_) => not_found("reservation_not_found", err),
            GetError::Store(err) => err.into(),
        }
    }
}

impl From<ConfirmError> for ApiError {
    fn from(err: ConfirmError) -> Self {
        match err {
            ConfirmError::NotFound(_) => not_found("reservation_not_found", err),
            ConfirmError::AlreadyConfirmed => ApiError::conflict("already_confirmed", err.to_string()),
            ConfirmError::Cancelled => ApiError::conflict("reservation_cancelled", err.to_string()),
            ConfirmError::Expired => gone(err),
            ConfirmError::Busy => busy(err),
            ConfirmError::Store(err) => err.into(),
        }
    }
}

impl From<CancelError> for ApiError {
    fn from(err: CancelError) -> Self {
        match err {
            CancelError::NotFound(_) => not_found("reservation_not_found", err),
            CancelError::Expired => gone(err),
            CancelError::Busy => busy(err),
            CancelError::Store(err) => err.into(),
        }
    }
}

impl From<ExpireError> for ApiError {
    fn from(err: ExpireError) -> Self {
        match err {
            ExpireError::Busy => busy(err),
            ExpireError::Store(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::dynamo::StoreError;

    use super::*;

    fn expect(err: impl Into<ApiError>, status: u16, code: &str, message: &str) {
        let err = err.into();
        assert_eq!((err.status.as_u16(), err.code.as_ref(), err.message.as_str()), (status, code, message), "{err:?}");
    }

    #[test]
    fn each_refusal_has_the_contracts_status_code_and_message() {
        let busy = "too many concurrent changes to this reservation; try again";
        let gone = "the hold has expired; reserve the slot again";
        expect(
            AddAvailabilityError::ProviderNotFound("p-1".into()),
            404,
            "provider_not_found",
            "there is no provider \"p-1\"",
        );
        expect(
            AddAvailabilityError::Range(RangeProblem::NotAligned { field: "end_time", minutes: 30 }),
            400,
            "invalid_field",
            "`end_time` must fall on a 30-minute boundary (whole minutes since midnight UTC divisible by 30)",
        );
        expect(RangeProblem::EndNotAfterStart, 400, "invalid_field", "`end_time` must be after `start_time`");
        expect(RangeProblem::InThePast, 422, "range_in_past", "`start_time` is in the past");
        expect(RangeProblem::TooLong, 422, "range_too_long", "the range spans more than 31 days; post it in parts");
        expect(
            RangeProblem::TooManySlots { slots: 3001, limit: 3000 },
            422,
            "too_many_slots",
            "the range would be cut into 3001 slots; a request may create at most 3000: \
             use a longer `slot_minutes` or a shorter range",
        );
        expect(
            AddAvailabilityError::Busy,
            503,
            "service_unavailable",
            "too many concurrent changes to this provider's availability; try again \
             (the slots created so far are kept)",
        );
        expect(
            ListAvailabilityError::ProviderNotFound("p".into()),
            404,
            "provider_not_found",
            "there is no provider \"p\"",
        );
        expect(ListAvailabilityError::ToNotAfterFrom, 400, "invalid_field", "`to` must be after `from`");
        expect(DeleteSlotError::SlotNotFound("s".into()), 404, "slot_not_found", "there is no slot \"s\"");
        expect(
            DeleteSlotError::SlotReserved,
            409,
            "slot_reserved",
            "the slot is held or confirmed; it cannot be removed",
        );
        expect(ReserveError::SlotNotFound("s".into()), 404, "slot_not_found", "there is no slot \"s\"");
        expect(
            ReserveError::ClientProfileRequired,
            403,
            "client_profile_required",
            "make your client profile first: POST /booking/v1/clients",
        );
        expect(
            ReserveError::TooManyHolds { max: 3 },
            422,
            "too_many_holds",
            "you already hold 3 unconfirmed reservations; confirm or cancel one first",
        );
        expect(
            ClientReservationsError::ClientProfileRequired,
            403,
            "client_profile_required",
            "make your client profile first: POST /booking/v1/clients",
        );
        expect(ProviderReservationsError::ToNotAfterFrom, 400, "invalid_field", "`to` must be after `from`");
        expect(SignUpError::Busy, 503, "service_unavailable", "too many concurrent changes to this profile; try again");
        expect(
            ReserveError::TooLate { min_lead: chrono::Duration::hours(24) },
            422,
            "too_late",
            "slots must be reserved at least 24 hours ahead",
        );
        expect(
            ReserveError::TooLate { min_lead: chrono::Duration::minutes(90) },
            422,
            "too_late",
            "slots must be reserved at least 1.5 hours ahead",
        );
        expect(ReserveError::SlotTaken, 409, "slot_unavailable", "the slot is already held or confirmed");
        expect(ReserveError::Busy, 503, "service_unavailable", busy);
        expect(GetError::NotFound("r".into()), 404, "reservation_not_found", "there is no reservation \"r\"");
        expect(ConfirmError::NotFound("r".into()), 404, "reservation_not_found", "there is no reservation \"r\"");
        expect(ConfirmError::AlreadyConfirmed, 409, "already_confirmed", "the reservation is already confirmed");
        expect(ConfirmError::Cancelled, 409, "reservation_cancelled", "the reservation was cancelled");
        expect(ConfirmError::Expired, 410, "reservation_expired", gone);
        expect(ConfirmError::Busy, 503, "service_unavailable", busy);
        expect(CancelError::NotFound("r".into()), 404, "reservation_not_found", "there is no reservation \"r\"");
        expect(CancelError::Expired, 410, "reservation_expired", gone);
        expect(CancelError::Busy, 503, "service_unavailable", busy);
        expect(ExpireError::Busy, 503, "service_unavailable", busy);
    }

    #[test]
    fn store_failures_keep_their_own_answer_whatever_the_use_case() {
        let unavailable = || StoreError::Unavailable("timeout".into());
        let answer = "the database is unavailable; try again shortly";
        expect(ReserveError::from(unavailable()), 503, "service_unavailable", answer);
        expect(CancelError::from(GetError::from(unavailable())), 503, "service_unavailable", answer);
        expect(
            ExpireError::from(StoreError::Unexpected("bug".into())),
            500,
            "internal_error",
            "an unexpected error occurred; it has been logged",
        );
    }

    #[test]
    fn ids_too_long_to_show_are_shortened_in_messages() {
        let long = "x".repeat(3000);
        let err: ApiError = GetError::NotFound(long.clone()).into();
        assert_eq!(err.message, format!("there is no reservation {}", shared::ids::shown(&long)));
        assert!(err.message.len() < 200, "{}", err.message);
    }
}
