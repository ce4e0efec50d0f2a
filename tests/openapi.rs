//! The API description (`api/openapi.yaml`) is the truth, checked three ways: here against the
//! template and the route tables (every route described once, by its function, with the right
//! security), in every other test (each response they receive validates against it, see
//! `support/openapi.rs`), and here by Schemathesis against the running stack.

use std::{collections::BTreeMap, process::Command, time::Duration};

use serde_json::Value;
use shared::routes::Who;
use system_tests::{ROUTE_TABLES, openapi::description, running::Running, template, user, workspace};

/// The template's routes a function serves as an operation: not the per-service `{proxy+}`
/// fallbacks nor the `$default` catch-all, which only answer 404/405 for what no route serves.
fn described_routes() -> Vec<local_stack::template::Route> {
    template()
        .routes()
        .unwrap()
        .into_iter()
        .filter(|r| r.method != "ANY" && r.path != "$default" && !r.function.ends_with("-fallback"))
        .collect()
}

/// API Gateway's greedy `{proxy+}` is a plain `{proxy}` parameter in OpenAPI.
fn openapi_path(path: &str) -> String {
    path.replace("+}", "}")
}

fn operations() -> BTreeMap<(String, String), Value> {
    let doc = &description().doc;
    let mut operations = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()), operation.clone());
            }
        }
    }
    operations
}

#[test]
fn the_description_has_exactly_the_templates_routes_each_named_after_its_function() {
    let operations = operations();
    let routes = described_routes();
    let from_template: Vec<(String, String)> =
        routes.iter().map(|r| (r.method.clone(), openapi_path(&r.path))).collect();
    let described: Vec<(String, String)> = operations.keys().cloned().collect();
    let mut sorted = from_template.clone();
    sorted.sort();
    assert_eq!(described, sorted, "api/openapi.yaml and infra/template.yaml route different (method, path)s");

    // operationId: the function's name on its first route in the template, `<name>-<suffix>` on
    // its others; all distinct.
    let mut by_function: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for route in &routes {
        let id = operations[&(route.method.clone(), openapi_path(&route.path))]["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{} {} has no operationId", route.method, route.path))
            .to_owned();
        by_function.entry(&route.function).or_default().push(id);
    }
    let mut all = Vec::new();
    for (function, ids) in by_function {
        assert_eq!(
            ids.iter().filter(|id| *id == function).count(),
            1,
            "{function}: exactly one of its operations is named {function}: {ids:?}"
        );
        for id in &ids {
            assert!(id == function || id.starts_with(&format!("{function}-")), "{id} is not {function}'s");
        }
        all.extend(ids);
    }
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count, "operationIds repeat");
}

#[test]
fn only_the_public_routes_need_no_token() {
    let operations = operations();
    let public = |method: &str, path: &str| {
        ROUTE_TABLES
            .iter()
            .flat_map(|table| table.iter())
            .find(|r| r.method == method && r.path == path)
            .map(|r| r.who == Who::Public)
    };
    for route in described_routes() {
        let operation = &operations[&(route.method.clone(), openapi_path(&route.path))];
        let id = operation["operationId"].as_str().unwrap_or_default();
        // The origin's own pages (description, reference, console) are public; a service's
        // routes are as its route table says.
        let expected = public(&route.method, &route.path).unwrap_or(route.function == "site");
        let open = operation["security"].as_array().is_some_and(|s| s.is_empty());
        assert_eq!(open, expected, "{id}: `security: []` must be exactly on the public routes");
        if !expected {
            assert!(operation["responses"]["401"].is_object(), "{id}: a signed-in route answers 401");
        }
    }
    assert!(description().doc["components"]["securitySchemes"]["cognito"]["scheme"] == "bearer");
}

/// Schemathesis (pinned in the venv) against the running stack, signed in as an admin: a bounded
/// number of generated requests per operation; no 5xx, no status, content type or body the
/// description does not declare.
#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_description() {
    let running = Running::start(&[]).await;
    let admin = user(&running.stack, "admin@example.com", &["admin"]).await;
    let base = format!("http://127.0.0.1:{}", running.port);
    let examples = std::env::var("SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "12".to_owned());
    let report = workspace().join(".local/schemathesis");
    std::fs::create_dir_all(&report).unwrap();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(workspace().join(".venv/bin/schemathesis"))
            .arg("run")
            .arg(workspace().join("api/openapi.yaml"))
            .args(["--url", &base])
            .args(["--header", &format!("Authorization: Bearer {}", admin.token)])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
            ])
            .args(["--phases", "examples,coverage,fuzzing", "--max-examples", &examples, "--seed", "20261207"])
            .args(["--workers", "2", "--request-timeout", "30", "--no-color", "--output-truncate", "true"])
            // Nothing written into the workspace: `cargo lambda watch` restarts functions when a
            // file there changes.
            .args(["--generation-database", "none"])
            .arg("--report-dir")
            .arg(&report)
            .args(["--report", "junit"])
            // Its crash cache (`.schemathesis/`) goes where the report goes, not into the sources.
            .current_dir(&report)
            .env("SCHEMATHESIS_HOOKS", "")
            .status()
    });
    let status = tokio::time::timeout(Duration::from_secs(1200), run)
        .await
        .expect("Schemathesis finishes within 20 minutes")
        .unwrap()
        .expect("the venv has schemathesis (make venv)");
    running.stop().await;
    assert!(status.success(), "Schemathesis found responses outside the description (its output above)");
}
