//! The walk-in service against the local AWS endpoint: serving order, concurrency, errors.
//! Handlers are called in-process with API Gateway-shaped requests; `e2e.rs` goes through
//! `cargo lambda watch` and its router over real HTTP.

use futures::future::join_all;
use serde_json::{Value, json};
use system_tests::{Reply, call, fresh_stack, inject_conflicts, raw_request, request, sdk, with_path_params};
use walkin::{App, Config, handlers};

struct Walkin {
    app: App,
    table: String,
}

impl Walkin {
    async fn new() -> Self {
        let sdk = sdk().await;
        let stack = fresh_stack(&sdk).await;
        let table = stack.table("WalkinTable").to_owned();
        Self { app: App::new(&sdk, &Config { table: table.clone() }), table }
    }

    async fn register(&self, first: &str, phone: &str, vip: bool) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone, "vip": vip});
        call(&self.app, handlers::register_customer, request("POST", "/walkin/v1/customers", Some(body))).await
    }

    async fn check_in(&self, first: &str, phone: &str) -> Reply {
        let body = json!({"first_name": first, "last_name": "Tester", "phone_number": phone});
        self.check_in_raw(body).await
    }

    async fn check_in_raw(&self, body: Value) -> Reply {
        call(&self.app, handlers::check_in, request("POST", "/walkin/v1/appointment", Some(body))).await
    }

    /// Registers and checks in; returns the ticket number.
    async fn arrive(&self, first: &str, phone: &str, vip: bool) -> u64 {
        assert_eq!(self.register(first, phone, vip).await.status, 201);
        let reply = self.check_in(first, phone).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["service_id"].as_u64().unwrap()
    }

    async fn next(&self) -> Reply {
        call(&self.app, handlers::next, request("POST", "/walkin/v1/appointment/next", None)).await
    }

    async fn status(&self, id: &str) -> Reply {
        let req =
            with_path_params(request("GET", &format!("/walkin/v1/appointment/{id}"), None), &[("service_id", id)]);
        call(&self.app, handlers::get_appointment, req).await
    }

    async fn cancel(&self, id: &str) -> Reply {
        let req =
            with_path_params(request("DELETE", &format!("/walkin/v1/appointment/{id}"), None), &[("service_id", id)]);
        call(&self.app, handlers::cancel_appointment, req).await
    }

    async fn queue(&self) -> Reply {
        call(&self.app, handlers::queue, request("GET", "/walkin/v1/queue", None)).await
    }

    /// Calls `next` until the queue is empty; the first names in serving order.
    async fn serve_all(&self) -> Vec<String> {
        let mut served = Vec::new();
        loop {
            let reply = self.next().await;
            if reply.status == 404 {
                assert_eq!(reply.code(), Some("queue_empty"));
                return served;
            }
            assert_eq!(reply.status, 200, "{reply:?}");
            served.push(reply.body["first_name"].as_str().unwrap().to_owned());
        }
    }
}

fn phone(n: usize) -> String {
    format!("+4420700{n:05}")
}

