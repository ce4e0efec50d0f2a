//! Who may do what at the walk-in service: the route table's rules through every handler
//! (anonymous 401, wrong group 403, bad tokens 401 and never a 500), and the per-resource rules:
//! a ticket is cancelled by staff or with its own cancel token, only staff see names on the board,
//! idempotency keys are each caller's own.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use lambda_http::Request;
use serde_json::{Value, json};
use shared::routes::{Route, Who};
use system_tests::{Reply, as_user, call, fresh_stack, request, sdk, user, with_header};
use walkin::{domain::CancelTokenHash, entrypoints::http, routes::ROUTES};

use crate::helpers::{Walkin, by, phone};

/// A request by `route` (ticket 1 where the path names one), with a valid body where it takes one.
fn request_for(route: &Route) -> Request {
    let path = route.path.replace("{service_id}", "1").replace("{customer_id}", "someone");
    let body = match (route.method, route.path) {
        ("POST", "/walkin/v1/customers") => {
            Some(json!({"first_name": "Eve", "last_name": "Tester", "phone_number": phone(666), "vip": true}))
        }
        ("POST", "/walkin/v1/appointment") => {
            Some(json!({"first_name": "Eve", "last_name": "Tester", "phone_number": phone(666)}))
        }
        _ => None,
    };
    request(route.method, &path, body)
}

/// Calls the handler that serves `route`. A route added to the table without a case here fails
/// every test below that walks the table.
async fn call_route(w: &Walkin, route: &Route, req: Request) -> Reply {
    match (route.method, route.path) {
        ("POST", "/walkin/v1/customers") => call(&w.app, http::register_customer, req).await,
        ("DELETE", "/walkin/v1/customers/{customer_id}") => call(&w.app, http::delete_customer, req).await,
        ("POST", "/walkin/v1/appointment") => call(&w.app, http::check_in, req).await,
        ("POST" | "GET", "/walkin/v1/appointment/next") => call(&w.app, http::next, req).await,
        ("GET", "/walkin/v1/appointment/{service_id}") => call(&w.app, http::get_appointment, req).await,
        ("DELETE", "/walkin/v1/appointment/{service_id}") => call(&w.app, http::cancel_appointment, req).await,
        ("POST", "/walkin/v1/appointment/{service_id}/served") => call(&w.app, http::served, req).await,
        ("POST", "/walkin/v1/appointment/{service_id}/no_show") => call(&w.app, http::no_show, req).await,
        ("POST", "/walkin/v1/appointment/{service_id}/recall") => call(&w.app, http::recall, req).await,
        ("GET", "/walkin/v1/queue") => call(&w.app, http::queue, req).await,
        other => panic!("no handler for {other:?}: add it to call_route"),
    }
}

fn assert_unauthenticated(reply: &Reply, what: &str) {
    assert_eq!((reply.status, reply.code()), (401, Some("unauthenticated")), "{what}: {reply:?}");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{what}: {reply:?}");
}

#[tokio::test]
async fn anonymous_callers_are_refused_on_every_route_that_is_not_public() {
    let w = Walkin::new().await;
    w.arrive("Ada", &phone(1), false).await;
    let mut refused = Vec::new();
    for route in &ROUTES {
        let reply = call_route(&w, route, request_for(route)).await;
        let what = format!("{} {}", route.method, route.path);
        if route.who == Who::Public {
            assert_ne!(reply.status, 401, "{what} is public: {reply:?}");
        } else {
            assert_unauthenticated(&reply, &what);
            refused.push(what);
        }
    }
    assert_eq!(
        refused,
        [
            "POST /walkin/v1/customers",
            "DELETE /walkin/v1/customers/{customer_id}",
            "POST /walkin/v1/appointment/next",
            "GET /walkin/v1/appointment/next",
            "POST /walkin/v1/appointment/{service_id}/served",
            "POST /walkin/v1/appointment/{service_id}/no_show",
            "POST /walkin/v1/appointment/{service_id}/recall",
        ]
    );
    // Nothing happened: Eve was not registered, Ada still waits.
    assert_eq!(w.check_in("Eve", &phone(666)).await.code(), Some("customer_not_found"));
    assert_eq!(w.status("1").await.body["status"], "waiting");
}

