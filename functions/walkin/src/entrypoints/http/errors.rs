//! Each use case's errors as the contract's status and code; the message is the error's
//! `Display`.

use lambda_http::http::StatusCode;
use shared::http::ApiError;

use crate::ops::{AppointmentError, CancelError, CheckInError, DeskError, ForgetError, NextError, RegisterError};

impl From<RegisterError> for ApiError {
    fn from(err: RegisterError) -> Self {
        match err {
            RegisterError::CustomerExists(_) => ApiError::conflict("customer_exists", err.to_string()),
            RegisterError::Store(err) => err.into(),
        }
    }
}

impl From<ForgetError> for ApiError {
    fn from(err: ForgetError) -> Self {
        match err {
            ForgetError::NotFound(_) => ApiError::not_found("customer_not_found", err.to_string()),
            ForgetError::Busy => ApiError::unavailable(err.to_string()),
            ForgetError::Store(err) => err.into(),
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
            CancelError::NoShow(_) => ApiError::conflict("already_closed", err.to_string()),
            CancelError::Busy => ApiError::unavailable(err.to_string()),
            CancelError::Store(err) => err.into(),
        }
    }
}

impl From<DeskError> for ApiError {
    fn from(err: DeskError) -> Self {
        match err {
            DeskError::NotFound(_) => ApiError::not_found("appointment_not_found", err.to_string()),
            DeskError::NotCalled(..) => ApiError::conflict("not_called", err.to_string()),
            DeskError::Busy => ApiError::unavailable(err.to_string()),
            DeskError::Store(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::dynamo::StoreError;

    use super::*;
    use crate::domain::PhoneNumber;

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
        expect(CancelError::NoShow(3), 409, "already_closed", "ticket 3 was marked as a no-show");
        expect(
            DeskError::NotCalled(4, "waiting"),
            409,
            "not_called",
            "ticket 4 is not called (it is waiting); only a called ticket can be served, marked no-show or recalled",
        );
        expect(DeskError::NotFound(9), 404, "appointment_not_found", "there is no ticket 9");
        expect(
            CancelError::NotAllowed(3),
            403,
            "forbidden",
            "only staff, or whoever holds ticket 3's cancel token (header `X-Cancel-Token`), may cancel it",
        );
    }

    #[test]
    fn lost_races_and_outages_are_503s_and_bugs_500s() {
        for busy in
            [answer(CheckInError::Busy), answer(NextError::Busy), answer(CancelError::Busy), answer(DeskError::Busy)]
        {
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
            DeskError::from(down()).into(),
        ] {
            assert_eq!((err.status, err.code.as_ref()), (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"));
        }
        let bug = ApiError::from(CheckInError::from(StoreError::Unexpected("no such table".into())));
        assert_eq!((bug.status, bug.code.as_ref()), (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"));
    }
}
