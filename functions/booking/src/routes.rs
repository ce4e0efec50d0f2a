//! The reservation routes, as `infra/template.yaml` declares them (a test keeps the two equal).
//! The fallback function uses them to tell a wrong method (405) from an unknown path (404).

pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/booking/v1/providers"),
    ("POST", "/booking/v1/clients"),
    ("POST", "/booking/v1/providers/{provider_id}/availability"),
    ("GET", "/booking/v1/providers/{provider_id}/availability"),
    ("DELETE", "/booking/v1/providers/{provider_id}/slots/{slot_id}"),
    ("POST", "/booking/v1/reservations"),
    ("POST", "/booking/v1/reservations/expire"),
    ("GET", "/booking/v1/reservations/{reservation_id}"),
    ("DELETE", "/booking/v1/reservations/{reservation_id}"),
    ("POST", "/booking/v1/reservations/{reservation_id}/confirm"),
];
