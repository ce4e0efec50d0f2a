//! Reads `infra/template.yaml`: the tables, queues, functions, routes, event sources and
//! schedules that the local stack recreates. Only what the local stack needs is interpreted;
//! everything else (IAM, log groups, alarms and their topic, queue policies, the HTTP API's
//! throttling and access logs, schedules' retry policies, conditions, outputs) is AWS's business,
//! which tests can still read as written ([`Template::resources`], [`Template::resource`],
//! [`Template::parameter`], [`Template::globals`]). A schedule's dead-letter queue is created like any queue, but nothing
//! sends to it locally.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

pub struct Template {
    root: Value,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    pub properties: Value,
}

#[derive(Debug, Clone)]
pub struct QueueDef {
    pub logical_id: String,
    pub properties: Value,
    /// The dead-letter queue's logical id and `maxReceiveCount`.
    pub redrive: Option<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventDef {
    Http { method: String, path: String },
    Sqs { queue: String, batch_size: u32, report_batch_item_failures: bool },
    Schedule { name: String, expression: String, enabled: bool },
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    /// The cargo binary (`Metadata.BuildProperties.Binary`), which is also the function's name
    /// under `cargo lambda watch`.
    pub binary: String,
    /// Environment variables, global ones included, with their unresolved template values.
    pub environment: BTreeMap<String, Value>,
    pub events: Vec<EventDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub function: String,
}

/// The template's default location, relative to the workspace root.
pub fn default_path(workspace: &Path) -> PathBuf {
    workspace.join("infra").join("template.yaml")
}

impl Template {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let root: Value = serde_yaml_ng::from_str(text)?;
        if !root.get("Resources").is_some_and(Value::is_object) {
            bail!("the template has no Resources");
        }
        Ok(Self { root })
    }

    /// Every resource of one type, with its logical id, as written.
    pub fn resources(&self, kind: &str) -> impl Iterator<Item = (&String, &Value)> {
        self.root["Resources"].as_object().into_iter().flatten().filter(move |(_, resource)| resource["Type"] == kind)
    }

    /// One resource, as written.
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.root["Resources"].get(logical_id)
    }

    /// One section of `Globals` (`Function`, `HttpApi`, ...), as written.
    pub fn globals(&self, kind: &str) -> Option<&Value> {
        self.root["Globals"].get(kind)
    }

    /// One parameter's declaration (`Type`, `Default`, `AllowedValues`, ...).
    pub fn parameter(&self, name: &str) -> Option<&Value> {
        self.root["Parameters"].get(name)
    }

    pub fn parameter_default(&self, name: &str) -> Option<String> {
        self.root["Parameters"][name].get("Default").map(scalar)
    }

    pub fn is_parameter(&self, name: &str) -> bool {
        self.root["Parameters"].get(name).is_some()
    }

    pub fn tables(&self) -> Vec<TableDef> {
        self.resources("AWS::DynamoDB::Table")
            .map(|(id, r)| TableDef { logical_id: id.clone(), properties: r["Properties"].clone() })
            .collect()
    }

    pub fn queues(&self) -> Result<Vec<QueueDef>> {
        self.resources("AWS::SQS::Queue")
            .map(|(id, r)| {
                let properties = r["Properties"].clone();
                let redrive = match properties.get("RedrivePolicy") {
                    None => None,
                    Some(policy) => {
                        let target = get_att_target(&policy["deadLetterTargetArn"])
                            .ok_or_else(|| anyhow!("{id}: deadLetterTargetArn must be Fn::GetAtt [<queue>, Arn]"))?;
                        let max = scalar(&policy["maxReceiveCount"])
                            .parse()
                            .with_context(|| format!("{id}: maxReceiveCount"))?;
                        Some((target, max))
                    }
                };
                Ok(QueueDef { logical_id: id.clone(), properties, redrive })
            })
            .collect()
    }

    pub fn functions(&self) -> Result<Vec<FunctionDef>> {
        let globals = &self.root["Globals"]["Function"]["Environment"]["Variables"];
        self.resources("AWS::Serverless::Function")
            .map(|(id, r)| {
                let binary = r["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .ok_or_else(|| anyhow!("{id}: Metadata.BuildProperties.Binary is required"))?
                    .to_owned();
                let mut environment = BTreeMap::new();
                for vars in [globals, &r["Properties"]["Environment"]["Variables"]] {
                    for (name, value) in vars.as_object().into_iter().flatten() {
                        environment.insert(name.clone(), value.clone());
                    }
                }
                let mut events = Vec::new();
                for (name, event) in r["Properties"]["Events"].as_object().into_iter().flatten() {
                    if let Some(event) = event_def(name, event).with_context(|| format!("{id}: event {name}"))? {
                        events.push(event);
                    }
                }
                events.extend(self.queue_sources(id)?);
                Ok(FunctionDef { logical_id: id.clone(), binary, environment, events })
            })
            .collect()
    }

    /// The SQS event sources of function `function_id`: the `AWS::Lambda::EventSourceMapping`
    /// resources naming it (the template declares them itself; see `QueueConsumerMaxConcurrency`).
    fn queue_sources(&self, function_id: &str) -> Result<Vec<EventDef>> {
        self.resources("AWS::Lambda::EventSourceMapping")
            .filter(|(_, r)| r["Properties"]["FunctionName"]["Ref"] == function_id)
            .map(|(id, r)| {
                let props = &r["Properties"];
                Ok(EventDef::Sqs {
                    queue: get_att_target(&props["EventSourceArn"])
                        .with_context(|| format!("{id}: EventSourceArn must be Fn::GetAtt [<queue>, Arn]"))?,
                    batch_size: props
                        .get("BatchSize")
                        .map(scalar)
                        .map_or(Ok(10), |s| s.parse())
                        .context("BatchSize")?,
                    report_batch_item_failures: props["FunctionResponseTypes"]
                        .as_array()
                        .is_some_and(|types| types.iter().any(|t| t == "ReportBatchItemFailures")),
                })
            })
            .collect()
    }

    /// Every HTTP API route, sorted.
    pub fn routes(&self) -> Result<Vec<Route>> {
        let mut routes: Vec<Route> = self
            .functions()?
            .into_iter()
            .flat_map(|f| {
                f.events.into_iter().filter_map(move |e| match e {
                    EventDef::Http { method, path } => {
                        Some(Route { method: method.to_uppercase(), path, function: f.binary.clone() })
                    }
                    _ => None,
                })
            })
            .collect();
        routes.sort();
        Ok(routes)
    }
}

