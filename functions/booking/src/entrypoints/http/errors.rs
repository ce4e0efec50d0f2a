//! Each use case's refusals as the contract's status and code, in one `From` per error enum; the
//! message is the error's `Display`.

use lambda_http::http::StatusCode;
use shared::http::ApiError;

use crate::{
    domain::RangeProblem,
    ops::{
        AddAvailabilityError, CancelError, ClientReservationsError, ConfirmError, DeleteSlotError, EraseError,
        ExpireError, GetError, ListAvailabilityError, ProviderReservationsError, RescheduleError, ReserveError,
        SignUpError, UpdateProfileError,
    },
};

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
            ReserveError::Quota(err) => err.into(),
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

impl From<UpdateProfileError> for ApiError {
    fn from(err: UpdateProfileError) -> Self {
        match err {
            UpdateProfileError::ProviderNotFound => not_found("provider_not_found", err),
            UpdateProfileError::ClientProfileRequired => client_profile_required(err),
            UpdateProfileError::Store(err) => err.into(),
        }
    }
}

impl From<RescheduleError> for ApiError {
    fn from(err: RescheduleError) -> Self {
        match err {
            RescheduleError::NotFound(_) => not_found("reservation_not_found", err),
            RescheduleError::SlotNotFound(_) => not_found("slot_not_found", err),
            RescheduleError::OtherProvider => ApiError::invalid_field("slot_id", err),
            RescheduleError::NotActive(_) => ApiError::conflict("reservation_not_active", err.to_string()),
            RescheduleError::TooLate { .. } => ApiError::unprocessable("too_late", err.to_string()),
            RescheduleError::SlotTaken => ApiError::conflict("slot_unavailable", err.to_string()),
            RescheduleError::Busy => busy(err),
            RescheduleError::Store(err) => err.into(),
        }
    }
}

impl From<EraseError> for ApiError {
    fn from(err: EraseError) -> Self {
        match err {
            EraseError::Cancel(err) => err.into(),
            EraseError::Store(err) => err.into(),
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
        expect(
            RescheduleError::NotActive(crate::domain::Status::Expired),
            409,
            "reservation_not_active",
            "only a held or confirmed reservation can be moved; this one is expired",
        );
        expect(RescheduleError::SlotTaken, 409, "slot_unavailable", "the slot is already held or confirmed");
        expect(
            RescheduleError::OtherProvider,
            400,
            "invalid_field",
            "`slot_id` must be a slot of the reservation's own provider",
        );
        expect(
            UpdateProfileError::ClientProfileRequired,
            403,
            "client_profile_required",
            "make your client profile first: POST /booking/v1/clients",
        );
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
