//! The walk-in routes, as `infra/template.yaml` declares them (a test keeps the two equal). The
//! fallback function uses them to tell a wrong method (405) from an unknown path (404).

pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/walkin/v1/customers"),
    ("POST", "/walkin/v1/appointment"),
    ("POST", "/walkin/v1/appointment/next"),
    ("GET", "/walkin/v1/appointment/next"),
    ("GET", "/walkin/v1/appointment/{service_id}"),
    ("DELETE", "/walkin/v1/appointment/{service_id}"),
    ("GET", "/walkin/v1/queue"),
];
