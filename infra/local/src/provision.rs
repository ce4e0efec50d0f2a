//! Creates the template's tables and queues on the local AWS endpoint and resolves the functions'
//! environment against them. Names are `<prefix><LogicalId>`, so every test can have a fresh,
//! isolated copy of the whole stack on one endpoint.

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow, bail};
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};

use crate::template::{Template, get_att_target, scalar};

#[derive(Debug, Clone)]
pub struct TableInfo {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone)]
pub struct QueueInfo {
    pub name: String,
    pub url: String,
    pub arn: String,
}

/// What was created, by logical id.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    pub prefix: String,
    pub tables: BTreeMap<String, TableInfo>,
    pub queues: BTreeMap<String, QueueInfo>,
    /// The values of the template's generated secrets (`AWS::SecretsManager::Secret` with
    /// `GenerateSecretString`), made up locally, one per stack (the functions read them from
    /// the local Secrets Manager as deployed ones do; tests sign with them).
    pub secrets: BTreeMap<String, String>,
    /// The ARNs of the template's secrets, by logical id.
    pub secret_arns: BTreeMap<String, String>,
    /// The client id of the stack's credentials at the local stand-in marketplace.
    pub marketplace_client_id: Option<String>,
    /// The SES identities verified for the stack.
    pub email_identities: Vec<String>,
    /// User pool ids and app client ids, by logical id.
    pub user_pools: BTreeMap<String, String>,
    pub user_pool_clients: BTreeMap<String, String>,
}

impl Stack {
    pub fn table(&self, logical_id: &str) -> &str {
        &self.tables.get(logical_id).unwrap_or_else(|| panic!("no table {logical_id} in the template")).name
    }

    pub fn queue(&self, logical_id: &str) -> &QueueInfo {
        self.queues.get(logical_id).unwrap_or_else(|| panic!("no queue {logical_id} in the template"))
    }

    /// The stack's one user pool and its one app client: `(pool id, client id)`.
    pub fn sign_in(&self) -> (&str, &str) {
        let pool = self.user_pools.values().next().expect("the template has a user pool");
        let client = self.user_pool_clients.values().next().expect("the template has an app client");
        (pool, client)
    }