#[tokio::test]
async fn the_desk_routes_refuse_signed_in_users_outside_staff_and_let_admins_in() {
    let w = Walkin::new().await;
    w.arrive("Ada", &phone(1), false).await;
    for route in ROUTES.iter().filter(|r| matches!(r.who, Who::Groups(_))) {
        let reply = call_route(&w, route, as_user(request_for(route), &w.someone)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (403, Some("forbidden")),
            "{} {}: {reply:?}",
            route.method,
            route.path
        );
    }
    // Non-staff registered no one (not as a VIP either) and called no one.
    assert_eq!(w.check_in("Eve", &phone(666)).await.code(), Some("customer_not_found"));
    assert_eq!(w.status("1").await.body["status"], "waiting");

    // Admins may do everything staff may.
    assert_eq!(w.register_as(Some(&w.admin), "Eve", &phone(666), true).await.status, 201);
    let called = w.next_as(Some(&w.admin)).await;
    assert_eq!((called.status, called.body["first_name"].as_str()), (200, Some("Ada")), "{called:?}");
}

/// A JWT-shaped string with `header` and `claims` and a made-up signature.
fn unsigned_jwt(header: Value, claims: Value) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{}", part(header), part(claims), URL_SAFE_NO_PAD.encode([7u8; 256]))
}

#[tokio::test]
async fn bad_tokens_are_401s_on_every_route_public_ones_included_and_never_500s() {
    let w = Walkin::new().await;
    let (ticket, token) = w.arrive_with_token("Ada", &phone(1), false).await;
    assert_eq!(ticket, 1);

    // The real token's header (its kid), with claims of our own: expired, or anybody's.
    let real = &w.staff.token;
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(real.split('.').next().unwrap()).unwrap()).unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(real.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let mut expired_claims = claims.clone();
    expired_claims["exp"] = json!(now - 3600);
    expired_claims["iat"] = json!(now - 7200);
    let expired = unsigned_jwt(header.clone(), expired_claims);
    let mut admin_claims = claims.clone();
    admin_claims["cognito:groups"] = json!(["admin"]);
    let forged_admin = {
        // The staff user's own signature over claims that now say admin.
        let signature = real.rsplit('.').next().unwrap();
        let body = URL_SAFE_NO_PAD.encode(admin_claims.to_string());
        format!("{}.{body}.{signature}", real.split('.').next().unwrap())
    };
    let alg_none = {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.", part(json!({"alg": "none", "kid": header["kid"]})), part(claims.clone()))
    };
    let another_pool = user(&fresh_stack(&sdk().await).await, "staff@example.com", &["staff"]).await.token;

    let authorizations = [
        ("garbage", "Bearer garbage".to_owned()),
        ("empty bearer", "Bearer ".to_owned()),
        ("not bearer", format!("Basic {}", URL_SAFE_NO_PAD.encode("staff:password"))),
        ("expired-looking", format!("Bearer {expired}")),
        ("forged claims", format!("Bearer {forged_admin}")),
        ("alg none", format!("Bearer {alg_none}")),
        ("truncated", format!("Bearer {}", &real[..real.len() - 10])),
        ("another pool's token", format!("Bearer {another_pool}")),
        ("a cancel token as bearer", format!("Bearer {token}")),
    ];
    for route in &ROUTES {
        for (what, authorization) in &authorizations {
            let req = with_header(request_for(route), "authorization", authorization);
            let reply = call_route(&w, route, req).await;
            assert_unauthenticated(&reply, &format!("{} {} with {what}", route.method, route.path));
        }
    }
    // Nothing happened: the ticket still waits, nobody was registered.
    assert_eq!(w.status("1").await.body["status"], "waiting");
    assert_eq!(w.check_in("Eve", &phone(666)).await.code(), Some("customer_not_found"));
}