fn event_def(name: &str, event: &Value) -> Result<Option<EventDef>> {
    let props = &event["Properties"];
    Ok(match event["Type"].as_str() {
        Some("HttpApi") => Some(EventDef::Http {
            method: props["Method"].as_str().context("Method")?.to_owned(),
            path: props["Path"].as_str().context("Path")?.to_owned(),
        }),
        // SAM would give the function AWSLambdaSQSQueueExecutionRole (every queue of the account).
        Some("SQS") => bail!("declare an SQS event source as an AWS::Lambda::EventSourceMapping, not a SAM SQS event"),
        Some("Schedule") => Some(EventDef::Schedule {
            name: name.to_owned(),
            expression: props["Schedule"].as_str().context("Schedule")?.to_owned(),
            enabled: props.get("Enabled").is_none_or(|e| e != false),
        }),
        _ => None,
    })
}

/// `{"Fn::GetAtt": [X, "Arn"]}` (or `"X.Arn"`) → `X`.
pub fn get_att_target(value: &Value) -> Option<String> {
    match &value["Fn::GetAtt"] {
        Value::Array(parts) => parts.first()?.as_str().map(str::to_owned),
        Value::String(dotted) => dotted.split('.').next().map(str::to_owned),
        _ => None,
    }
}

/// A YAML scalar as the string CloudFormation would pass on.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  Hold: { Type: Number, Default: 1800 }
Globals:
  Function:
    Environment:
      Variables: { STAGE: dev }
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { BillingMode: PAY_PER_REQUEST }
  Dlq:
    Type: AWS::SQS::Queue
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [Dlq, Arn] }, maxReceiveCount: 3 }
  DlqAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties: { MetricName: ApproximateNumberOfMessagesVisible, AlarmActions: [{ Ref: Topic }] }
  Topic:
    Type: AWS::SNS::Topic
  Worker:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: worker } }
    Properties:
      Environment: { Variables: { HOLD: { Ref: Hold } } }
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            RetryPolicy: { MaximumRetryAttempts: 3 }
            DeadLetterConfig: { Arn: { "Fn::GetAtt": [Dlq, Arn] } }
        Get: { Type: HttpApi, Properties: { Method: get, Path: "/x/{id}" } }
  WorkerQueueSource:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: { Ref: Worker }
      EventSourceArn: { "Fn::GetAtt": [Queue, Arn] }
      BatchSize: 5
      FunctionResponseTypes: [ReportBatchItemFailures]
"#;

    #[test]
    fn reads_what_the_local_stack_needs() {
        let t = Template::parse(TEMPLATE).unwrap();
        assert_eq!(t.tables()[0].logical_id, "Table");
        let queues = t.queues().unwrap();
        let queue = queues.iter().find(|q| q.logical_id == "Queue").unwrap();
        assert_eq!(queue.redrive, Some(("Dlq".to_owned(), 3)));
        let f = &t.functions().unwrap()[0];
        assert_eq!(f.binary, "worker");
        assert_eq!(f.environment.keys().collect::<Vec<_>>(), ["HOLD", "STAGE"]);
        assert!(f.events.contains(&EventDef::Sqs {
            queue: "Queue".into(),
            batch_size: 5,
            report_batch_item_failures: true
        }));
        assert!(f.events.contains(&EventDef::Schedule {
            name: "Tick".into(),
            expression: "rate(5 minutes)".into(),
            enabled: true
        }));
        assert_eq!(
            t.routes().unwrap(),
            [Route { method: "GET".into(), path: "/x/{id}".into(), function: "worker".into() }]
        );
        assert_eq!(t.parameter_default("Hold").as_deref(), Some("1800"));
        assert_eq!(t.parameter("Hold").unwrap()["Type"], "Number");
        let alarms: Vec<&String> = t.resources("AWS::CloudWatch::Alarm").map(|(id, _)| id).collect();
        assert_eq!(alarms, ["DlqAlarm"]);
        assert_eq!(t.resource("Topic").unwrap()["Type"], "AWS::SNS::Topic");
    }

    #[test]
    fn a_sam_sqs_event_is_refused() {
        let sam = TEMPLATE.replace(
            "        Get: {",
            "        Q: { Type: SQS, Properties: { Queue: { \"Fn::GetAtt\": [Queue, Arn] } } }\n        Get: {",
        );
        let err = Template::parse(&sam).unwrap().functions().unwrap_err();
        assert!(format!("{err:#}").contains("EventSourceMapping"), "{err:#}");
    }
}