    /// One environment value of a function: literals as they are, `Ref`/`Fn::GetAtt` of a table
    /// or queue as its local name, URL or ARN, and a `Ref` to a parameter as `override_of(var)`
    /// (the caller's environment, for business timings) or else the parameter's default.
    pub fn resolve(
        &self,
        template: &Template,
        var: &str,
        value: &Value,
        override_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String> {
        if let Some(target) = value.get("Ref").and_then(Value::as_str) {
            if template.is_parameter(target) {
                return override_of(var)
                    .or_else(|| template.parameter_default(target))
                    .ok_or_else(|| anyhow!("{var}: parameter {target} has no default"));
            }
            if let Some(table) = self.tables.get(target) {
                return Ok(table.name.clone());
            }
            if let Some(queue) = self.queues.get(target) {
                return Ok(queue.url.clone());
            }
            if let Some(id) = self.user_pools.get(target).or_else(|| self.user_pool_clients.get(target)) {
                return Ok(id.clone());
            }
            if let Some(arn) = self.secret_arns.get(target) {
                return Ok(arn.clone());
            }
            bail!("{var}: cannot resolve Ref {target} locally");
        }
        // The HTTP API's own URL (links in emails): locally, the API `make dev` serves.
        if value.get("Fn::Sub").and_then(Value::as_str).is_some_and(|sub| sub.contains("${HttpApi}")) {
            return Ok(override_of(var).unwrap_or_else(|| LOCAL_API_URL.to_owned()));
        }
        if let Some(target) = get_att_target(value) {
            let attribute = match &value["Fn::GetAtt"] {
                Value::Array(parts) => parts.get(1).and_then(Value::as_str).unwrap_or_default().to_owned(),
                Value::String(dotted) => dotted.split_once('.').map(|(_, a)| a.to_owned()).unwrap_or_default(),
                _ => String::new(),
            };
            return match (self.tables.get(&target), self.queues.get(&target), attribute.as_str()) {
                (Some(table), _, "Arn") => Ok(table.arn.clone()),
                (_, Some(queue), "Arn") => Ok(queue.arn.clone()),
                (_, Some(queue), "QueueName") => Ok(queue.name.clone()),
                (_, Some(queue), "QueueUrl") => Ok(queue.url.clone()),
                _ => bail!("{var}: cannot resolve Fn::GetAtt {target}.{attribute} locally"),
            };
        }
        match value {
            Value::Object(_) | Value::Array(_) => bail!("{var}: unsupported intrinsic {value}"),
            other => Ok(scalar(other)),
        }
    }

    /// The union of every function's environment. All functions share one `cargo lambda watch`
    /// process locally, so two functions must not give one variable different values.
    pub fn environment(
        &self,
        template: &Template,
        override_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BTreeMap<String, String>> {
        let mut env = BTreeMap::new();
        for function in template.functions()? {
            for (var, value) in &function.environment {
                let resolved = self.resolve(template, var, value, override_of)?;
                if let Some(previous) = env.insert(var.clone(), resolved.clone())
                    && previous != resolved
                {
                    bail!("{var} has two values ({previous} and {resolved}); give one of them another name");
                }
            }
        }
        Ok(env)
    }
}

/// The local HTTP API, as `make dev` serves it by default.
pub const LOCAL_API_URL: &str = "http://127.0.0.1:9000";

/// Creates every table and queue of the template under `prefix`.
pub async fn provision(sdk: &SdkConfig, template: &Template, prefix: &str) -> Result<Stack> {
    let mut stack = Stack { prefix: prefix.to_owned(), ..Stack::default() };
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    for (logical_id, secret) in template.resources("AWS::SecretsManager::Secret") {
        if secret["Properties"].get("GenerateSecretString").is_some() {
            let value = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
            let created = secrets
                .create_secret()
                .name(format!("{prefix}{logical_id}"))
                .secret_string(&value)
                .send()
                .await
                .with_context(|| format!("creating secret {logical_id}"))?;
            stack.secret_arns.insert(logical_id.clone(), created.arn.unwrap_or_default());
            stack.secrets.insert(logical_id.clone(), value);
        }
    }
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    for table in template.tables() {
        let name = format!("{prefix}{}", table.logical_id);
        let arn = create_table(&dynamodb, &name, &table.properties)
            .await
            .with_context(|| format!("creating table {}", table.logical_id))?;
        stack.tables.insert(table.logical_id, TableInfo { name, arn });
    }
    let sqs = aws_sdk_sqs::Client::new(sdk);
    // Dead-letter queues first: the queues that use them need their ARNs.
    let mut queues = template.queues()?;
    queues.sort_by_key(|q| q.redrive.is_some());
    for queue in queues {
        let name = format!("{prefix}{}", queue.logical_id);
        let redrive = match &queue.redrive {
            None => None,
            Some((dlq, max_receive_count)) => {
                let dlq = stack
                    .queues
                    .get(dlq)
                    .ok_or_else(|| anyhow!("{}: unknown dead-letter queue {dlq}", queue.logical_id))?;
                Some(json!({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": max_receive_count}).to_string())
            }
        };
        let info = create_queue(&sqs, &name, &queue.properties, redrive)
            .await
            .with_context(|| format!("creating queue {}", queue.logical_id))?;
        stack.queues.insert(queue.logical_id, info);
    }
    let (pools, clients) = crate::cognito::provision(sdk, template, prefix).await?;
    stack.user_pools.extend(pools);
    stack.user_pool_clients.extend(clients);
    let endpoint = sdk.endpoint_url().context("the SDK configuration names no local endpoint")?;
    for (logical_id, arn, client_id) in crate::mail::provision_secrets(sdk, template, prefix, endpoint).await? {
        stack.secret_arns.insert(logical_id, arn);
        stack.marketplace_client_id = Some(client_id);
    }
    stack.email_identities = crate::mail::verify_identities(sdk, template).await?;
    Ok(stack)
}

fn str_at<'a>(value: &'a Value, field: &str) -> Result<&'a str> {
    value[field].as_str().ok_or_else(|| anyhow!("{field} must be a string"))
}

fn key_schema(value: &Value) -> Result<Vec<KeySchemaElement>> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            Ok(KeySchemaElement::builder()
                .attribute_name(str_at(k, "AttributeName")?)
                .key_type(KeyType::from(str_at(k, "KeyType")?))
                .build()?)
        })
        .collect()
}

