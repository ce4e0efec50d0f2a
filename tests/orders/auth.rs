//! Who may call what: every orders route refuses anonymous callers and bad tokens (401
//! `unauthenticated` with `WWW-Authenticate: Bearer`, never a 500) and callers outside its
//! groups (403 `forbidden`); an order is its owner's (and staff's and admins'): anyone else's
//! is a 404, as if it did not exist.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use orders::{
    App,
    domain::generated_order_id,
    entrypoints::http,
    ops::{self, Generated},
    routes::ROUTES,
};
use serde_json::{Value, json};
use shared::{
    auth::AuthConfig,
    http::Request,
    money::Micros,
    routes::{Route, Who},
};
use system_tests::{Reply, User, as_user, call, endpoint, request, sdk, user, with_header, workspace};

use crate::helpers::{Orders, config};

/// Calls the handler of `route`. A route of the table without a handler here fails the test:
/// every route is checked below.
async fn send(app: &'static App, route: &Route, req: Request) -> Reply {
    match (route.method, route.path) {
        ("POST", "/orders/v1/orders") => call(app, http::create_order, req).await,
        ("GET", "/orders/v1/orders") => call(app, http::list_orders, req).await,
        ("GET", "/orders/v1/orders/{order_id}") => call(app, http::get_order, req).await,
        ("GET", "/orders/v1/metrics") => call(app, http::metrics, req).await,
        ("GET", "/orders/v1/generation") => call(app, http::generation_status, req).await,
        ("POST", "/orders/v1/generation/start") => call(app, http::generation_start, req).await,
        ("POST", "/orders/v1/generation/stop") => call(app, http::generation_stop, req).await,
        _ => panic!("no handler for {route:?} in this test: add it"),
    }
}

/// A well-formed request for `route` (an order id where it takes one, a valid body on POSTs).
fn request_for(route: &Route, order_id: &str) -> Request {
    let body = (route.method == "POST" && route.path == "/orders/v1/orders").then(|| json!({"quantity": 1}));
    request(route.method, &route.path.replace("{order_id}", order_id), body)
}

fn route(method: &str, path: &str) -> &'static Route {
    ROUTES.iter().find(|r| r.method == method && r.path == path).unwrap()
}

