//! The template's secrets that are not generated (the marketplace credentials) and its SES
//! identities, made locally: the credentials are registered with the local stand-in marketplace
//! that the local AWS endpoint serves under `/_marketplace`, and the sender addresses verified,
//! since SES (and the local endpoint) send only from verified identities.

use anyhow::{Context, Result};
use aws_config::SdkConfig;
use serde_json::json;

use crate::Template;

/// Where the local endpoint serves the stand-in for eBay's API (`EBAY_API_BASE_URL` locally).
pub fn marketplace_url(endpoint: &str) -> String {
    format!("{}/_marketplace", endpoint.trim_end_matches('/'))
}

/// Creates each non-generated Secrets Manager secret of the template as `<prefix><logical id>`,
/// holding local marketplace credentials (a client id and secret unique to the stack, registered
/// with the stand-in marketplace). Returns `(logical id, ARN, client id)` of each.
pub async fn provision_secrets(
    sdk: &SdkConfig,
    template: &Template,
    prefix: &str,
    endpoint: &str,
) -> Result<Vec<(String, String, String)>> {
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    let http = reqwest::Client::new();
    let mut made = Vec::new();
    for (logical_id, secret) in template.resources("AWS::SecretsManager::Secret") {
        if secret["Properties"].get("GenerateSecretString").is_some() {
            continue;
        }
        let client_id = format!("{prefix}local-client");
        let client_secret = uuid::Uuid::new_v4().simple().to_string();
        http.post(format!("{}/_local/marketplace/clients", endpoint.trim_end_matches('/')))
            .json(&json!({"client_id": client_id, "client_secret": client_secret}))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .context("registering local credentials with the stand-in marketplace")?;
        let value = json!({"client_id": client_id, "client_secret": client_secret}).to_string();
        let created = secrets
            .create_secret()
            .name(format!("{prefix}{logical_id}"))
            .secret_string(value)
            .send()
            .await
            .with_context(|| format!("creating secret {logical_id}"))?;
        made.push((logical_id.clone(), created.arn.unwrap_or_default(), client_id));
    }
    Ok(made)
}

/// Verifies every SES identity the template declares (its parameter's default, or the variable
/// named after the parameter from our environment when set: `ALERTS_FROM_EMAIL` for
/// `AlertsFromEmail`), so that the functions may send from it.
pub async fn verify_identities(sdk: &SdkConfig, template: &Template) -> Result<Vec<String>> {
    let ses = aws_sdk_sesv2::Client::new(sdk);
    let mut verified = Vec::new();
    for (logical_id, identity) in template.resources("AWS::SES::EmailIdentity") {
        let value = &identity["Properties"]["EmailIdentity"];
        let address = match value.get("Ref").and_then(|r| r.as_str()) {
            Some(parameter) => {
                std::env::var(variable_of(parameter)).ok().or_else(|| template.parameter_default(parameter))
            }
            None => value.as_str().map(str::to_owned),
        }
        .with_context(|| format!("{logical_id}: no address"))?;
        ses.create_email_identity()
            .email_identity(&address)
            .send()
            .await
            .with_context(|| format!("verifying {address} ({logical_id})"))?;
        verified.push(address);
    }
    Ok(verified)
}

/// The environment variable of a template parameter: `AlertsFromEmail` is `ALERTS_FROM_EMAIL`.
pub fn variable_of(parameter: &str) -> String {
    let mut variable = String::new();
    for (i, c) in parameter.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            variable.push('_');
        }
        variable.push(c.to_ascii_uppercase());
    }
    variable
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_name_their_variables() {
        assert_eq!(super::variable_of("AlertsFromEmail"), "ALERTS_FROM_EMAIL");
        assert_eq!(super::variable_of("WalkinFromEmail"), "WALKIN_FROM_EMAIL");
    }
}
