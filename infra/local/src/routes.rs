//! The local HTTP router. `cargo lambda watch` routes requests with the table under
//! `[workspace.metadata.lambda.watch.router]` in the workspace `Cargo.toml`; that table is
//! generated from the template's `HttpApi` events (`make routes`), and a test fails when the two
//! drift apart.
//!
//! API Gateway falls back to a greedy `ANY /prefix/{proxy+}` route when a path exists but not
//! with the request's method; cargo-lambda's router does not, so for every path the generated
//! table also sends the methods it lacks to that fallback function (which answers 405).
//!
//! In AWS the template's `$default` route catches what no route serves, `/console/` and `/docs/`
//! among them (a greedy `{proxy+}` needs at least one character); locally those two come from
//! an entry for the greedy GET route's own folder (`/console/`), and `$default` has no entry.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use crate::template::Route;

pub const BEGIN: &str = "# BEGIN local router: generated from infra/template.yaml by `make routes`; do not edit.";
pub const END: &str = "# END local router";
const METHODS: [&str; 5] = ["DELETE", "GET", "PATCH", "POST", "PUT"];

/// API Gateway's `{proxy+}` is matchit's `{*proxy}`; `{name}` is the same in both.
pub fn router_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            Some(name) => format!("{{*{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn greedy_prefix(path: &str) -> Option<&str> {
    let (prefix, last) = path.rsplit_once('/')?;
    (last.starts_with('{') && last.ends_with("+}")).then_some(prefix)
}

/// The router section, markers included.
pub fn router_section(routes: &[Route]) -> Result<String> {
    let fallbacks: Vec<(&str, &str)> = routes
        .iter()
        .filter(|r| r.method == "ANY")
        .filter_map(|r| greedy_prefix(&r.path).map(|prefix| (prefix, r.function.as_str())))
        .collect();
    let mut by_path: BTreeMap<String, Vec<Route>> = BTreeMap::new();
    for route in routes.iter().filter(|r| r.path != "$default") {
        by_path.entry(route.path.clone()).or_default().push(route.clone());
        if let Some(prefix) = greedy_prefix(&route.path).filter(|_| route.method == "GET") {
            by_path.entry(format!("{prefix}/")).or_default().push(route.clone());
        }
    }
    let mut out = format!("{BEGIN}\n[workspace.metadata.lambda.watch.router]\n");
    for (path, routes) in &by_path {
        if let [route] = routes.as_slice()
            && route.method == "ANY"
        {
            out += &format!("\"{}\" = \"{}\"\n", router_path(path), route.function);
            continue;
        }
        if routes.iter().any(|r| r.method == "ANY") {
            bail!("{path}: ANY cannot be combined with other methods on one path");
        }
        let fallback = fallbacks
            .iter()
            .filter(|(prefix, _)| path.starts_with(&format!("{prefix}/")))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, function)| *function);
        out += &format!("\"{}\" = [\n", router_path(path));
        for method in METHODS {
            let function = routes.iter().find(|r| r.method == method).map(|r| r.function.as_str()).or(fallback);
            if let Some(function) = function {
                out += &format!("    {{ method = \"{method}\", function = \"{function}\" }},\n");
            }
        }
        out += "]\n";
    }
    out += END;
    out += "\n";
    Ok(out)
}

/// `manifest` with its router section replaced by `section` (or appended).
pub fn with_section(manifest: &str, section: &str) -> String {
    match (manifest.find(BEGIN), manifest.find(END)) {
        (Some(start), Some(end)) if end > start => {
            let after = manifest[end + END.len()..].trim_start_matches('\n');
            format!("{}{section}{after}", &manifest[..start])
        }
        _ => format!("{}\n{section}", manifest.trim_end_matches('\n').to_owned() + "\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str, function: &str) -> Route {
        Route { method: method.into(), path: path.into(), function: function.into() }
    }

    #[test]
    fn methods_a_path_lacks_go_to_the_fallback() {
        let section = router_section(&[
            route("GET", "/s/v1/items/{id}", "get"),
            route("DELETE", "/s/v1/items/{id}", "delete"),
            route("ANY", "/s/{proxy+}", "fallback"),
        ])
        .unwrap();
        assert!(section.contains("\"/s/{*proxy}\" = \"fallback\""), "{section}");
        assert!(section.contains("{ method = \"GET\", function = \"get\" }"));
        assert!(section.contains("{ method = \"POST\", function = \"fallback\" }"));
        let again = with_section(&with_section("[workspace]\n", &section), &section);
        assert_eq!(again.matches(BEGIN).count(), 1);
    }
}