fn projection(value: &Value) -> Projection {
    Projection::builder()
        .projection_type(ProjectionType::from(value["ProjectionType"].as_str().unwrap_or("ALL")))
        .set_non_key_attributes(
            value["NonKeyAttributes"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
        )
        .build()
}

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str, props: &Value) -> Result<String> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&props["KeySchema"])?));
    for def in props["AttributeDefinitions"].as_array().into_iter().flatten() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(str_at(def, "AttributeName")?)
                .attribute_type(ScalarAttributeType::from(str_at(def, "AttributeType")?))
                .build()?,
        );
    }
    for index in props["GlobalSecondaryIndexes"].as_array().into_iter().flatten() {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(str_at(index, "IndexName")?)
                .set_key_schema(Some(key_schema(&index["KeySchema"])?))
                .projection(projection(&index["Projection"]))
                .build()?,
        );
    }
    let output =
        request.send().await.map_err(|e| anyhow!(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()))?;
    let ttl = &props["TimeToLiveSpecification"];
    if ttl["Enabled"] == true {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(str_at(ttl, "AttributeName")?)
                    .build()?,
            )
            .send()
            .await
            .map_err(|e| anyhow!(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()))?;
    }
    output.table_description.and_then(|d| d.table_arn).ok_or_else(|| anyhow!("the endpoint returned no table ARN"))
}

/// Queue properties that map one-to-one onto SQS attributes.
const QUEUE_ATTRIBUTES: &[(&str, QueueAttributeName)] = &[
    ("VisibilityTimeout", QueueAttributeName::VisibilityTimeout),
    ("MessageRetentionPeriod", QueueAttributeName::MessageRetentionPeriod),
    ("DelaySeconds", QueueAttributeName::DelaySeconds),
    ("ReceiveMessageWaitTimeSeconds", QueueAttributeName::ReceiveMessageWaitTimeSeconds),
    ("MaximumMessageSize", QueueAttributeName::MaximumMessageSize),
    ("SqsManagedSseEnabled", QueueAttributeName::SqsManagedSseEnabled),
];

async fn create_queue(
    client: &aws_sdk_sqs::Client,
    name: &str,
    props: &Value,
    redrive: Option<String>,
) -> Result<QueueInfo> {
    let fifo = props["FifoQueue"] == true;
    let name = if fifo { format!("{name}.fifo") } else { name.to_owned() };
    let mut request = client.create_queue().queue_name(&name);
    for (property, attribute) in QUEUE_ATTRIBUTES {
        if let Some(value) = props.get(*property) {
            request = request.attributes(attribute.clone(), scalar(value));
        }
    }
    if fifo {
        request = request.attributes(QueueAttributeName::FifoQueue, "true");
    }
    if let Some(redrive) = redrive {
        request = request.attributes(QueueAttributeName::RedrivePolicy, redrive);
    }
    let url = request
        .send()
        .await
        .map_err(|e| anyhow!(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?
        .queue_url
        .ok_or_else(|| anyhow!("the endpoint returned no queue URL"))?;
    let arn = client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| anyhow!(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| anyhow!("the endpoint returned no queue ARN"))?;
    Ok(QueueInfo { name, url, arn })
}
