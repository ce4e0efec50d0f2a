//! Where a function's start-up goes: the steps a function with AWS clients takes, each timed in a
//! fresh process and printed as one JSON line, `[[step, microseconds], ...]` in order, in two phases:
//!
//! - `start:` what every function does before asking the Runtime API for its first event (the
//!   cold start Lambda reports as Init);
//! - `first request:` what `shared::app::Deferred` postpones to the first invocation, which pays
//!   it instead (before its own AWS requests, whose first connection also pays TCP and, on AWS,
//!   TLS);
//! - `first AWS call:` one DynamoDB call to a stub in this process (plain HTTP on loopback: no
//!   network, no TLS handshake), which builds the HTTPS connector the SDK keeps for every later
//!   call, then the same call again on the open connection, for comparison;
//! - `first signed-in request:` the HTTPS client the token verifier builds to fetch the pool's keys.
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
        mark("first request: DynamoDB client", &mut at);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        mark("first request: SQS client", &mut at);
        drop(sqs);
        mark("first request: total deferred", &mut deferred);
        let stub = stub_endpoint().await;
        let dynamodb = aws_sdk_dynamodb::Client::from_conf(dynamodb.config().to_builder().endpoint_url(stub).build());
        at = Instant::now();
        dynamodb.list_tables().send().await.expect("the stub answers");
        mark("first AWS call: DynamoDB ListTables to a local stub (new connection, the HTTPS connector)", &mut at);
        dynamodb.list_tables().send().await.expect("the stub answers");
        mark("first AWS call: the same call again (open connection)", &mut at);
    });
    at = Instant::now();
    let jwks = shared::tls::reqwest_client().build().expect("an HTTPS client");
    mark("first signed-in request: the JWKS fetch's HTTPS client (reqwest)", &mut at);
    drop(jwks);
    drop((config, auth));
    let fields: Vec<String> = steps.iter().map(|(name, us)| format!("[\"{name}\", {us}]")).collect();
    println!("[{}]", fields.join(", "));
}

/// A DynamoDB endpoint on loopback that answers every request with `200 {}` (an empty
/// `ListTables`), so that the first call's cost on our side can be timed without the network.
async fn stub_endpoint() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\n\r\n{}";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("the stub's address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut received: Vec<u8> = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // One whole request (head, then Content-Length bytes of body), one answer.
                    if let Some(head) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                        let body = content_length(&received[..head]);
                        if received.len() >= head + 4 + body {
                            received.drain(..head + 4 + body);
                            if socket.write_all(ANSWER).await.is_err() {
                                return;
                            }
                            continue;
                        }
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => received.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}