#[tokio::test]
async fn check_in_hands_out_a_cancel_token_that_is_stored_only_as_a_hash() {
    let w = Walkin::new().await;
    let (first, token) = w.arrive_with_token("Ada", &phone(1), true).await;
    let (_, other) = w.arrive_with_token("Bob", &phone(2), false).await;
    assert_eq!(token.len(), 43, "32 random bytes, base64url: {token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    assert_ne!(token, other);

    // Neither the ticket nor its waiting entry holds the token; the ticket holds its SHA-256.
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk().await);
    let item = |pk: String, sk: String| {
        let dynamo = dynamo.clone();
        let table = w.table.clone();
        async move {
            dynamo
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .send()
                .await
                .unwrap()
                .item
                .expect("the item")
        }
    };
    let ticket = item(format!("TICKET#{first}"), "TICKET".into()).await;
    let waiting = item("WAITING#vip".into(), format!("{first:020}")).await;
    let Some(AttributeValue::S(stored_hash)) = ticket.get("cancel_token_hash") else {
        panic!("the ticket keeps the token's hash: {ticket:?}")
    };
    let stored_hash: CancelTokenHash = serde_json::from_value(json!(stored_hash)).unwrap();
    assert!(stored_hash.matches(&token) && !stored_hash.matches(&other));
    for stored in [&ticket, &waiting] {
        assert!(!format!("{stored:?}").contains(&token), "the token itself is never stored: {stored:?}");
    }
}

#[tokio::test]
async fn a_kiosk_customer_cancels_with_their_own_token_and_nothing_else() {
    let w = Walkin::new().await;
    let (ada, ada_token) = w.arrive_with_token("Ada", &phone(1), false).await;
    let (bob, bob_token) = w.arrive_with_token("Bob", &phone(2), false).await;
    let ada_id = ada.to_string();

    let forbidden = |reply: Reply, what: &str| {
        assert_eq!((reply.status, reply.code()), (403, Some("forbidden")), "{what}: {reply:?}");
        assert!(reply.message().contains("X-Cancel-Token"), "{what}: {reply:?}");
    };
    forbidden(w.cancel_as(&ada_id, None, None).await, "no token");
    forbidden(w.cancel_as(&ada_id, None, Some(&bob_token)).await, "Bob's token on Ada's ticket");
    forbidden(w.cancel_as(&ada_id, None, Some("guessed")).await, "a guessed token");
    forbidden(w.cancel_as(&ada_id, None, Some(&ada_token[..42])).await, "a truncated token");
    forbidden(w.cancel_as(&ada_id, Some(&w.someone), None).await, "signed in, but neither staff nor token");
    forbidden(w.cancel_as(&ada_id, Some(&w.someone), Some(&bob_token)).await, "signed in with Bob's token");
    assert_eq!(w.status(&ada_id).await.body["status"], "waiting", "nothing was cancelled");

    // With her own token, from the kiosk or signed in, Ada cancels; a repeat is not an error.
    let cancelled = w.cancel_as(&ada_id, None, Some(&ada_token)).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{cancelled:?}");
    let again = w.cancel_as(&ada_id, Some(&w.someone), Some(&ada_token)).await;
    assert_eq!((again.status, &again.body["status"]), (200, &json!("cancelled")), "{again:?}");
    // A token opens nothing but its own ticket, and whoever lacks the right learns no more than
    // the public status tells.
    forbidden(w.cancel_as(&bob.to_string(), None, Some(&ada_token)).await, "Ada's token on Bob's ticket");
    assert_eq!(w.status(&bob.to_string()).await.body["status"], "waiting");
    assert_eq!(w.cancel_as("424242", None, Some(&ada_token)).await.code(), Some("appointment_not_found"));

    // Bob is called, then served: his token cancels nothing any more.
    assert_eq!(w.next().await.body["service_id"].as_u64(), Some(bob));
    assert_eq!(w.served(bob).await.status, 200);
    let served = w.cancel_as(&bob.to_string(), None, Some(&bob_token)).await;
    assert_eq!((served.status, served.code()), (409, Some("already_served")), "{served:?}");
}

#[tokio::test]
async fn staff_and_admins_cancel_any_ticket_and_only_they_cancel_tickets_from_before_tokens() {
    let w = Walkin::new().await;
    let ada = w.arrive("Ada", &phone(1), false).await;
    let bob = w.arrive("Bob", &phone(2), false).await;
    let (old, old_token) = w.arrive_with_token("Cy", &phone(3), false).await;
    let staff = w.cancel_as(&ada.to_string(), Some(&w.staff), None).await;
    assert_eq!((staff.status, &staff.body["status"]), (200, &json!("cancelled")), "{staff:?}");
    // Staff need no token, and a wrong one does not get in their way.
    let admin = w.cancel_as(&bob.to_string(), Some(&w.admin), Some("whatever")).await;
    assert_eq!((admin.status, &admin.body["status"]), (200, &json!("cancelled")), "{admin:?}");

    // A ticket issued before cancel tokens existed has no hash: its holder cannot cancel it
    // (whatever they send), staff can.
    aws_sdk_dynamodb::Client::new(&sdk().await)
        .update_item()
        .table_name(&w.table)
        .key("pk", AttributeValue::S(format!("TICKET#{old}")))
        .key("sk", AttributeValue::S("TICKET".into()))
        .update_expression("REMOVE cancel_token_hash")
        .condition_expression("attribute_exists(cancel_token_hash)")
        .send()
        .await
        .expect("the ticket stores the hash where the store says");
    let refused = w.cancel_as(&old.to_string(), None, Some(&old_token)).await;
    assert_eq!((refused.status, refused.code()), (403, Some("forbidden")), "{refused:?}");
    let cancelled = w.cancel(&old.to_string()).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{cancelled:?}");
}

