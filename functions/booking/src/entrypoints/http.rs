//! One handler per API Gateway route (each its own Lambda function): request in, use case
//! called, JSON out. Each use case's error enum becomes the contract's status and code here, in
//! one `From` per enum; the message is the error's `Display`.

use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    cursor::Cursors,
    http::{self, ApiError, Request, Response},
    time::{self, Timestamp},
};

use crate::{
    App,
    domain::{PersonName, RangeProblem, Reservation, Slot, SlotMinutes},
    ops::{
        self, AddAvailabilityError, CancelError, ConfirmError, DeleteSlotError, ExpireError, GetError,
        ListAvailabilityError, ReserveError,
    },
    routes,
};

type Outcome = Result<Response<lambda_http::Body>, ApiError>;

#[derive(Deserialize)]
struct NameBody {
    first_name: PersonName,
    last_name: PersonName,
}

/// POST /booking/v1/providers
pub async fn create_provider(app: &App, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    http::created(&ops::create_provider(app, body.first_name, body.last_name).await?)
}

/// POST /booking/v1/clients
pub async fn create_client(app: &App, req: Request) -> Outcome {
    let body: NameBody = http::parse_json(&req)?;
    http::created(&ops::create_client(app, body.first_name, body.last_name).await?)
}

#[derive(Serialize)]
struct SlotView<'a> {
    slot_id: &'a str,
    provider_id: &'a str,
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

/// POST /booking/v1/providers/{provider_id}/availability
pub async fn add_availability(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
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
pub async fn list_availability(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let (from, to) = (query_time(&req, "from")?, query_time(&req, "to")?);
    let limit = http::limit_param(&req, 200, 1000)?;
    let cursors = || Cursors::configured(app.cursors.as_ref());
    let listing = format!(
        "booking/availability/{provider_id}/{}/{}",
        http::query_param(&req, "from").unwrap_or_default(),
        http::query_param(&req, "to").unwrap_or_default()
    );
    let after = http::query_param(&req, "cursor")
        .map(|cursor| cursors()?.read::<AvailabilityMark>(&listing, &cursor))
        .transpose()?
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

/// DELETE /booking/v1/providers/{provider_id}/slots/{slot_id}
pub async fn delete_slot(app: &App, req: Request) -> Outcome {
    let provider_id = http::path_param(&req, "provider_id")?;
    let slot_id = http::path_param(&req, "slot_id")?;
    let slot = ops::delete_slot(app, &provider_id, &slot_id, time::now()).await?;
    http::ok(&json!({"deleted": slots(std::slice::from_ref(&slot)).slots[0]}))
}

#[derive(Deserialize)]
struct ReserveBody {
    client_id: String,
    slot_id: String,
}

/// POST /booking/v1/reservations. With an `Idempotency-Key`, a repeat gets the first answer
/// instead of `409 slot_unavailable` for the client's own hold.
pub async fn reserve(app: &App, req: Request) -> Outcome {
    app.idempotency.run("booking.reserve", req, time::now(), |req| reserve_once(app, req)).await
}

async fn reserve_once(app: &App, req: Request) -> Outcome {
    let body: ReserveBody = http::parse_json(&req)?;
    http::created(&ops::reserve(app, &body.client_id, &body.slot_id, time::now()).await?)
}

#[derive(Deserialize)]
struct ClientBody {
    client_id: String,
}

/// POST /booking/v1/reservations/{reservation_id}/confirm
pub async fn confirm(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let body: ClientBody = http::parse_json(&req)?;
    http::ok(&ops::confirm(app, &reservation_id, &body.client_id).await?)
}

/// DELETE /booking/v1/reservations/{reservation_id}?client_id=
pub async fn cancel(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    let client_id = http::query_param(&req, "client_id")
        .ok_or_else(|| ApiError::missing_field("client_id").with_message("missing query parameter `client_id`"))?;
    http::ok(&ops::cancel(app, &reservation_id, &client_id).await?)
}

/// GET /booking/v1/reservations/{reservation_id}
pub async fn get_reservation(app: &App, req: Request) -> Outcome {
    let reservation_id = http::path_param(&req, "reservation_id")?;
    http::ok(&ops::get(app, &reservation_id, time::now()).await?)
}

#[derive(Serialize)]
struct Expired {
    expired: Vec<Reservation>,
}

/// POST /booking/v1/reservations/expire: the sweep, on demand.
pub async fn expire_now(app: &App, _req: Request) -> Outcome {
    http::ok(&Expired { expired: ops::sweep(app, time::now(), ops::SWEEP_BUDGET).await?.expired })
}

/// ANY /booking/{proxy+}: whatever no other route matched; 405 for a known path, else 404.
pub async fn fallback(_: (), req: Request) -> Outcome {
    Err(http::unmatched(routes::ROUTES, &req))
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

fn client_mismatch(err: impl ToString) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "client_mismatch", err.to_string())
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
            ReserveError::ClientNotFound(_) => not_found("client_not_found", err),
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
            ConfirmError::ClientMismatch => client_mismatch(err),
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
            CancelError::ClientMismatch => client_mismatch(err),
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
        let mismatch = "this reservation belongs to another client";
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
        expect(ReserveError::ClientNotFound("c".into()), 404, "client_not_found", "there is no client \"c\"");
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
        expect(ConfirmError::ClientMismatch, 403, "client_mismatch", mismatch);
        expect(ConfirmError::AlreadyConfirmed, 409, "already_confirmed", "the reservation is already confirmed");
        expect(ConfirmError::Cancelled, 409, "reservation_cancelled", "the reservation was cancelled");
        expect(ConfirmError::Expired, 410, "reservation_expired", gone);
        expect(ConfirmError::Busy, 503, "service_unavailable", busy);
        expect(CancelError::NotFound("r".into()), 404, "reservation_not_found", "there is no reservation \"r\"");
        expect(CancelError::ClientMismatch, 403, "client_mismatch", mismatch);
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
