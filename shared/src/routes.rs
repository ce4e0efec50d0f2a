//! A service's HTTP routes and who may call each, matched as API Gateway matches them.
//!
//! Each service declares one [`Routes`] table (`routes.rs`), the same routes the template declares
//! (a test keeps the two equal). The serve wrapper finds a request's route in it to apply the
//! route's rule before the handler runs ([`crate::http::serve`]); the fallback finds the methods a
//! path allows in it (405 with `Allow`, else 404); tests fill path parameters from it.
//!
//! Paths are matched with `matchit`, the router cargo-lambda's local router uses: `{name}` stands
//! for one non-empty segment, and a literal segment wins over a parameter (`/appointment/next`
//! before `/appointment/{service_id}`), as in API Gateway.

use std::{collections::HashMap, sync::OnceLock};

/// Who may call a route: each service lists one per route, next to its routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone. A token, if sent, must be valid, and tells the route who calls (the queue board
    /// shows staff the names).
    Public,
    /// Any signed-in user; what they may touch is then the route's business (their own things).
    SignedIn,
    /// Members of one of these groups, and admins.
    Groups(&'static [&'static str]),
}

/// One route of a service and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// In API Gateway's syntax: `/walkin/v1/appointment/{service_id}`.
    pub path: &'static str,
    pub who: Who,
}

impl Route {
    pub const fn new(method: &'static str, path: &'static str, who: Who) -> Self {
        Self { method, path, who }
    }
}

/// Whether `path` is matched by the route pattern `pattern` alone (`{name}` is one segment).
pub fn pattern_matches(pattern: &str, path: &str) -> bool {
    let mut router = matchit::Router::new();
    router.insert(pattern, ()).is_ok() && router.at(path).is_ok()
}

/// A route a request came by, with the path parameters it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    pub route: &'a Route,
    pub params: HashMap<String, String>,
}

/// A service's route table. It derefs to the list of routes; the path router is built on first
/// use and kept for the life of the process.
pub struct Routes {
    routes: &'static [Route],
    router: OnceLock<matchit::Router<Vec<usize>>>,
}

impl std::ops::Deref for Routes {
    type Target = [Route];
    fn deref(&self) -> &[Route] {
        self.routes
    }
}

impl<'a> IntoIterator for &'a Routes {
    type Item = &'a Route;
    type IntoIter = std::slice::Iter<'a, Route>;
    fn into_iter(self) -> Self::IntoIter {
        self.routes.iter()
    }
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.routes).finish()
    }
}

impl Routes {
    pub const fn new(routes: &'static [Route]) -> Self {
        Self { routes, router: OnceLock::new() }
    }

    fn router(&self) -> &matchit::Router<Vec<usize>> {
        self.router.get_or_init(|| {
            let mut by_path: Vec<(&str, Vec<usize>)> = Vec::new();
            for (i, route) in self.routes.iter().enumerate() {
                match by_path.iter_mut().find(|(path, _)| *path == route.path) {
                    Some((_, indices)) => indices.push(i),
                    None => by_path.push((route.path, vec![i])),
                }
            }
            let mut router = matchit::Router::new();
            for (path, indices) in by_path {
                // Two patterns that cannot be told apart are a bug of the table; the route tests
                // build every table, so this never reaches a deployment.
                router.insert(path, indices).unwrap_or_else(|e| panic!("route table: {path}: {e}"));
            }
            router
        })
    }

    /// The routes of the path `path` (every method), with its parameters.
    fn at(&self, path: &str) -> Option<(Vec<&Route>, HashMap<String, String>)> {
        let found = self.router().at(path).ok()?;
        let params = found.params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Some((found.value.iter().map(|&i| &self.routes[i]).collect(), params))
    }

    /// The route a request with `method` and `path` comes by.
    pub fn find(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let (routes, params) = self.at(path)?;
        let route = routes.into_iter().find(|route| route.method == method)?;
        Some(Matched { route, params })
    }

    /// The methods routed for `path`, sorted, each once (empty for an unknown path).
    pub fn allowed(&self, path: &str) -> Vec<&'static str> {
        let mut methods: Vec<&'static str> =
            self.at(path).map(|(routes, _)| routes.iter().map(|r| r.method).collect()).unwrap_or_default();
        methods.sort_unstable();
        methods.dedup();
        methods
    }

    /// The path parameters of `path` by this table (any method), as API Gateway passes them.
    pub fn params(&self, path: &str) -> Option<HashMap<String, String>> {
        self.at(path).map(|(_, params)| params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAFF: Who = Who::Groups(&["staff"]);
    static ROUTES: Routes = Routes::new(&[
        Route::new("GET", "/w/appointment/{service_id}", Who::Public),
        Route::new("DELETE", "/w/appointment/{service_id}", Who::Public),
        Route::new("GET", "/w/appointment/next", STAFF),
        Route::new("POST", "/w/appointment/next", STAFF),
        Route::new("POST", "/w/appointment", Who::Public),
    ]);

    #[test]
    fn a_request_finds_its_route_literal_paths_first() {
        let who = |method: &str, path: &str| ROUTES.find(method, path).map(|m| m.route.who);
        assert_eq!(who("GET", "/w/appointment/next"), Some(STAFF));
        assert_eq!(who("GET", "/w/appointment/12"), Some(Who::Public));
        assert_eq!(who("POST", "/w/appointment"), Some(Who::Public));
        assert_eq!(who("POST", "/w/appointment/12"), None);
        assert_eq!(who("DELETE", "/w/appointment/next"), None, "the literal path shadows the parameter one");
        let matched = ROUTES.find("GET", "/w/appointment/12").unwrap();
        assert_eq!(matched.params, HashMap::from([("service_id".to_owned(), "12".to_owned())]));
    }

    #[test]
    fn allowed_methods_prefer_literal_routes_and_name_each_once() {
        assert_eq!(ROUTES.allowed("/w/appointment/next"), ["GET", "POST"]);
        assert_eq!(ROUTES.allowed("/w/appointment/7"), ["DELETE", "GET"]);
        assert!(ROUTES.allowed("/w/queue").is_empty());
    }

    #[test]
    fn parameters_are_one_whole_segment() {
        assert!(ROUTES.params("/w/appointment/12").is_some());
        assert!(ROUTES.params("/w/appointment/").is_none());
        assert!(ROUTES.params("/w/appointment/1/x").is_none());
        assert!(ROUTES.params("/w/appointment/12/").is_none());
    }
}