fn names(queue: &Reply) -> Vec<Option<&str>> {
    queue.body["waiting"].as_array().unwrap().iter().map(|e| e.get("first_name").and_then(Value::as_str)).collect()
}

#[tokio::test]
async fn only_staff_see_names_on_the_queue_board() {
    let w = Walkin::new().await;
    w.arrive("Ada", &phone(1), true).await;
    w.arrive("Bob", &phone(2), false).await;

    for (who, user) in [("anonymous", None), ("signed in, not staff", Some(&w.someone))] {
        let board = w.queue_as(user).await;
        assert_eq!(board.status, 200, "{who}: {board:?}");
        assert_eq!(names(&board), [None, None], "{who}: {board:?}");
        for entry in board.body["waiting"].as_array().unwrap() {
            let mut fields: Vec<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
            fields.sort();
            assert_eq!(
                fields,
                ["checked_in_at", "estimated_wait_seconds", "service_id", "tier"],
                "{who}: numbers, tiers and times only"
            );
        }
        assert_eq!((board.body["vip_waiting"].as_u64(), board.body["regular_waiting"].as_u64()), (Some(1), Some(1)));
    }
    let paged = w.queue_page("limit=1").await;
    assert_eq!(names(&paged), [None], "pages of the public board: {paged:?}");
    for desk in [&w.staff, &w.admin] {
        assert_eq!(names(&w.queue_as(Some(desk)).await), [Some("Ada"), Some("Bob")], "{}", desk.email);
    }
}

#[tokio::test]
async fn idempotency_keys_are_each_callers_own() {
    let w = Walkin::new().await;
    let ada = w.arrive("Ada", &phone(1), false).await;
    let bob = w.arrive("Bob", &phone(2), false).await;
    let next = |who| {
        let req = with_header(request("POST", "/walkin/v1/appointment/next", None), "idempotency-key", "desk-1");
        call(&w.app, http::next, by(req, Some(who)))
    };
    let staff = next(&w.staff).await;
    assert_eq!(staff.body["service_id"].as_u64(), Some(ada), "{staff:?}");
    // The same key from another desk user is their own key: Bob is called, not Ada replayed.
    let admin = next(&w.admin).await;
    assert_eq!(admin.body["service_id"].as_u64(), Some(bob), "{admin:?}");
    assert_eq!(admin.header("idempotent-replayed"), None);
    let replayed = next(&w.staff).await;
    assert_eq!(
        (replayed.body["service_id"].as_u64(), replayed.header("idempotent-replayed")),
        (Some(ada), Some("true"))
    );

    // At the kiosk: a signed-in caller's key is not the anonymous kiosks' key.
    assert_eq!(w.register("Cy", &phone(3), false).await.status, 201);
    let body = json!({"first_name": "Cy", "last_name": "Tester", "phone_number": phone(3)});
    let check_in = |who: Option<&system_tests::User>| {
        let req = with_header(request("POST", "/walkin/v1/appointment", Some(body.clone())), "idempotency-key", "k-1");
        call(&w.app, http::check_in, by(req, who))
    };
    let kiosk = check_in(None).await;
    assert_eq!(kiosk.status, 201, "{kiosk:?}");
    let signed_in = check_in(Some(&w.someone)).await;
    assert_eq!((signed_in.status, signed_in.code()), (409, Some("already_checked_in")), "{signed_in:?}");
    let repeat = check_in(None).await;
    assert_eq!((repeat.status, &repeat.body), (201, &kiosk.body), "the same answer, cancel token included");
}
