//! End to end: the template's stack on a fresh local AWS endpoint, every function under
//! `cargo lambda watch` with the generated router, called over real HTTP.

use std::{sync::Arc, time::Duration};

use local_stack::{
    invoke::{Invoker, WatchInvoker},
    triggers::ScheduleSource,
};
use orders::domain::{generated_order_id, minute_of};
use serde_json::{Value, json};
use system_tests::{endpoint, running::Running, sdk, template, user};

#[tokio::test(flavor = "multi_thread")]
async fn walkin_through_cargo_lambda_watch_and_the_router() {
    let running = Running::start(&[]).await;
    let triggers = running.triggers(&[]).await;
    let kiosk = running.api("/walkin/v1");
    let staff = user(&running.stack, "staff@example.com", &["staff"]).await;
    let desk = kiosk.as_user(&staff);
    let api = &kiosk;

    let (status, error) = kiosk.send("POST", "/appointment/next", None).await;
    assert_eq!((status, &error["error"]["code"]), (401, &json!("unauthenticated")), "the desk needs a token");
    for (name, phone, vip) in [("Vera", "5550000001", true), ("Rob", "5550000002", false)] {
        let (status, body) = desk
            .send(
                "POST",
                "/customers",
                Some(json!({"first_name": name, "last_name": "E2e", "phone_number": phone, "vip": vip})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, rob) = api
        .send("POST", "/appointment", Some(json!({"firstName": "Rob", "lastName": "E2e", "phoneNumber": "5550000002"})))
        .await;
    assert_eq!((status, &rob["tier"]), (201, &json!("regular")), "{rob}");
    let (status, vera) = api
        .send(
            "POST",
            "/appointment",
            Some(json!({"first_name": "Vera", "last_name": "E2e", "phone_number": "5550000001"})),
        )
        .await;
    assert_eq!((status, &vera["position"]), (201, &json!(1)), "{vera}");

    let (status, queue) = desk.send("GET", "/queue", None).await;
    assert_eq!(status, 200);
    assert_eq!(queue["waiting"][0]["first_name"], "Vera");

    // The router hands the path parameter to the function.
    let (status, ticket) = api.send("GET", &format!("/appointment/{}", rob["service_id"]), None).await;
    assert_eq!((status, &ticket["status"], &ticket["position"]), (200, &json!("waiting"), &json!(2)), "{ticket}");

    let (status, called) = desk.send("POST", "/appointment/next", Some(json!({"desk": "3"}))).await;
    assert_eq!((status, &called["first_name"], &called["desk"]), (200, &json!("Vera"), &json!("3")));
    // The notices queue's trigger runs the notifier, whose SMS reaches the local outbox through SNS.
    let text = format!("Ticket {}: please go to desk 3.", called["service_id"]);
    system_tests::eventually("Vera's SMS in the outbox", std::time::Duration::from_secs(60), || async {
        let messages = system_tests::outbox().await;
        messages
            .iter()
            .any(|m| m["channel"] == "sms" && m["to"][0] == "+15550000001" && m["body"] == text.as_str())
            .then_some(())
    })
    .await;
    let (status, called) = desk.send("GET", "/appointment/next", None).await;
    assert_eq!((status, &called["first_name"]), (200, &json!("Rob")));
    let (status, empty) = desk.send("POST", "/appointment/next", None).await;
    assert_eq!((status, &empty["error"]["code"]), (404, &json!("queue_empty")));

    let (status, error) = api.send("DELETE", "/queue", None).await;
    assert_eq!((status, &error["error"]["code"]), (405, &json!("method_not_allowed")));
    let (status, error) = api.send("GET", "/nowhere/at/all", None).await;
    assert_eq!((status, &error["error"]["code"]), (404, &json!("route_not_found")));
    let (status, error) = api.send("POST", "/appointment", Some(json!({"first_name": "X"}))).await;
    assert_eq!((status, &error["error"]["code"]), (400, &json!("invalid_field")));

    triggers.stop().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hold_expires_through_the_local_queue_trigger() {
    let running = Running::start(&[("BOOKING_HOLD_SECONDS", "2")]).await;
    let api = running.api("/booking/v1");
    let triggers = running.triggers(&[]).await;
    let sdk = sdk().await;

    let pat = user(&running.stack, "provider@example.com", &["provider"]).await;
    let cam = user(&running.stack, "client@example.com", &[]).await;
    let (as_pat, as_cam) = (api.as_user(&pat), api.as_user(&cam));
    let (_, provider) = as_pat.send("POST", "/providers", Some(json!({"first_name": "Pat", "last_name": "E2e"}))).await;
    let (_, client) = as_cam.send("POST", "/clients", Some(json!({"first_name": "Cam", "last_name": "E2e"}))).await;
    let provider_id = provider["provider_id"].as_str().unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%d");
    let (status, slots) = as_pat
        .send(
            "POST",
            &format!("/providers/{provider_id}/availability"),
            Some(json!({"start_time": format!("{day}T09:00:00Z"), "end_time": format!("{day}T09:30:00Z")})),
        )
        .await;
    assert_eq!(status, 201, "{slots}");
    let slot_id = slots["slots"][0]["slot_id"].as_str().unwrap();
    let (status, held) =
        as_cam.send("POST", "/reservations", Some(json!({"client_id": client["client_id"], "slot_id": slot_id}))).await;
    assert_eq!((status, &held["status"]), (201, &json!("held")), "{held}");
    let reservation_id = held["reservation_id"].as_str().unwrap().to_owned();

    // No request is made: the expiry message arrives through the queue and the worker records it.
    let store = booking::store::Store::new(aws_sdk_dynamodb::Client::new(&sdk), running.stack.table("BookingTable"));
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let stored = store.reservation(&reservation_id).await.unwrap().unwrap();
        if stored.status == booking::domain::Status::Expired {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the expiry worker did not record the expiry");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, listed) = api.send("GET", &format!("/providers/{provider_id}/availability"), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["slots"].as_array().unwrap().len(), 2, "the slot is bookable again: {listed}");
    let (status, late) = as_cam
        .send(
            "POST",
            &format!("/reservations/{reservation_id}/confirm"),
            Some(json!({"client_id": client["client_id"]})),
        )
        .await;
    assert_eq!((status, &late["error"]["code"]), (410, &json!("reservation_expired")));
    // The slot again, confirmed in time this time: the client's and the provider's lists show it.
    let (status, held) = as_cam.send("POST", "/reservations", Some(json!({"slot_id": slot_id}))).await;
    assert_eq!((status, &held["status"]), (201, &json!("held")), "{held}");
    let again = held["reservation_id"].as_str().unwrap();
    let (status, confirmed) = as_cam.send("POST", &format!("/reservations/{again}/confirm"), None).await;
    assert_eq!((status, &confirmed["status"]), (200, &json!("confirmed")), "{confirmed}");
    let (status, mine) = as_cam.send("GET", "/clients/me/reservations", None).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["reservations"][0]["reservation_id"], again, "newest first: {mine}");
    let (status, appointments) = as_pat.send("GET", &format!("/providers/{provider_id}/reservations"), None).await;
    assert_eq!(status, 200, "{appointments}");
    let listed: Vec<&Value> = appointments["reservations"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 1, "only the live one: {appointments}");
    assert_eq!((&listed[0]["reservation_id"], &listed[0]["client_first_name"]), (&json!(again), &json!("Cam")));
    let (status, other) = api.send("GET", &format!("/reservations/{again}"), None).await;
    assert_eq!((status, &other["error"]["code"]), (401, &json!("unauthenticated")), "{other}");

    let (status, wrong) = api.send("PUT", "/reservations", None).await;
    assert_eq!((status, &wrong["error"]["code"]), (405, &json!("method_not_allowed")));

    triggers.stop().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_flow_from_the_schedule_through_the_queue() {
    // Six orders a minute, spread over two seconds so that the test does not wait a minute.
    let running = Running::start(&[("ORDERS_PER_MINUTE", "6"), ("ORDERS_GENERATION_WINDOW_SECONDS", "2")]).await;
    let anonymous = running.api("/orders/v1");
    let staff = anonymous.as_user(&user(&running.stack, "staff@example.com", &["staff"]).await);
    let admin = anonymous.as_user(&user(&running.stack, "admin@example.com", &["admin"]).await);
    let buyer = anonymous.as_user(&user(&running.stack, "buyer@example.com", &[]).await);
    let api = &staff;
    let invoker = Arc::new(WatchInvoker::new(running.port));
    // The template's generation schedule, fired every second instead of every minute: every
    // firing within one minute is the same minute, so it still generates six orders a minute.
    let first_minute = minute_of(chrono::Utc::now());
    let triggers = running.triggers(&["orders-generator"]).await;

    let (status, generation) = api.send("GET", "/generation", None).await;
    assert_eq!((status, &generation["running"], &generation["orders_per_minute"]), (200, &json!(true), &json!(6)));
    let (status, posted) = buyer.send("POST", "/orders", Some(json!({"quantity": 3, "symbol": "E2E"}))).await;
    assert_eq!((status, &posted["status"]), (202, &json!("queued")), "{posted}");

    // Generated orders and the posted one are processed: the metrics grow.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (_, metrics) = api.send("GET", "/metrics", None).await;
        if metrics["total_orders_processed"].as_u64().unwrap() >= 7 {
            assert!(metrics["average_execution_price"].as_f64().unwrap() > 0.0);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "orders were not generated and processed: {metrics}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (status, order) = buyer.send("GET", &format!("/orders/{}", posted["order_id"].as_str().unwrap()), None).await;
    assert_eq!((status, &order["status"]), (200, &json!("processed")), "{order}");
    let price = order["execution_price"].as_f64().unwrap();
    assert!((3.3..6.0).contains(&price), "3 × [1.1, 2.0): {price}");

    let (status, stopped_view) = admin.send("POST", "/generation/stop", None).await;
    assert_eq!((status, &stopped_view["running"]), (200, &json!(false)));
    let stop_minute = minute_of(chrono::Utc::now());
    let (status, error) = buyer.send("POST", "/orders", Some(json!({"quantity": 11}))).await;
    assert_eq!((status, &error["error"]["code"]), (400, &json!("invalid_field")));

    // The next minute's invocation, made now through cargo lambda watch: stopped, no orders.
    let next = stop_minute + chrono::Duration::minutes(1);
    let generator = ScheduleSource::from_template(template())
        .unwrap()
        .into_iter()
        .find(|s| s.function == "orders-generator")
        .unwrap();
    let outcome = invoker.invoke("orders-generator", generator.event(next + chrono::Duration::seconds(1))).await;
    assert_eq!(outcome.unwrap()["outcome"], "Stopped");
    let (status, _) = api.send("GET", &format!("/orders/{}", generated_order_id(next, 0)), None).await;
    assert_eq!(status, 404);

    // The processed count settles (messages are delayed by up to the 2 s window, the schedule keeps
    // firing every second) at exactly the orders generated before the stop and the posted one.
    let generated_before_stop = || async {
        let mut orders = 0;
        let mut minute = first_minute;
        while minute <= stop_minute {
            if api.send("GET", &format!("/orders/{}", generated_order_id(minute, 0)), None).await.0 == 200 {
                orders += 6;
            }
            minute += chrono::Duration::minutes(1);
        }
        orders
    };
    let quiet = Duration::from_secs(5);
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let mut last: Option<(u64, std::time::Instant)> = None;
    loop {
        let (_, metrics) = api.send("GET", "/metrics", None).await;
        let count = metrics["total_orders_processed"].as_u64().unwrap();
        match last {
            Some((previous, since)) if previous == count => {
                if since.elapsed() >= quiet && count == 1 + generated_before_stop().await {
                    break;
                }
            }
            _ => last = Some((count, std::time::Instant::now())),
        }
        assert!(
            std::time::Instant::now() < deadline,
            "processed {count}, expected it to settle at 1 + {} generated before the stop",
            generated_before_stop().await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    triggers.stop().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn analytics_events_through_the_queue_and_http_answer_the_queries() {
    let running = Running::start(&[]).await;
    let anonymous = running.api("/analytics/v1");
    let ingest = anonymous.as_user(&user(&running.stack, "ingest@example.com", &["ingest"]).await);
    let analyst = anonymous.as_user(&user(&running.stack, "analyst@example.com", &["analyst"]).await);
    let sdk = sdk().await;
    let triggers = running.triggers(&[]).await;

    let event = |id: &str, customer: &str, value: &str| {
        json!({
            "event_type": "order.created", "event_id": id, "lovevery_user_id": customer, "currency": "USD",
            "order_value": value, "buyer_accepts_marketing": true, "occurred_at": "2026-03-01T12:00:00Z",
            "shipping_address": {"province": "Maryland", "country": "United States"},
            "line_items": [{"quantity": "2", "id": "item-1"}],
        })
    };
    // One event over HTTP, two through the queue (one of them twice), and a poison message.
    let (status, created) = ingest.send("POST", "/events", Some(event("e2e-1", "c1", "10.5"))).await;
    assert_eq!((status, &created["status"]), (201, &json!("created")), "{created}");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue = &running.stack.queue("AnalyticsEventsQueue").url;
    for body in [event("e2e-2", "c2", "4.25"), event("e2e-3", "c1", "0.25"), event("e2e-3", "c1", "0.25")] {
        sqs.send_message().queue_url(queue).message_body(body.to_string()).send().await.unwrap();
    }
    sqs.send_message().queue_url(queue).message_body("not an event").send().await.unwrap();

    let query = "/orders/value?start_date=2026-03-01&end_date=2026-03-01&mode=TOTAL";
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, total) = analyst.send("GET", query, None).await;
        assert_eq!(status, 200, "{total}");
        if total["order_count"] == 3 {
            assert_eq!(total["order_value"].as_f64(), Some(15.0), "{total}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the queued events were not ingested: {total}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (status, top) =
        analyst.send("GET", "/customers/top?start_date=2026-03-01&end_date=2026-03-01&count=5", None).await;
    assert_eq!(status, 200, "{top}");
    assert_eq!(top["customers"][0]["customer_id"], "c1", "{top}");
    assert_eq!(top["customers"][0]["order_count"], 2, "the duplicate delivery counted once: {top}");
    let (status, error) = ingest.send("GET", query, None).await;
    assert_eq!((status, &error["error"]["code"]), (403, &json!("forbidden")), "ingest cannot query");
    let (status, error) = anonymous.send("POST", "/events", Some(event("e2e-4", "c3", "1"))).await;
    assert_eq!((status, &error["error"]["code"]), (401, &json!("unauthenticated")));

    // The poison message went to the DLQ at once instead of being retried.
    let dlq = &running.stack.queue("AnalyticsEventsDeadLetterQueue").url;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let received = sqs.receive_message().queue_url(dlq).wait_time_seconds(1).send().await.unwrap();
        if let Some(message) = received.messages().first() {
            assert!(message.body().unwrap_or_default().contains("not an event"), "{message:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the poison message did not reach the DLQ");
    }

    triggers.stop().await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_mails_through_the_schedule_the_queue_and_ses_records_its_history_and_unsubscribes_by_its_link() {
    let running = Running::start(&[]).await;
    let anonymous = running.api("/alerts/v1");
    let email = format!("e2e-alerts-{}@example.com", std::process::id());
    let me = anonymous.as_user(&user(&running.stack, &email, &[]).await);
    let (status, alert) =
        me.send("POST", "/alerts", Some(json!({"search_phrase": "Lego Castle", "frequency_minutes": 30}))).await;
    assert_eq!(status, 201, "{alert}");
    let id = alert["alert_id"].as_str().unwrap();

    // The dispatcher's schedule fires every second; its messages reach the worker through the
    // local SQS trigger; the email reaches the local outbox through SES.
    let triggers = running.triggers(&["alerts-dispatcher"]).await;
    let outbox = || async {
        let all: Value =
            reqwest::get(format!("{}/_local/outbox.json", endpoint())).await.unwrap().json().await.unwrap();
        all["messages"].as_array().unwrap().iter().filter(|m| m["to"][0] == email.as_str()).cloned().collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let sent = loop {
        let sent = outbox().await;
        if !sent.is_empty() {
            break sent;
        }
        assert!(std::time::Instant::now() < deadline, "no email reached the outbox");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(sent[0]["subject"], "20 listings for \u{201c}Lego Castle\u{201d}");
    let (status, products) = me.send("GET", &format!("/alerts/{id}/products"), None).await;
    assert_eq!((status, products["products"].as_array().map(Vec::len)), (200, Some(20)), "{products}");

    // More dispatches within the period send nothing more.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(outbox().await.len(), 1);

    // The search went on to the price history through PriceObservationsQueue and the recorder:
    // today's day is in the alert's insights.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, insights) = me.send("GET", &format!("/alerts/{id}/insights?days=7"), None).await;
        assert_eq!(status, 200, "{insights}");
        if let Some(day) = insights["days"].as_array().and_then(|days| days.first()) {
            assert_eq!(day["date"], chrono::Utc::now().date_naive().to_string(), "{insights}");
            assert!(day["listings"].as_u64().unwrap() >= 20, "{insights}");
            assert!(insights["lowest"]["price"].as_f64().unwrap() > 0.0, "{insights}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the observation was not recorded: {insights}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    triggers.stop().await;

    // The email's one-click link, posted as a mailbox provider does.
    let raw = sent[0]["raw"].as_str().unwrap();
    let link = raw.lines().find_map(|l| l.strip_prefix("List-Unsubscribe: <")).unwrap().trim_end_matches('>');
    let token = link.split("token=").nth(1).unwrap();
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/alerts/v1/unsubscribe?token={token}", running.port))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (_, alert) = me.send("GET", &format!("/alerts/{id}"), None).await;
    assert_eq!(alert["status"], "unsubscribed", "{alert}");
    running.stop().await;
}
