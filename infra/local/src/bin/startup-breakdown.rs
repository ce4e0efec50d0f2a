//! Where a function's start-up went before its state was deferred to the first invocation
//! (`shared::app::Deferred`): the steps a function with AWS clients took before asking the Runtime
//! API for its first event, each timed in a fresh process, printed as one JSON line
//! (microseconds). The SDK steps are what the first invocation now pays instead. `make bench` runs it (release) many times with the functions' environment and
//! reports the medians; run it by hand with that environment to look at one start.

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
    mark("tokio runtime", &mut at);
    shared::logging::init();
    mark("logging", &mut at);
    runtime.block_on(async {
        let sdk = shared::aws::sdk_config().await;
        mark("SdkConfig (region, credentials chain, retry, timeouts; the HTTPS client and its trust store)", &mut at);
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        mark("DynamoDB client", &mut at);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        mark("SQS client", &mut at);
        let auth = shared::auth::AuthConfig::from_env().map(shared::auth::Verifier::new);
        mark("token verifier (keys fetched at the first request)", &mut at);
        drop((dynamodb, sqs, auth));
    });
    steps.push(("total in main", started.elapsed().as_micros()));
    let fields: Vec<String> = steps.iter().map(|(name, us)| format!("\"{name}\": {us}")).collect();
    println!("{{{}}}", fields.join(", "));
}
