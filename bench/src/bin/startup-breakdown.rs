//! Where a function's start-up goes: the steps a function with AWS clients takes, each timed in a
//! fresh process and printed as one JSON line, `[[step, microseconds], ...]` in order, in two phases:
//!
//! - `start:` what every function does before asking the Runtime API for its first event (the
//!   cold start Lambda reports as Init);
//! - `first request:` what `shared::app::Deferred` postpones to the first invocation, which pays
//!   it instead (before its own AWS requests, whose first connection also pays TCP and, on AWS,
//!   TLS).
//!
//! `make bench` runs it (release) many times with the functions' environment and reports the
//! medians; run it by hand with that environment to look at one start.

use std::time::Instant;

fn main() {
    let started = Instant::now();
    let mut steps: Vec<(&str, u128)> = Vec::new();
    let mut mark = |name: &'static str, since: &mut Instant| {
        steps.push((name, since.elapsed().as_micros()));
        *since = Instant::now();
    };
    let mut at = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    mark("start: tokio runtime", &mut at);
    shared::logging::init();
    mark("start: logging (the runtime's JSON subscriber)", &mut at);
    let config = alerts::Config::from_env();
    mark("start: configuration from the environment", &mut at);
    let auth = shared::auth::AuthConfig::from_env().map(shared::auth::Verifier::new);
    mark("start: token verifier (keys fetched at the first signed-in request)", &mut at);
    let mut since_start = started;
    mark("start: total in main, before the first event", &mut since_start);
    let mut deferred = Instant::now();
    at = deferred;
    runtime.block_on(async {
        let sdk = shared::aws::sdk_config().await;
        mark("first request: SdkConfig (region, credentials, endpoint from the environment)", &mut at);
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        mark("first request: DynamoDB client (with the HTTPS client and the system's trust store)", &mut at);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        mark("first request: SQS client", &mut at);
        drop((dynamodb, sqs));
    });
    mark("first request: total deferred", &mut deferred);
    drop((config, auth));
    let fields: Vec<String> = steps.iter().map(|(name, us)| format!("[\"{name}\", {us}]")).collect();
    println!("[{}]", fields.join(", "));
}
