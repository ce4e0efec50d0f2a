//! End to end: the template's stack on a fresh local AWS endpoint, every function under
//! `cargo lambda watch` with the generated router, called over real HTTP.

use std::time::Duration;

use local_stack::{
    dev::{WatchProcess, function_environment},
    emulator::free_port,
};
use serde_json::{Value, json};
use system_tests::{endpoint, fresh_stack, sdk, template, workspace};

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path} -> {status}: not JSON: {text}")),
        )
    }
}

/// Builds every function binary once, so that the first request through `cargo lambda watch`
/// does not wait for a compile.
fn build_functions() {
    let status = std::process::Command::new("cargo")
        .args(["build", "--workspace", "--bins", "--quiet"])
        .current_dir(workspace())
        .status()
        .expect("cargo build");
    assert!(status.success(), "building the functions failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn walkin_through_cargo_lambda_watch_and_the_router() {
    build_functions();
    let sdk = sdk().await;
    let stack = fresh_stack(&sdk).await;
    let env = function_environment(template(), &stack, endpoint()).unwrap();
    let port = free_port().unwrap();
    let env_file = workspace().join(".local").join(format!("e2e-{port}.env"));
    let log = workspace().join(".local").join("e2e-watch.log");
    let mut watch = WatchProcess::spawn(&workspace(), "127.0.0.1", port, &env, &env_file, Some(&log)).unwrap();
    watch.ready(port, Duration::from_secs(300)).await.unwrap();
    let api = Api {
        client: reqwest::Client::builder().timeout(Duration::from_secs(300)).build().unwrap(),
        base: format!("http://127.0.0.1:{port}/walkin/v1"),
    };

    for (name, phone, vip) in [("Vera", "5550000001", true), ("Rob", "5550000002", false)] {
        let (status, body) = api
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

    let (status, queue) = api.send("GET", "/queue", None).await;
    assert_eq!(status, 200);
    assert_eq!(queue["waiting"][0]["first_name"], "Vera");

    // The router hands the path parameter to the function.
    let (status, ticket) = api.send("GET", &format!("/appointment/{}", rob["service_id"]), None).await;
    assert_eq!((status, &ticket["status"], &ticket["position"]), (200, &json!("waiting"), &json!(2)), "{ticket}");

    let (status, called) = api.send("POST", "/appointment/next", None).await;
    assert_eq!((status, &called["first_name"]), (200, &json!("Vera")));
    let (status, called) = api.send("GET", "/appointment/next", None).await;
    assert_eq!((status, &called["first_name"]), (200, &json!("Rob")));
    let (status, empty) = api.send("POST", "/appointment/next", None).await;
    assert_eq!((status, &empty["error"]["code"]), (404, &json!("queue_empty")));

    let (status, error) = api.send("DELETE", "/queue", None).await;
    assert_eq!((status, &error["error"]["code"]), (405, &json!("method_not_allowed")));
    let (status, error) = api.send("GET", "/nowhere/at/all", None).await;
    assert_eq!((status, &error["error"]["code"]), (404, &json!("route_not_found")));
    let (status, error) = api.send("POST", "/appointment", Some(json!({"first_name": "X"}))).await;
    assert_eq!((status, &error["error"]["code"]), (400, &json!("missing_field")));

    watch.stop().await;
    let _ = std::fs::remove_file(env_file);
}
