//! Who may call each route, for every route of the table: anonymous calls are refused (401 with
//! `WWW-Authenticate: Bearer`) unless the route is public; members of no group the route names
//! are refused (403); bad tokens are refused (401) on every route, public ones included, and
//! never end in a 5xx.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use booking::routes::ROUTES;
use serde_json::{Value, json};
use shared::{
    auth::STAFF,
    routes::{Route, Who},
};
use system_tests::Reply;

use crate::helpers::{Booking, at, text};

/// Plausible ids for a route's path parameters, which exist nowhere.
fn params(route: &Route) -> Vec<(&'static str, String)> {
    let provider = shared::ids::new_id();
    let slot = format!("{provider}.{}.15", at(3, 9, 0).format("%Y%m%dT%H%MZ"));
    [("provider_id", provider), ("slot_id", slot), ("reservation_id", shared::ids::new_id())]
        .into_iter()
        .filter(|(name, _)| route.path.contains(&format!("{{{name}}}")))
        .collect()
}

/// A body the route would take (refusals come before it is read).
fn body(route: &Route) -> Option<Value> {
    match (route.method, route.path) {
        ("POST", "/booking/v1/providers" | "/booking/v1/clients") => {
            Some(json!({"first_name": "Ada", "last_name": "Lovelace"}))
        }
        ("POST", "/booking/v1/providers/{provider_id}/availability") => {
            Some(json!({"start_time": text(at(3, 9, 0)), "end_time": text(at(3, 10, 0))}))
        }
        ("POST", "/booking/v1/reservations") => Some(json!({"slot_id": "x.20261210T0900Z.15"})),
        _ => None,
    }
}

async fn call(b: &Booking, route: &Route, authorization: Option<&str>) -> Reply {
    let params = params(route);
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.route_with(route.method, route.path, &params, "", body(route), authorization).await
}

fn assert_unauthenticated(reply: &Reply, what: &str) {
    assert_eq!((reply.status, reply.code()), (401, Some("unauthenticated")), "{what}: {reply:?}");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{what}: {reply:?}");
}

#[tokio::test]
async fn anonymous_calls_are_refused_on_every_route_that_is_not_public() {
    let b = Booking::new(1800).await;
    let mut public = Vec::new();
    for route in &ROUTES {
        let what = format!("{} {}", route.method, route.path);
        let reply = call(&b, route, None).await;
        if route.who == Who::Public {
            assert!(reply.status < 500 && reply.status != 401 && reply.status != 403, "{what}: {reply:?}");
            public.push(what);
        } else {
            assert_unauthenticated(&reply, &what);
        }
    }
    public.sort();
    assert_eq!(
        public,
        ["GET /booking/v1/providers", "GET /booking/v1/providers/{provider_id}/availability"],
        "the contract's public booking routes"
    );
}

#[tokio::test]
async fn signed_in_users_outside_a_routes_groups_are_forbidden_and_admins_are_not() {
    let b = Booking::new(1800).await;
    let nobody = b.user(&[]).await;
    let staff = b.user(&[STAFF]).await;
    let provider = b.user(&["provider"]).await;
    let mut checked = 0;
    for route in &ROUTES {
        let Who::Groups(groups) = route.who else { continue };
        let what = format!("{} {}", route.method, route.path);
        let mut outsiders = vec![&nobody, &staff];
        if !groups.contains(&"provider") {
            outsiders.push(&provider);
        }
        for user in outsiders {
            let reply = call(&b, route, Some(&format!("Bearer {}", user.token))).await;
            assert_eq!((reply.status, reply.code()), (403, Some("forbidden")), "{what} by {}: {reply:?}", user.email);
        }
        let reply = call(&b, route, Some(&format!("Bearer {}", b.admin.token))).await;
        assert!(![401, 403].contains(&reply.status) && reply.status < 500, "{what} by an admin: {reply:?}");
        checked += 1;
    }
    assert_eq!(
        checked, 7,
        "provider profile (made, changed, deleted), availability, appointments and slots; the sweep"
    );
}

/// An ID token's parts with the payload changed by `edit` (the signature no longer matches).
fn tampered(token: &str, edit: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    edit(&mut claims);
    format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2])
}

#[tokio::test]
async fn bad_tokens_are_refused_on_every_route_and_never_end_in_a_5xx() {
    let b = Booking::new(1800).await;
    let user = b.user(&["admin"]).await;
    // A user of another stack's pool: a real token, of the wrong issuer and app client.
    let elsewhere = Booking::new(1800).await.admin;
    let now = chrono::Utc::now().timestamp();
    let header = |alg: &str| URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
    let unsigned = format!("{}.{}.", header("none"), user.token.split('.').nth(1).unwrap());
    let mut flipped_signature = user.token.clone();
    let last = flipped_signature.pop().unwrap();
    flipped_signature.push(if last == 'A' { 'B' } else { 'A' });
    let bad = [
        ("garbage", "Bearer garbage".to_owned()),
        ("an empty bearer", "Bearer ".to_owned()),
        ("another scheme", "Basic dXNlcjpwYXNz".to_owned()),
        ("a three-part nonsense token", "Bearer a.b.c".to_owned()),
        ("an altered signature", format!("Bearer {flipped_signature}")),
        ("an expired token", format!("Bearer {}", tampered(&user.token, |c| c["exp"] = json!(now - 3600)))),
        (
            "claims naming someone else",
            format!("Bearer {}", tampered(&user.token, |c| c["sub"] = json!("someone-else"))),
        ),
        ("alg none", format!("Bearer {unsigned}")),
        ("another pool's token", format!("Bearer {}", elsewhere.token)),
        ("an encrypted refresh-token-like string", "Bearer eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.x.y.z.w".to_owned()),
    ];
    for route in &ROUTES {
        for (what, authorization) in &bad {
            let reply = call(&b, route, Some(authorization)).await;
            assert_unauthenticated(&reply, &format!("{} {} with {what}", route.method, route.path));
        }
    }
    // The control: the untampered token is accepted.
    let reply = b.expire_now().await;
    assert_eq!(reply.status, 200, "{reply:?}");
}
