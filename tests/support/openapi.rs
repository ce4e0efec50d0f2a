//! Every response a test receives is checked against the API description (`api/openapi.yaml`):
//! its status must be declared for its operation, its content type must be the declared one, and
//! its body must validate against the declared schema (formats such as `date-time` included).
//! A response the description does not foresee fails the test that got it, so the ~200
//! integration and end-to-end tests keep the description true for free.
//!
//! Requests no operation describes (the per-service fallbacks' 404s and 405s) must still answer
//! the contract's error shape.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

use serde_json::Value;

use crate::workspace;

/// The description and a router over its paths.
pub struct Description {
    pub doc: Value,
    router: matchit::Router<String>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// The description, read once per test binary.
pub fn description() -> &'static Description {
    static DESCRIPTION: OnceLock<Description> = OnceLock::new();
    DESCRIPTION.get_or_init(|| {
        let path = workspace().join("api/openapi.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc: Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("api/openapi.yaml: {e}"));
        let mut router = matchit::Router::new();
        for template in doc["paths"].as_object().into_iter().flatten().map(|(path, _)| path) {
            router.insert(template.clone(), template.clone()).unwrap_or_else(|e| panic!("{template}: {e}"));
        }
        Description { doc, router, validators: Mutex::new(HashMap::new()) }
    })
}

impl Description {
    /// The path template (`/walkin/v1/appointment/{service_id}`) a request path falls under.
    pub fn template_of(&self, path: &str) -> Option<&str> {
        self.router.at(path).ok().map(|m| m.value.as_str())
    }

    /// The operation of a request, if the description has one.
    pub fn operation(&self, method: &str, path: &str) -> Option<(&str, &Value)> {
        let template = self.template_of(path)?;
        let operation = &self.doc["paths"][template][method.to_ascii_lowercase()];
        operation.is_object().then_some((template, operation))
    }

    /// Whether a response to `method path` is what the description says it can be.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let Some((template, operation)) = self.operation(method, path) else {
            // Not described (a fallback's 404 or 405): the contract's error, nothing else.
            if (400..600).contains(&status) {
                let json = parse(content_type, body)?;
                return self.validate(
                    "#/components/schemas/Error",
                    &serde_json::json!({"$ref": "#/components/schemas/Error"}),
                    &json,
                );
            }
            return Err(format!("{method} {path} answered {status}, and the description has no such operation"));
        };
        let id = operation["operationId"].as_str().unwrap_or("?");
        let responses = &operation["responses"];
        let declared = responses.get(status.to_string()).or_else(|| responses.get("default"));
        let Some(declared) = declared else {
            return Err(format!(
                "{id} ({method} {template}) answered {status}, which its description does not declare"
            ));
        };
        let declared = self.resolve(declared);
        let Some(content) = declared["content"].as_object() else {
            return if body.is_empty() { Ok(()) } else { Err(format!("{id} {status}: a body where none is declared")) };
        };
        let media = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let Some(media_type) = content.get(&media) else {
            return Err(format!(
                "{id} {status}: content type {media:?}, declared {:?}",
                content.keys().collect::<Vec<_>>()
            ));
        };
        if media != "application/json" {
            return Ok(());
        }
        let json = parse(content_type, body)?;
        let key = format!("{id} {status}");
        self.validate(&key, &media_type["schema"], &json)
            .map_err(|e| format!("{id} ({method} {template}) {status}: {e}"))
    }

    /// A `$ref` to `#/components/...` followed (responses are shared that way).
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.doc.pointer(pointer).unwrap_or(value),
            None => value,
        }
    }

    fn validate(&self, key: &str, schema: &Value, instance: &Value) -> Result<(), String> {
        let validator = {
            let mut cache = self.validators.lock().unwrap();
            match cache.get(key) {
                Some(validator) => validator.clone(),
                None => {
                    // The schema with the description's components beside it, so `#/components/...`
                    // references resolve as they do in the whole document.
                    let mut root = schema.clone();
                    if let Some(object) = root.as_object_mut() {
                        object.insert("$schema".into(), "https://json-schema.org/draft/2020-12/schema".into());
                        object.insert("components".into(), self.doc["components"].clone());
                    }
                    let validator = jsonschema::options()
                        .should_validate_formats(true)
                        .build(&root)
                        .map_err(|e| format!("the schema of {key} does not compile: {e}"))?;
                    let validator = Arc::new(validator);
                    cache.insert(key.to_owned(), validator.clone());
                    validator
                }
            }
        };
        let errors: Vec<String> =
            validator.iter_errors(instance).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if errors.is_empty() { Ok(()) } else { Err(format!("{}; body: {instance}", errors.join("; "))) }
    }
}

fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Value, String> {
    if !content_type.unwrap_or_default().starts_with("application/json") {
        return Err(format!("content type {content_type:?} where JSON is due"));
    }
    serde_json::from_slice(body).map_err(|e| format!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// Panics (failing the test) when a response breaks the description.
pub fn assert_described(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &[u8]) {
    if let Err(problem) = description().check(method, path, status, content_type, body) {
        panic!("a response outside the API description (api/openapi.yaml): {problem}");
    }
}
