//! Alert management: create, read, list, change, delete; every bad input; someone else's alert.

use serde_json::{Value, json};
use system_tests::{Reply, User, call, request, with_header};

use crate::helpers::{Alerts, unique_email};

fn field_named(reply: &Reply, field: &str) -> bool {
    reply.message().contains(&format!("`{field}`"))
}

#[tokio::test]
async fn an_alert_is_created_read_listed_changed_and_deleted_by_its_owner() {
    let t = Alerts::new().await;
    let created = t
        .create(&t.alice, json!({"search_phrase": "  Lego   Castle ", "frequency_minutes": 10, "max_price": 80, "target_price": 45.5}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let alert = &created.body;
    assert_eq!(alert["email"], t.alice.email.as_str(), "the caller's verified email");
    assert_eq!(alert["search_phrase"], "Lego   Castle", "trimmed, as typed");
    assert_eq!((alert["frequency_minutes"].as_u64(), alert["max_price"].as_f64()), (Some(10), Some(80.0)));
    assert_eq!((alert["target_price"].as_f64(), alert["currency"].as_str()), (Some(45.5), Some("USD")));
    assert_eq!(alert["status"], "active");
    assert_eq!(alert["next_run_at"], alert["created_at"], "due at once: the first email within a minute");
    assert!(alert.get("owner").is_none() && alert.get("last_sent_at").is_none(), "{alert}");
    let id = alert["alert_id"].as_str().unwrap();

    let read = t.get(&t.alice, id).await;
    assert_eq!((read.status, &read.body), (200, alert));

    let second = t.alert(&t.alice, "nintendo switch", 2).await;
    let listed = t.list(&t.alice, "").await;
    assert_eq!(listed.status, 200);
    let ids: Vec<&str> =
        listed.body["alerts"].as_array().unwrap().iter().map(|a| a["alert_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), id], "newest first");
    assert!(listed.body.get("next_cursor").is_none());

    let changed = t
        .patch(
            &t.alice,
            id,
            json!({"search_phrase": "lego tower", "frequency_minutes": 30, "target_price": null, "status": "paused"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        (changed.body["search_phrase"].as_str(), changed.body["frequency_minutes"].as_u64()),
        (Some("lego tower"), Some(30))
    );
    assert_eq!((changed.body.get("target_price"), changed.body["status"].as_str()), (None, Some("paused")));
    assert_eq!(changed.body["max_price"].as_f64(), Some(80.0), "untouched");
    assert_eq!(t.get(&t.alice, id).await.body, changed.body);
    // The old phrase is free again, the new one taken.
    assert_eq!(t.create(&t.alice, json!({"search_phrase": "LEGO castle", "frequency_minutes": 2})).await.status, 201);
    assert_eq!(
        t.create(&t.alice, json!({"search_phrase": "lego  tower", "frequency_minutes": 2})).await.code(),
        Some("alert_exists")
    );

    let products = t.products(&t.alice, id).await;
    assert_eq!((products.status, &products.body), (200, &json!({"products": []})), "no email yet");

    let deleted = t.delete(&t.alice, id).await;
    assert_eq!((deleted.status, &deleted.body), (200, &json!({"alert_id": id, "status": "deleted"})));
    assert_eq!(t.get(&t.alice, id).await.code(), Some("alert_not_found"));
    assert_eq!(t.delete(&t.alice, id).await.status, 404);
    // Its phrase is free again.
    assert_eq!(t.create(&t.alice, json!({"search_phrase": "lego tower", "frequency_minutes": 2})).await.status, 201);
}

#[tokio::test]
async fn someone_elses_alert_does_not_exist_for_you() {
    let t = Alerts::new().await;
    let id = t.alert(&t.alice, "kindle", 30).await;
    for reply in [
        t.get(&t.bob, &id).await,
        t.patch(&t.bob, &id, json!({"status": "paused"})).await,
        t.delete(&t.bob, &id).await,
        t.products(&t.bob, &id).await,
    ] {
        assert_eq!((reply.status, reply.code()), (404, Some("alert_not_found")), "{:?}", reply.body);
    }
    assert_eq!(t.get(&t.alice, &id).await.body["status"], "active", "untouched");
    assert!(t.list(&t.bob, "").await.body["alerts"].as_array().unwrap().is_empty());
    // Bob may have an alert with the same phrase: phrases are per user.
    assert_eq!(t.create(&t.bob, json!({"search_phrase": "Kindle", "frequency_minutes": 2})).await.status, 201);
    for bad_id in ["nope", "PROFILE", &"x".repeat(300)] {
        assert_eq!(t.get(&t.alice, bad_id).await.status, 404, "{bad_id}");
    }
}

#[tokio::test]
async fn every_bad_input_is_a_clear_error_naming_its_field() {
    let t = Alerts::new().await;
    let ok = json!({"search_phrase": "lego", "frequency_minutes": 10});
    let with = |field: &str, value: Value| {
        let mut body = ok.clone();
        body[field] = value;
        body
    };
    for (body, status, code, field) in [
        (json!({"frequency_minutes": 10}), 400, "invalid_field", "search_phrase"),
        (with("search_phrase", json!("   ")), 400, "invalid_field", "search_phrase"),
        (with("search_phrase", json!("x".repeat(101))), 400, "invalid_field", "search_phrase"),
        (with("search_phrase", json!(5)), 400, "invalid_field", "search_phrase"),
        (json!({"search_phrase": "lego"}), 400, "invalid_field", "frequency_minutes"),
        (with("frequency_minutes", json!(5)), 400, "invalid_field", "frequency_minutes"),
        (with("frequency_minutes", json!("10")), 400, "invalid_field", "frequency_minutes"),
        (with("max_price", json!(-1)), 400, "invalid_field", "max_price"),
        (with("max_price", json!("cheap")), 400, "invalid_field", "max_price"),
        (with("max_price", json!(0)), 400, "invalid_field", "max_price"),
        (with("target_price", json!(1.999)), 400, "invalid_field", "target_price"),
        (with("currency", json!("XYZ")), 400, "invalid_field", "currency"),
        (with("currency", json!("usd")), 400, "invalid_field", "currency"),
    ] {
        let reply = t.create(&t.alice, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, Some(code)), "{body}: {:?}", reply.body);
        assert!(field_named(&reply, field), "{body}: {:?}", reply.body);
    }
    let raw = |text: &str| {
        system_tests::as_user(
            system_tests::raw_request("POST", "/alerts/v1/alerts", lambda_http::Body::Text(text.to_owned())),
            &t.alice,
        )
    };
    for text in ["{", "[1]", ""] {
        let reply = call(t.app, alerts::entrypoints::http::create, raw(text)).await;
        assert_eq!(reply.status, 400, "{text:?}: {:?}", reply.body);
    }

    let id = t.alert(&t.alice, "lego", 10).await;
    for (body, field) in [
        (json!({}), "body"),
        (json!({"status": "unsubscribed"}), "status"),
        (json!({"frequency_minutes": 3}), "frequency_minutes"),
        (json!({"search_phrase": null}), "search_phrase"),
        (json!({"max_price": -5}), "max_price"),
        (json!({"email": "x@example.com"}), "body"),
    ] {
        let reply = t.patch(&t.alice, &id, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(field_named(&reply, field), "{body}: {:?}", reply.body);
    }

    assert_eq!(
        t.create(&t.alice, json!({"search_phrase": " LEGO ", "frequency_minutes": 2})).await.code(),
        Some("alert_exists")
    );
    assert_eq!(t.create(&t.alice, ok.clone()).await.status, 409);
    let other = t.alert(&t.alice, "duplo", 2).await;
    assert_eq!(t.patch(&t.alice, &other, json!({"search_phrase": "Lego"})).await.code(), Some("alert_exists"));
}

#[tokio::test]
async fn twenty_alerts_at_most_and_the_listing_pages_through_them() {
    let t = Alerts::new().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(t.alert(&t.alice, &format!("phrase {i}"), 30).await);
    }
    let reply = t.create(&t.alice, json!({"search_phrase": "one more", "frequency_minutes": 30})).await;
    assert_eq!((reply.status, reply.code()), (422, Some("too_many_alerts")), "{:?}", reply.body);

    let mut seen = Vec::new();
    let mut query = "limit=7".to_owned();
    let mut pages = 0;
    loop {
        let page = t.list(&t.alice, &query).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        pages += 1;
        seen.extend(page.body["alerts"].as_array().unwrap().iter().map(|a| a["alert_id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=7&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!((seen, pages), (ids.clone(), 3), "newest first, every alert once");

    let first = t.list(&t.alice, "limit=7").await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    for bad in [format!("{cursor}x"), cursor[..cursor.len() - 3].to_owned(), "forged.cursor".to_owned()] {
        assert_eq!(t.list(&t.alice, &format!("cursor={bad}")).await.status, 400, "{bad}");
    }
    assert_eq!(t.list(&t.bob, &format!("cursor={cursor}")).await.status, 400, "another user's cursor");
    for limit in ["0", "101", "ten"] {
        assert_eq!(t.list(&t.alice, &format!("limit={limit}")).await.status, 400, "{limit}");
    }

    // Deleting one makes room again.
    assert_eq!(t.delete(&t.alice, &ids[0]).await.status, 200);
    assert_eq!(t.create(&t.alice, json!({"search_phrase": "one more", "frequency_minutes": 30})).await.status, 201);
    assert_eq!(t.create(&t.alice, json!({"search_phrase": "and another", "frequency_minutes": 30})).await.status, 422);
}

#[tokio::test]
async fn alerts_need_a_signed_in_caller_with_a_verified_email_in_the_token() {
    let t = Alerts::new().await;
    let body = json!({"search_phrase": "lego", "frequency_minutes": 10});
    let anonymous =
        call(t.app, alerts::entrypoints::http::create, request("POST", "/alerts/v1/alerts", Some(body.clone()))).await;
    assert_eq!((anonymous.status, anonymous.code()), (401, Some("unauthenticated")));
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));

    // An access token carries no email: the alert could not be mailed.
    let (_, client) = t.stack.sign_in();
    let email = unique_email("carol");
    let sdk = system_tests::sdk().await;
    system_tests::user(&t.stack, &email, &[]).await;
    let tokens =
        local_stack::cognito::sign_in(&sdk, client, &email, local_stack::cognito::DEFAULT_DEMO_PASSWORD).await.unwrap();
    let req = with_header(
        request("POST", "/alerts/v1/alerts", Some(body)),
        "authorization",
        &format!("Bearer {}", tokens.access_token),
    );
    let reply = call(t.app, alerts::entrypoints::http::create, req).await;
    assert_eq!((reply.status, reply.code()), (403, Some("email_required")), "{:?}", reply.body);
    let _: &User = &t.bob;
}
