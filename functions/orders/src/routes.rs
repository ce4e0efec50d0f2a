//! The orders routes, as `infra/template.yaml` declares them (a test keeps the two equal).
//! The fallback function uses them to tell a wrong method (405) from an unknown path (404).

pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/orders/v1/orders"),
    ("GET", "/orders/v1/orders/{order_id}"),
    ("GET", "/orders/v1/metrics"),
    ("GET", "/orders/v1/generation"),
    ("POST", "/orders/v1/generation/start"),
    ("POST", "/orders/v1/generation/stop"),
];
