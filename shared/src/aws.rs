//! One `SdkConfig` per process, built at the first invocation (`app::Deferred`), shared by every
//! client.
//!
//! The endpoint follows the SDK's own convention: `AWS_ENDPOINT_URL` (set by `make dev` and the
//! tests) points every client at the local AWS endpoint; unset, the real regional endpoints are used.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig, retry::RetryConfig, timeout::TimeoutConfig};

/// Timeouts short enough that an unreachable database becomes a 503 well inside API Gateway's
/// 30 s limit, instead of a hung request.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(12))
        .build()
}

/// The configuration a deployed function uses: region, credentials and endpoint from the
/// environment, as the Lambda runtime provides them.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}

/// The configuration for talking to a local AWS endpoint (the local stack, tests, benchmarks):
/// fixed region and dummy credentials, nothing read from the developer's AWS profile.
pub async fn local_sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .test_credentials()
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}