fn assert_unauthenticated(reply: &Reply, what: &str) {
    assert_eq!((reply.status, reply.code()), (401, Some("unauthenticated")), "{what}: {reply:?}");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{what}: {reply:?}");
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Tokens that must not get anyone in, built from a real one of `user`: each an `Authorization`
/// header value.
fn bad_authorizations(user: &User) -> Vec<(&'static str, String)> {
    let parts: Vec<&str> = user.token.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["cognito:groups"] = json!(["admin"]);
    let now = chrono::Utc::now().timestamp();
    let mut expired = claims.clone();
    (expired["iat"], expired["exp"]) = (json!(now - 7200), json!(now - 3600));
    let signature = parts[2];
    vec![
        ("garbage", "Bearer not-a-token".to_owned()),
        ("three dots of garbage", "Bearer a.b.c".to_owned()),
        ("an empty bearer", "Bearer ".to_owned()),
        ("another scheme", "Basic dXNlcjpwYXNz".to_owned()),
        ("a token without its scheme", user.token.clone()),
        ("claims made admin under the real signature", format!("Bearer {}.{}.{signature}", parts[0], b64(&claims))),
        ("expired, under the real signature", format!("Bearer {}.{}.{signature}", parts[0], b64(&expired))),
        ("alg none", format!("Bearer {}.{}.", b64(&json!({"alg": "none", "kid": header["kid"]})), b64(&claims))),
        (
            "HS256",
            format!("Bearer {}.{}.{signature}", b64(&json!({"alg": "HS256", "kid": header["kid"]})), b64(&claims)),
        ),
        ("an unknown key", format!("Bearer {}.{}.{signature}", b64(&json!({"alg": "RS256", "kid": "k9"})), parts[1])),
        ("a truncated token", format!("Bearer {}", &user.token[..user.token.len() - 10])),
    ]
}

#[tokio::test]
async fn anonymous_callers_and_bad_tokens_are_refused_on_every_route() {
    let o = Orders::new(3).await;
    assert!(ROUTES.iter().all(|r| r.who != Who::Public), "no orders route is public");
    let placed = o.post(json!({"quantity": 2})).await;
    assert_eq!(placed.status, 202, "{placed:?}");
    let id = placed.body["order_id"].as_str().unwrap();
    let bad = bad_authorizations(&o.admin);
    for route in &ROUTES {
        let what = format!("{} {}", route.method, route.path);
        assert_unauthenticated(&send(o.app, route, request_for(route, id)).await, &format!("{what} anonymous"));
        for (how, authorization) in &bad {
            let req = with_header(request_for(route, id), "authorization", authorization);
            assert_unauthenticated(&send(o.app, route, req).await, &format!("{what} with {how}"));
        }
    }
    // Nothing was done: the one order placed, generation still running, nothing processed.
    assert_eq!(o.queued_messages().await, 1);
    assert!(ops::generation_running(&o.app.store).await.unwrap());
    assert_eq!(Orders::processed_count(&o.metrics().await), 0);
}

#[tokio::test]
async fn refresh_tokens_and_tokens_of_another_app_client_are_refused_and_access_tokens_accepted() {
    let o = Orders::new(0).await;
    let (_, client) = o.stack.sign_in();
    let password = local_stack::cognito::DEFAULT_DEMO_PASSWORD;
    let tokens = local_stack::cognito::sign_in(&sdk().await, client, &o.user.email, password).await.unwrap();
    let post = route("POST", "/orders/v1/orders");
    if let Some(refresh) = &tokens.refresh_token {
        let req = with_header(request_for(post, "x"), "authorization", &format!("Bearer {refresh}"));
        assert_unauthenticated(&send(o.app, post, req).await, "a refresh token");
    }
    // An access token names the same user: the order is theirs.
    let req = with_header(request_for(post, "x"), "authorization", &format!("Bearer {}", tokens.access_token));
    let placed = send(o.app, post, req).await;
    assert_eq!(placed.status, 202, "{placed:?}");
    let id = placed.body["order_id"].as_str().unwrap();
    assert_eq!(o.order_as(Some(&o.user), id).await.status, 200);
    assert_eq!(o.order_as(Some(&o.other), id).await.status, 404);

    // The same pool, another app client: its functions do not take our tokens.
    let mut elsewhere = config(&o.stack, 0);
    let (pool, _) = o.stack.sign_in();
    elsewhere.auth = AuthConfig::for_pool("us-east-1", pool, "another-app-client", Some(endpoint()));
    let elsewhere: &'static App = shared::app::for_process(App::new(&o.sdk, &elsewhere));
    for route in &ROUTES {
        let reply = send(elsewhere, route, as_user(request_for(route, id), &o.admin)).await;
        assert_unauthenticated(&reply, &format!("{} {} for another client", route.method, route.path));
    }
}

#[tokio::test]
async fn each_route_is_for_its_groups_only() {
    let o = Orders::new(3).await;
    let (provider, analyst) = tokio::join!(
        user(&o.stack, "provider@example.com", &["provider"]),
        user(&o.stack, "analyst@example.com", &["analyst", "ingest"]),
    );
    let forbidden = [
        ("GET", "/orders/v1/metrics", vec![&o.user, &provider, &analyst]),
        ("GET", "/orders/v1/generation", vec![&o.user, &provider, &analyst]),
        ("POST", "/orders/v1/generation/start", vec![&o.user, &provider, &analyst, &o.staff]),
        ("POST", "/orders/v1/generation/stop", vec![&o.user, &provider, &analyst, &o.staff]),
    ];
    for (method, path, users) in &forbidden {
        for who in users {
            let reply = send(o.app, route(method, path), as_user(request_for(route(method, path), "x"), who)).await;
            assert_eq!(
                (reply.status, reply.code()),
                (403, Some("forbidden")),
                "{method} {path} as {}: {reply:?}",
                who.email
            );
            assert!(reply.header("www-authenticate").is_none());
        }
    }
    // Staff read the metrics and the switch; admins everything.
    for who in [&o.staff, &o.admin] {
        for path in ["/orders/v1/metrics", "/orders/v1/generation"] {
            let reply = send(o.app, route("GET", path), as_user(request_for(route("GET", path), "x"), who)).await;
            assert_eq!(reply.status, 200, "GET {path} as {}: {reply:?}", who.email);
        }
    }
    // Any signed-in user places orders, whatever their groups.
    for who in [&o.user, &provider, &analyst, &o.staff, &o.admin] {
        assert_eq!(o.post_as(Some(who), json!({"quantity": 1})).await.status, 202, "{}", who.email);
    }
}

#[tokio::test]
async fn staff_cannot_stop_or_start_generation_and_admins_can() {
    let o = Orders::new(3).await;
    let switch = |path: &'static str, who: &User| {
        let route = route("POST", path);
        send(o.app, route, as_user(request_for(route, "x"), who))
    };
    let running = || async { ops::generation_running(&o.app.store).await.unwrap() };
    assert_eq!(switch("/orders/v1/generation/stop", &o.staff).await.code(), Some("forbidden"));
    assert!(running().await, "staff did not stop it");
    let minute = shared::time::parse("2026-11-22T11:00:00Z").unwrap();
    assert_eq!(o.generate(minute).await.unwrap().outcome, Generated::Created { minute, orders: 3 });

    let stopped = switch("/orders/v1/generation/stop", &o.admin).await;
    assert_eq!((stopped.status, &stopped.body), (200, &json!({"running": false, "orders_per_minute": 3})));
    assert_eq!(switch("/orders/v1/generation/start", &o.staff).await.code(), Some("forbidden"));
    assert!(!running().await, "staff did not start it");
    let later = minute + chrono::Duration::minutes(1);
    assert_eq!(o.generate(later).await.unwrap().outcome, Generated::Stopped);
    assert_eq!(switch("/orders/v1/generation/start", &o.admin).await.body["running"], true);
    assert!(running().await);
}