#[tokio::test]
async fn mixed_queue_is_served_two_vips_to_one_regular() {
    let w = Walkin::new().await;
    for (i, (name, vip)) in
        [("VIP1", true), ("R1", false), ("VIP2", true), ("VIP3", true), ("R2", false)].iter().enumerate()
    {
        w.arrive(name, &phone(i), *vip).await;
    }
    let queue = w.queue().await;
    let listed: Vec<&str> =
        queue.body["waiting"].as_array().unwrap().iter().map(|e| e["first_name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["VIP1", "VIP2", "R1", "VIP3", "R2"]);
    assert_eq!((queue.body["vip_waiting"].as_u64(), queue.body["regular_waiting"].as_u64()), (Some(3), Some(2)));
    assert_eq!(w.serve_all().await, ["VIP1", "VIP2", "R1", "VIP3", "R2"]);
}

#[tokio::test]
async fn next_reports_the_called_customer() {
    let w = Walkin::new().await;
    let id = w.arrive("Ada", &phone(1), true).await;
    let reply = w.next().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["service_id"], id);
    assert_eq!(reply.body["tier"], "vip");
    assert_eq!(reply.body["last_name"], "Tester");
    assert!(reply.body["customer_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(reply.body["waited_seconds"].as_i64().is_some_and(|s| s >= 0));
    // Old clients call next with GET; the same function serves it.
    let get = call(&w.app, handlers::next, request("GET", "/walkin/v1/appointment/next", None)).await;
    assert_eq!((get.status, get.code()), (404, Some("queue_empty")));
}

#[tokio::test]
async fn a_tier_that_is_empty_does_not_block_the_other() {
    let w = Walkin::new().await;
    for i in 0..3 {
        w.arrive(&format!("R{i}"), &phone(i), false).await;
    }
    assert_eq!(w.serve_all().await, ["R0", "R1", "R2"]);
    for i in 3..6 {
        w.arrive(&format!("V{i}"), &phone(i), true).await;
    }
    assert_eq!(w.serve_all().await, ["V3", "V4", "V5"]);
    // Three VIPs were served with no regular waiting: a regular arriving now goes first.
    w.arrive("V6", &phone(6), true).await;
    w.arrive("R7", &phone(7), false).await;
    assert_eq!(w.serve_all().await, ["R7", "V6"]);
}

#[tokio::test]
async fn the_ratio_survives_a_restart() {
    let sdk = sdk().await;
    let stack = fresh_stack(&sdk).await;
    let config = || Config { table: stack.table("WalkinTable").to_owned() };
    let first = Walkin { app: App::new(&sdk, &config()), table: config().table };
    for (i, (name, vip)) in [("V1", true), ("V2", true), ("V3", true), ("R1", false)].iter().enumerate() {
        first.arrive(name, &phone(i), *vip).await;
    }
    assert_eq!(first.next().await.body["first_name"], "V1");
    assert_eq!(first.next().await.body["first_name"], "V2");
    // A new process (a cold start) knows two VIPs were just served.
    let restarted = Walkin {
        app: App::new(&shared::aws::local_sdk_config(system_tests::endpoint()).await, &config()),
        table: config().table,
    };
    assert_eq!(restarted.serve_all().await, ["R1", "V3"]);
}

#[tokio::test]
async fn concurrent_next_calls_serve_every_ticket_exactly_once() {
    let w = Walkin::new().await;
    let mut tickets = Vec::new();
    for i in 0..6 {
        tickets.push(w.arrive(&format!("C{i}"), &phone(i), i % 3 == 0).await);
    }
    let replies = join_all((0..30).map(|_| w.next())).await;
    let mut served: Vec<u64> =
        replies.iter().filter(|r| r.status == 200).map(|r| r.body["service_id"].as_u64().unwrap()).collect();
    let empty = replies.iter().filter(|r| r.status == 404 && r.code() == Some("queue_empty")).count();
    served.sort();
    assert_eq!(served, tickets, "every ticket served exactly once");
    assert_eq!(empty, 24, "everyone else is told the queue is empty: {replies:?}");
    for id in tickets {
        assert_eq!(w.status(&id.to_string()).await.body["status"], "served");
    }
}

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
        assert!(reply.message().contains(&id.to_string()), "{}", reply.message());
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
    assert!(again.message().contains(&reply.body["service_id"].to_string()));

    let stranger = w.check_in("Nobody", &phone(9)).await;
    assert_eq!((stranger.status, stranger.code()), (404, Some("customer_not_found")));
    let wrong_name = w.check_in("Gracie", "+15550109999").await;
    assert_eq!((wrong_name.status, wrong_name.code()), (404, Some("customer_not_found")));
    assert!(wrong_name.message().contains("another name"), "{}", wrong_name.message());
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let w = Walkin::new().await;
    let cases = [
        (json!({"first_name": "A", "last_name": "B"}), "missing_field", "phone_number"),
        (json!({"first_name": "A", "last_name": "B", "phone_number": "not a phone"}), "invalid_field", "phone_number"),
        (json!({"first_name": "A", "last_name": "B", "phone_number": 5551234}), "invalid_field", "phone_number"),
        (json!({"first_name": "", "last_name": "B", "phone_number": "5551234567"}), "invalid_field", "first_name"),
    ];
    for (body, code, field) in cases {
        let reply = w.check_in_raw(body.clone()).await;
        assert_eq!((reply.status, reply.code()), (400, Some(code)), "{body}");
        assert!(reply.message().contains(field), "{body}: {}", reply.message());
    }
    let bad_vip = call(
        &w.app,
        handlers::register_customer,
        request(
            "POST",
            "/walkin/v1/customers",
            Some(json!({"first_name": "A", "last_name": "B", "phone_number": "5551234567", "vip": "yes"})),
        ),
    )
    .await;
    assert_eq!((bad_vip.status, bad_vip.code()), (400, Some("invalid_field")));
    assert!(bad_vip.message().contains("vip"));
    let bad_email = call(
        &w.app,
        handlers::register_customer,
        request(
            "POST",
            "/walkin/v1/customers",
            Some(json!({"first_name": "A", "last_name": "B", "phone_number": "5551234567", "email": "nope"})),
        ),
    )
    .await;
    assert!(bad_email.message().contains("email"), "{bad_email:?}");

    let malformed =
        call(&w.app, handlers::check_in, raw_request("POST", "/walkin/v1/appointment", "{\"first_name\": ".into()))
            .await;
    assert_eq!((malformed.status, malformed.code()), (400, Some("malformed_json")));
    let empty =
        call(&w.app, handlers::check_in, raw_request("POST", "/walkin/v1/appointment", lambda_http::Body::Empty)).await;
    assert_eq!((empty.status, empty.code()), (400, Some("malformed_json")));
    let huge = json!({"first_name": "A".repeat(20_000), "last_name": "B", "phone_number": "5551234567"});
    let oversized = w.check_in_raw(huge).await;
    assert_eq!((oversized.status, oversized.code()), (413, Some("payload_too_large")));
}

#[tokio::test]
async fn a_phone_number_registers_once() {
    let w = Walkin::new().await;
    assert_eq!(w.register("A", "555 123 4567", false).await.status, 201);
    let again = w.register("B", "555-123-4567", true).await;
    assert_eq!((again.status, again.code()), (409, Some("customer_exists")));
}

#[tokio::test]
async fn ticket_status_and_positions() {
    let w = Walkin::new().await;
    let r1 = w.arrive("R1", &phone(1), false).await;
    let v1 = w.arrive("V1", &phone(2), true).await;
    assert_eq!(w.status(&r1.to_string()).await.body["position"], 2);
    let v1_status = w.status(&v1.to_string()).await;
    assert_eq!(
        (v1_status.status, &v1_status.body["status"], &v1_status.body["position"]),
        (200, &json!("waiting"), &json!(1))
    );
    w.next().await;
    let served = w.status(&v1.to_string()).await;
    assert_eq!(served.body["status"], "served");
    assert!(served.body.get("position").is_none());
    assert_eq!(w.status(&r1.to_string()).await.body["position"], 1);

    let missing = w.status("999").await;
    assert_eq!((missing.status, missing.code()), (404, Some("appointment_not_found")));
    for bad in ["abc", "0", "-1"] {
        let reply = w.status(bad).await;
        assert_eq!((reply.status, reply.code()), (400, Some("invalid_field")), "{bad}");
        assert!(reply.message().contains("service_id"));
    }
}

#[tokio::test]
async fn cancel_removes_a_waiting_ticket() {
    let w = Walkin::new().await;
    let r1 = w.arrive("R1", &phone(1), false).await;
    let r2 = w.arrive("R2", &phone(2), false).await;
    let cancelled = w.cancel(&r1.to_string()).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")));
    // Cancelling again is not an error; the ticket stays cancelled.
    assert_eq!(w.cancel(&r1.to_string()).await.body["status"], "cancelled");
    assert_eq!(w.status(&r1.to_string()).await.body["status"], "cancelled");
    let queue = w.queue().await;
    assert_eq!(queue.body["waiting"].as_array().unwrap().len(), 1);
    // The customer may check in again, with a new ticket.
    let again = w.check_in("R1", &phone(1)).await;
    assert_eq!(again.status, 201);
    assert!(again.body["service_id"].as_u64().unwrap() > r2);
    assert_eq!(w.serve_all().await, ["R2", "R1"]);
    let served = w.cancel(&r2.to_string()).await;
    assert_eq!((served.status, served.code()), (409, Some("already_served")));
    assert_eq!(w.cancel("424242").await.code(), Some("appointment_not_found"));
}

#[tokio::test]
async fn cancel_racing_next_settles_on_one_outcome() {
    let w = Walkin::new().await;
    let id = w.arrive("Solo", &phone(1), false).await;
    let id_text = id.to_string();
    let (next, cancel) = tokio::join!(w.next(), w.cancel(&id_text));
    let status = w.status(&id.to_string()).await.body["status"].clone();
    match (next.status, cancel.status) {
        (200, 409) => assert_eq!(status, "served"),
        (404, 200) => assert_eq!(status, "cancelled"),
        other => panic!("both or neither won: {other:?} {next:?} {cancel:?}"),
    }
    assert_eq!(w.queue().await.body["waiting"], json!([]));
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let wrong_method = call((), handlers::fallback, request("PUT", "/walkin/v1/queue", None)).await;
    assert_eq!((wrong_method.status, wrong_method.code()), (405, Some("method_not_allowed")));
    assert!(wrong_method.message().contains("GET"));
    let unknown = call((), handlers::fallback, request("GET", "/walkin/v1/nowhere", None)).await;
    assert_eq!((unknown.status, unknown.code()), (404, Some("route_not_found")));
}

#[tokio::test]
async fn an_unreachable_database_is_a_503() {
    // Nothing listens on this port: every call fails to connect.
    let port = local_stack::emulator::free_port().unwrap();
    let sdk = shared::aws::local_sdk_config(&format!("http://127.0.0.1:{port}")).await;
    let w = Walkin { app: App::new(&sdk, &Config { table: "unreachable".into() }), table: "unreachable".into() };
    // Bound the wait so that a hang fails the test instead of stalling the run.
    let reply = tokio::time::timeout(std::time::Duration::from_secs(60), w.queue()).await.expect("no hang");
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")));
    let reply =
        tokio::time::timeout(std::time::Duration::from_secs(60), w.check_in("A", &phone(1))).await.expect("no hang");
    assert_eq!(reply.status, 503);
    let replies = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        [w.register("A", &phone(1), false).await, w.next().await, w.status("1").await, w.cancel("1").await]
    })
    .await
    .expect("no hang");
    for reply in replies {
        assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    }
}

