//! The template's user pools, app clients and groups on the local AWS endpoint, and the users
//! that `make dev` and the tests sign in with.

use anyhow::{Context, Result, anyhow};
use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::{
    Client,
    types::{
        AttributeType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType, PasswordPolicyType, UserPoolPolicyType,
        UsernameAttributeType, VerifiedAttributeType,
    },
};
use serde_json::Value;

use crate::template::Template;

/// The password of the demo users unless `LOCAL_DEMO_PASSWORD` says otherwise.
pub const DEFAULT_DEMO_PASSWORD: &str = "Local-demo-1";

/// The demo users `make dev` creates: one per group, named after it, and a client in no group.
pub const DEMO_USERS: &[(&str, &[&str])] = &[
    ("admin@example.com", &["admin"]),
    ("staff@example.com", &["staff"]),
    ("provider@example.com", &["provider"]),
    ("analyst@example.com", &["analyst"]),
    ("ingest@example.com", &["ingest"]),
    ("client@example.com", &[]),
];

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// Creates the template's user pools, their app clients and groups; returns the ids by logical
/// id (pools, then clients).
pub async fn provision(
    sdk: &SdkConfig,
    template: &Template,
    prefix: &str,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>)> {
    let cognito = Client::new(sdk);
    let mut pools = Vec::new();
    for (logical_id, pool) in template.resources("AWS::Cognito::UserPool") {
        let props = &pool["Properties"];
        let policy = &props["Policies"]["PasswordPolicy"];
        let flag = |name: &str| policy[name].as_bool().unwrap_or(false);
        let password_policy = PasswordPolicyType::builder()
            .minimum_length(policy["MinimumLength"].as_i64().unwrap_or(8) as i32)
            .require_lowercase(flag("RequireLowercase"))
            .require_uppercase(flag("RequireUppercase"))
            .require_numbers(flag("RequireNumbers"))
            .require_symbols(flag("RequireSymbols"))
            .build();
        let output = cognito
            .create_user_pool()
            .pool_name(format!("{prefix}{logical_id}"))
            .set_username_attributes(Some(
                strings(&props["UsernameAttributes"]).iter().map(|a| UsernameAttributeType::from(a.as_str())).collect(),
            ))
            .set_auto_verified_attributes(Some(
                strings(&props["AutoVerifiedAttributes"])
                    .iter()
                    .map(|a| VerifiedAttributeType::from(a.as_str()))
                    .collect(),
            ))
            .policies(UserPoolPolicyType::builder().password_policy(password_policy).build())
            .send()
            .await
            .with_context(|| format!("creating user pool {logical_id}"))?;
        let id = output.user_pool.and_then(|p| p.id).ok_or_else(|| anyhow!("user pool {logical_id} has no id"))?;
        // The template's MFA setting (a parameter): with OPTIONAL, users may enrol an authenticator
        // app; the demo users do not, and keep signing in with their password alone.
        let mfa = match &props["MfaConfiguration"] {
            Value::String(mfa) => Some(mfa.clone()),
            reference => reference["Ref"].as_str().and_then(|name| template.parameter_default(name)),
        };
        if let Some(mfa) = mfa.filter(|mfa| mfa != "OFF") {
            cognito
                .set_user_pool_mfa_config()
                .user_pool_id(&id)
                .software_token_mfa_configuration(
                    aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder().enabled(true).build(),
                )
                .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::from(mfa.as_str()))
                .send()
                .await
                .with_context(|| format!("the MFA setting of user pool {logical_id}"))?;
        }
        pools.push((logical_id.clone(), id));
    }
    let pool_of = |props: &Value| -> Result<String> {
        let target = props["UserPoolId"]["Ref"].as_str().context("UserPoolId must be a Ref to a user pool")?;
        pools.iter().find(|(id, _)| id == target).map(|(_, pool)| pool.clone()).context("unknown user pool")
    };
    let mut clients = Vec::new();
    for (logical_id, client) in template.resources("AWS::Cognito::UserPoolClient") {
        let props = &client["Properties"];
        let output = cognito
            .create_user_pool_client()
            .user_pool_id(pool_of(props)?)
            .client_name(format!("{prefix}{logical_id}"))
            .generate_secret(props["GenerateSecret"].as_bool().unwrap_or(false))
            .set_explicit_auth_flows(Some(
                strings(&props["ExplicitAuthFlows"]).iter().map(|f| ExplicitAuthFlowsType::from(f.as_str())).collect(),
            ))
            .set_read_attributes(Some(strings(&props["ReadAttributes"])))
            .send()
            .await
            .with_context(|| format!("creating app client {logical_id}"))?;
        let id = output.user_pool_client.and_then(|c| c.client_id).context("app client without id")?;
        clients.push((logical_id.clone(), id));
    }
    for (logical_id, group) in template.resources("AWS::Cognito::UserPoolGroup") {
        let props = &group["Properties"];
        cognito
            .create_group()
            .user_pool_id(pool_of(props)?)
            .group_name(props["GroupName"].as_str().context("GroupName")?)
            .send()
            .await
            .with_context(|| format!("creating group {logical_id}"))?;
    }
    Ok((pools, clients))
}

/// Creates a confirmed user with a verified email and a permanent password, in `groups`;
/// returns their `sub`.
pub async fn add_user(sdk: &SdkConfig, pool: &str, email: &str, password: &str, groups: &[&str]) -> Result<String> {
    let cognito = Client::new(sdk);
    let attribute = |name: &str, value: &str| AttributeType::builder().name(name).value(value).build();
    cognito
        .admin_create_user()
        .user_pool_id(pool)
        .username(email)
        .user_attributes(attribute("email", email)?)
        .user_attributes(attribute("email_verified", "true")?)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .with_context(|| format!("creating user {email}"))?;
    cognito
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(email)
        .password(password)
        .permanent(true)
        .send()
        .await
        .with_context(|| format!("setting {email}'s password"))?;
    for group in groups {
        cognito.admin_add_user_to_group().user_pool_id(pool).username(email).group_name(*group).send().await?;
    }
    let user = cognito.admin_get_user().user_pool_id(pool).username(email).send().await?;
    user.user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value().map(str::to_owned))
        .context("the user has no sub")
}

/// Tokens of one sign-in.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// Signs in with `USER_PASSWORD_AUTH`, as a client of the app client would.
pub async fn sign_in(sdk: &SdkConfig, client_id: &str, email: &str, password: &str) -> Result<Tokens> {
    let output = Client::new(sdk)
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .with_context(|| format!("signing in as {email}"))?;
    let result = output.authentication_result.context("no tokens (a challenge?)")?;
    Ok(Tokens {
        id_token: result.id_token.context("no ID token")?,
        access_token: result.access_token.context("no access token")?,
        refresh_token: result.refresh_token,
    })
}