#[tokio::test]
async fn an_order_is_its_owners_and_staffs_and_nobody_elses() {
    let o = Orders::new(2).await;
    let placed = o.post_as(Some(&o.user), json!({"quantity": 2, "symbol": "ABC"})).await;
    assert_eq!(placed.status, 202, "{placed:?}");
    assert!(placed.body.get("owner").is_none(), "the response keeps the contract's shape: {}", placed.body);
    let id = placed.body["order_id"].as_str().unwrap().to_owned();
    let stored = o.app.store.order(&id).await.unwrap().unwrap();
    assert_eq!(stored.owner.as_deref(), Some(o.user.sub.as_str()), "the order is stored as the caller's");

    for who in [&o.user, &o.staff, &o.admin] {
        let reply = o.order_as(Some(who), &id).await;
        assert_eq!((reply.status, &reply.body), (200, &placed.body), "as {}", who.email);
    }
    // Someone else's order is not found, exactly as one that does not exist.
    let theirs = o.order_as(Some(&o.other), &id).await;
    assert_eq!((theirs.status, theirs.code()), (404, Some("order_not_found")), "{theirs:?}");
    let missing_id = format!("{}x", &id[..id.len() - 1]);
    let missing = o.order_as(Some(&o.other), &missing_id).await;
    assert_eq!(theirs.message().replace(&id, "ID"), missing.message().replace(&missing_id, "ID"));

    // Processing keeps the owner: the processed order is still theirs only.
    assert_eq!(o.app.store.process(&id, Micros(3_000_000), shared::time::now()).await.unwrap(), Ok(()));
    let processed = o.order_as(Some(&o.user), &id).await;
    assert_eq!((processed.body["status"].as_str(), processed.body.get("owner")), (Some("processed"), None));
    assert_eq!(o.order_as(Some(&o.other), &id).await.status, 404);
    assert_eq!(o.app.store.order(&id).await.unwrap().unwrap().owner.as_deref(), Some(o.user.sub.as_str()));

    // Generated orders have no owner: staff and admins only.
    let minute = shared::time::parse("2026-11-22T10:30:00Z").unwrap();
    assert_eq!(o.generate(minute).await.unwrap().outcome, Generated::Created { minute, orders: 2 });
    let generated = generated_order_id(minute, 0);
    assert_eq!(o.app.store.order(&generated).await.unwrap().unwrap().owner, None);
    for who in [&o.user, &o.other] {
        assert_eq!(o.order_as(Some(who), &generated).await.code(), Some("order_not_found"), "{}", who.email);
    }
    for who in [&o.staff, &o.admin] {
        assert_eq!(o.order_as(Some(who), &generated).await.status, 200, "{}", who.email);
    }
    assert_unauthenticated(&o.order_as(None, &generated).await, "anonymous");
}

/// Calls the handler of an orders sample event (`events/<binary>.json`).
async fn send_sample(app: &'static App, binary: &str, req: Request) -> Reply {
    match binary {
        "orders-create-order" => call(app, http::create_order, req).await,
        "orders-get-order" => call(app, http::get_order, req).await,
        "orders-metrics" => call(app, http::metrics, req).await,
        "orders-generation-status" => call(app, http::generation_status, req).await,
        "orders-generation-start" => call(app, http::generation_start, req).await,
        "orders-generation-stop" => call(app, http::generation_stop, req).await,
        _ => panic!("no handler for the sample {binary}: add it"),
    }
}

#[tokio::test]
async fn the_sample_events_are_refused_without_a_real_token_and_served_with_one() {
    let o = Orders::new(3).await;
    let samples = [
        ("orders-create-order", &o.user, 202),
        ("orders-get-order", &o.staff, 404), // a generated order that this stack never made
        ("orders-metrics", &o.staff, 200),
        ("orders-generation-status", &o.staff, 200),
        ("orders-generation-stop", &o.admin, 200),
        ("orders-generation-start", &o.admin, 200),
    ];
    for (binary, who, status) in samples {
        let text = std::fs::read_to_string(workspace().join("events").join(format!("{binary}.json"))).unwrap();
        let event: Value = serde_json::from_str(&text).unwrap();
        let claims = &event["requestContext"]["authorizer"]["jwt"]["claims"];
        assert!(claims["sub"].is_string() && claims["token_use"] == "id", "{binary}: the authorizer's claims");
        let parse = |event: &Value| -> Request {
            let event: lambda_http::request::LambdaRequest = serde_json::from_value(event.clone()).unwrap();
            event.into()
        };
        // The claims are API Gateway's; the function verifies the bearer token itself.
        assert_unauthenticated(&send_sample(o.app, binary, parse(&event)).await, binary);
        let mut real = event.clone();
        real["headers"]["authorization"] = json!(format!("Bearer {}", who.token));
        let reply = send_sample(o.app, binary, parse(&real)).await;
        assert_eq!(reply.status, status, "{binary}: {reply:?}");
    }
}
