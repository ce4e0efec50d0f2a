//! Requests the service refuses before any use case runs: bad bodies and paths, unknown routes.

use serde_json::json;
use system_tests::{as_user, call, raw_request, request};
use walkin::entrypoints::http;

use crate::helpers::Walkin;

#[tokio::test]
async fn bad_requests_name_the_field() {
    let w = Walkin::new().await;
    let cases = [
        (json!({"first_name": "A", "last_name": "B"}), "invalid_field", "phone_number"),
        (json!({"first_name": "A", "last_name": "B", "phone_number": "not a phone"}), "invalid_field", "phone_number"),
        (json!({"first_name": "A", "last_name": "B", "phone_number": 5551234}), "invalid_field", "phone_number"),
        (json!({"first_name": "", "last_name": "B", "phone_number": "5551234567"}), "invalid_field", "first_name"),
    ];
    for (body, code, field) in cases {
        let reply = w.check_in_raw(body.clone()).await;
        assert_eq!((reply.status, reply.code()), (400, Some(code)), "{body}");
        assert!(reply.message().contains(field), "{body}: {}", reply.message());
    }
    let register = |body| as_user(request("POST", "/walkin/v1/customers", Some(body)), &w.staff);
    let bad_vip = call(
        &w.app,
        http::register_customer,
        register(json!({"first_name": "A", "last_name": "B", "phone_number": "5551234567", "vip": "yes"})),
    )
    .await;
    assert_eq!((bad_vip.status, bad_vip.code()), (400, Some("invalid_field")));
    assert!(bad_vip.message().contains("vip"));
    let bad_email = call(
        &w.app,
        http::register_customer,
        register(json!({"first_name": "A", "last_name": "B", "phone_number": "5551234567", "email": "nope"})),
    )
    .await;
    assert!(bad_email.message().contains("email"), "{bad_email:?}");

    let malformed =
        call(&w.app, http::check_in, raw_request("POST", "/walkin/v1/appointment", "{\"first_name\": ".into())).await;
    assert_eq!((malformed.status, malformed.code()), (400, Some("malformed_json")));
    let empty =
        call(&w.app, http::check_in, raw_request("POST", "/walkin/v1/appointment", lambda_http::Body::Empty)).await;
    assert_eq!((empty.status, empty.code()), (400, Some("malformed_json")));
    let huge = json!({"first_name": "A".repeat(20_000), "last_name": "B", "phone_number": "5551234567"});
    let oversized = w.check_in_raw(huge).await;
    assert_eq!((oversized.status, oversized.code()), (413, Some("payload_too_large")));
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let wrong_method = call((), http::fallback, request("PUT", "/walkin/v1/queue", None)).await;
    assert_eq!((wrong_method.status, wrong_method.code()), (405, Some("method_not_allowed")));
    assert!(wrong_method.message().contains("GET"));
    let unknown = call((), http::fallback, request("GET", "/walkin/v1/nowhere", None)).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("route_not_found")));
}
