//! Checking in: ticket numbers under concurrency, one ticket per customer, who may check in.

use futures::future::join_all;
use serde_json::json;
use system_tests::Reply;

use crate::helpers::{Walkin, phone};

#[tokio::test]
async fn concurrent_check_ins_get_consecutive_ticket_numbers() {
    let w = Walkin::new().await;
    for i in 0..20 {
        assert_eq!(w.register(&format!("P{i}"), &phone(i), i % 2 == 0).await.status, 201);
    }
    let w = &w;
    let replies = join_all((0..20).map(|i| async move { w.check_in(&format!("P{i}"), &phone(i)).await })).await;
    let mut ids: Vec<u64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{r:?}");
            r.body["service_id"].as_u64().unwrap()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, (1..=20).collect::<Vec<u64>>(), "no gaps, no repeats");
    let queue = w.queue().await;
    assert_eq!(queue.body["waiting"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn concurrent_duplicate_check_ins_create_one_ticket() {
    let w = Walkin::new().await;
    w.register("Dup", &phone(1), false).await;
    let dup_phone = phone(1);
    let replies = join_all((0..8).map(|_| w.check_in("Dup", &dup_phone))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "{replies:?}");
    let id = created[0].body["service_id"].as_u64().unwrap();
    for reply in replies.iter().filter(|r| r.status != 201) {
        assert_eq!((reply.status, reply.code()), (409, Some("already_checked_in")));
        // The kiosk is anonymous: a stranger is not told the ticket number.
        assert!(!reply.message().contains(&id.to_string()), "{}", reply.message());
    }
}

#[tokio::test]
async fn check_in_identifies_the_customer() {
    let w = Walkin::new().await;
    w.register("Grace", "+1 (555) 010-9999", true).await;
    // camelCase from old kiosks; is_vip is ignored: the registry says VIP.
    let reply = w
        .check_in_raw(
            json!({"firstName": "grace", "lastName": " TESTER ", "phoneNumber": "+15550109999", "is_vip": false}),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["tier"], "vip");
    assert_eq!(reply.body["position"], 1);
    assert!(reply.body["checked_in_at"].as_str().unwrap().ends_with('Z'));

    let again = w.check_in("Grace", "+15550109999").await;
    assert_eq!((again.status, again.code()), (409, Some("already_checked_in")));
    let number = reply.body["service_id"].to_string();
    assert!(!again.message().contains(&number), "anonymous: no ticket number: {}", again.message());
    // Staff checking someone in are told the number.
    let body = json!({"first_name": "Grace", "last_name": "Tester", "phone_number": "+15550109999"});
    let by_staff = system_tests::call(
        &w.app,
        walkin::entrypoints::http::check_in,
        system_tests::as_user(system_tests::request("POST", "/walkin/v1/appointment", Some(body)), &w.staff),
    )
    .await;
    assert_eq!((by_staff.status, by_staff.code()), (409, Some("already_checked_in")));
    assert!(by_staff.message().contains(&number), "{}", by_staff.message());

    let stranger = w.check_in("Nobody", &phone(9)).await;
    assert_eq!((stranger.status, stranger.code()), (404, Some("customer_not_found")));
    let wrong_name = w.check_in("Gracie", "+15550109999").await;
    assert_eq!((wrong_name.status, wrong_name.code()), (404, Some("customer_not_found")));
    assert!(wrong_name.message().contains("another name"), "{}", wrong_name.message());
}

/// `req` as API Gateway passes it from `address`.
fn from_address(req: lambda_http::Request, address: &str) -> lambda_http::Request {
    use lambda_http::{RequestExt, request::RequestContext};
    let mut context = aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
    context.http.source_ip = Some(address.to_owned());
    req.with_request_context(RequestContext::ApiGatewayV2(context))
}

#[tokio::test]
async fn refused_check_ins_are_limited_per_source_address_and_registered_customers_still_check_in() {
    let sdk = system_tests::sdk().await;
    let stack = system_tests::fresh_stack(&sdk).await;
    let people = crate::helpers::People::of(&stack).await;
    let limit = shared::quota::Limit { name: walkin::REFUSED_CHECK_INS, limit: 2, window: shared::quota::Window::Hour };
    let config = walkin::Config { refused_check_ins: limit, ..crate::helpers::config(&stack) };
    let w = Walkin::on(walkin::App::new(&sdk, &config), &stack, people).await;
    w.register("Known", &phone(1), false).await;
    let attempt = |first: &str, n: usize, address: &str| {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone(n)});
        let req = from_address(system_tests::request("POST", "/walkin/v1/appointment", Some(body)), address);
        system_tests::call(&w.app, walkin::entrypoints::http::check_in, req)
    };
    for n in [10, 11] {
        assert_eq!(attempt("Probe", n, "203.0.113.7").await.code(), Some("customer_not_found"));
    }
    let limited = attempt("Probe", 12, "203.0.113.7").await;
    assert_eq!((limited.status, limited.code()), (429, Some("quota_exceeded")), "{limited:?}");
    assert!(limited.header("retry-after").and_then(|s| s.parse::<u32>().ok()).is_some_and(|s| s >= 1));
    // Another address is not affected, and a registered customer checks in from the limited one.
    assert_eq!(attempt("Probe", 13, "198.51.100.9").await.code(), Some("customer_not_found"));
    let known = attempt("Known", 1, "203.0.113.7").await;
    assert_eq!(known.status, 201, "{known:?}");
}
