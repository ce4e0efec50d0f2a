//! The template is the single source of truth; these keep what is derived from it honest.

use aws_lambda_events::{apigw::ApiGatewayV2httpRequest, cloudwatch_events::CloudWatchEvent, sqs::SqsEvent};
use local_stack::{routes, template::EventDef};
use system_tests::{template, workspace};

#[test]
fn the_local_router_is_generated_from_the_template() {
    let section = routes::router_section(&template().routes().unwrap()).unwrap();
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&section),
        "Cargo.toml's router is out of date with infra/template.yaml: run `make routes`"
    );
}

#[test]
fn every_function_has_a_sample_event_of_its_kind() {
    for function in template().functions().unwrap() {
        let path = workspace().join("events").join(format!("{}.json", function.binary));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
        let parsed = match function.events.first() {
            Some(EventDef::Http { .. }) => serde_json::from_str::<ApiGatewayV2httpRequest>(&text).map(|_| ()),
            Some(EventDef::Sqs { .. }) => serde_json::from_str::<SqsEvent>(&text).map(|_| ()),
            Some(EventDef::Schedule { .. }) => serde_json::from_str::<CloudWatchEvent>(&text).map(|_| ()),
            None => Ok(()),
        };
        parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn every_binary_is_a_function_of_the_template() {
    let functions: Vec<String> = template().functions().unwrap().into_iter().map(|f| f.binary).collect();
    for entry in std::fs::read_dir(workspace().join("functions")).unwrap() {
        let bins = entry.unwrap().path().join("src").join("bin");
        for bin in std::fs::read_dir(&bins).into_iter().flatten() {
            let name = bin.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
            assert!(functions.contains(&name), "{name} is built but not deployed by infra/template.yaml");
        }
    }
}

#[test]
fn each_fallback_knows_its_service_routes() {
    let services: [(&str, &[(&str, &str)]); 3] = [
        ("/walkin/", walkin::routes::ROUTES),
        ("/booking/", booking::routes::ROUTES),
        ("/orders/", orders::routes::ROUTES),
    ];
    for (prefix, routes) in services {
        let mut from_template: Vec<(String, String)> = template()
            .routes()
            .unwrap()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix) && r.method != "ANY" && !r.function.ends_with("-fallback"))
            .map(|r| (r.method, r.path))
            .collect();
        let mut from_code: Vec<(String, String)> = routes.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        from_template.sort();
        from_code.sort();
        assert_eq!(from_code, from_template, "{prefix}: routes.rs and infra/template.yaml differ");
    }
}

/// API Gateway prefers a route with the request's method over a literal path without it, so a
/// parameter route (`DELETE /appointment/{service_id}`) takes requests meant for a literal sibling
/// (`DELETE /appointment/next`). The local router would answer 405 there; the template must route
/// such methods to the fallback explicitly so that both answer the same.
#[test]
fn no_literal_path_loses_a_method_to_a_parameter_route() {
    let routes = template().routes().unwrap();
    let has = |method: &str, path: &str| routes.iter().any(|r| r.method == method && r.path == path);
    for literal in routes.iter().filter(|r| !r.path.contains('{')) {
        for param in routes.iter().filter(|r| r.path.contains('{') && !r.path.contains("+}")) {
            if shared::http::path_matches(&param.path, &literal.path) {
                assert!(
                    has(&param.method, &literal.path),
                    "{} {} would reach {} ({}): route it to the fallback in infra/template.yaml",
                    param.method,
                    literal.path,
                    param.function,
                    param.path
                );
            }
        }
    }
}
