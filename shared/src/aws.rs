//! One `SdkConfig` per process, built at the first invocation (`app::Deferred`), shared by every
//! client.
//!
//! The endpoint follows the SDK's own convention: `AWS_ENDPOINT_URL` (set by `make dev` and the
//! tests) points every client at the local AWS endpoint; unset, the real regional endpoints are used.

use std::time::Duration;

use aws_config::{
    BehaviorVersion, Region, SdkConfig, environment::EnvironmentVariableCredentialsProvider, retry::RetryConfig,
    timeout::TimeoutConfig,
};
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::config;

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
/// environment, as the Lambda runtime provides them (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; `AWS_ENDPOINT_URL` when set).
///
/// Built by hand rather than with `aws_config::defaults().load()`: the default chains would look
/// for `~/.aws/config` and `~/.aws/credentials` (for the region, retry mode, endpoint, FIPS and
/// a dozen other settings) and, failing the environment, ask the container and instance metadata
/// endpoints over the network. Lambda's environment makes every one of those unnecessary, and a
/// function never has a profile. The HTTPS client is the SDK's default one trusting compiled-in
/// roots instead of the system's store ([`crate::tls`]), shared by every client; sleep and time
/// source are the SDK's defaults.
pub async fn sdk_config() -> SdkConfig {
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(environment_region())
        .credentials_provider(SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()))
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .http_client(crate::tls::sdk_https_client());
    if let Some(endpoint) = config::optional("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(endpoint);
    }
    config.build()
}

/// `AWS_REGION` (which Lambda always sets), else `AWS_DEFAULT_REGION`; without either, every
/// request fails with the SDK's "no region" error, which names the problem.
fn environment_region() -> Option<Region> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"].into_iter().find_map(config::optional).map(Region::new)
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