#[tokio::test]
async fn transaction_conflicts_are_retried_and_a_lasting_one_is_a_503_that_loses_nothing() {
    let w = Walkin::new().await;
    let first = w.arrive("Ada", &phone(1), true).await;
    let second = w.arrive("Bob", &phone(2), false).await;

    // A few conflicts: the caller never sees them.
    inject_conflicts(&w.table, "TransactWriteItems", 3).await;
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(first)), "{reply:?}");

    // Conflicts that do not end: a 503 once the retries are spent, and the ticket stays queued.
    inject_conflicts(&w.table, "TransactWriteItems", 10_000).await;
    let reply = w.next().await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    assert_eq!(w.register("Cy", &phone(3), false).await.status, 201);
    let reply = w.check_in("Cy", &phone(3)).await;
    assert_eq!((reply.status, reply.code()), (503, Some("service_unavailable")), "{reply:?}");
    inject_conflicts(&w.table, "TransactWriteItems", 0).await;

    // Nothing happened half-way: the waiting ticket is still first, and the failed check-in
    // consumed no ticket number.
    assert_eq!(w.status(&second.to_string()).await.body["status"], "waiting");
    let reply = w.check_in("Cy", &phone(3)).await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (201, Some(second + 1)), "{reply:?}");
    let reply = w.next().await;
    assert_eq!((reply.status, reply.body["service_id"].as_u64()), (200, Some(second)), "{reply:?}");
}
