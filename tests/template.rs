//! The template is the single source of truth; these keep what is derived from it honest.

use std::collections::BTreeSet;

use shared::routes::Who;

use aws_lambda_events::{apigw::ApiGatewayV2httpRequest, cloudwatch_events::CloudWatchEvent, sqs::SqsEvent};
use local_stack::{
    routes,
    template::{EventDef, get_att_target},
};
use serde_json::{Value, json};
use system_tests::{template, workspace};

#[test]
fn the_local_router_is_generated_from_the_template() {
    let section = routes::router_section(&template().routes().unwrap()).unwrap();
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&section),
        "Cargo.toml's router is out of date with infra/template.yaml: run `make routes`"
    );
}

#[test]
fn every_function_has_a_sample_event_of_its_kind() {
    for function in template().functions().unwrap() {
        let path = workspace().join("events").join(format!("{}.json", function.binary));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
        let parsed = match function.events.first() {
            Some(EventDef::Http { .. }) => serde_json::from_str::<ApiGatewayV2httpRequest>(&text).map(|_| ()),
            Some(EventDef::Sqs { .. }) => serde_json::from_str::<SqsEvent>(&text).map(|_| ()),
            Some(EventDef::Schedule { .. }) => serde_json::from_str::<CloudWatchEvent>(&text).map(|_| ()),
            None => Ok(()),
        };
        parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn every_binary_is_a_function_of_the_template() {
    let functions: Vec<String> = template().functions().unwrap().into_iter().map(|f| f.binary).collect();
    for entry in std::fs::read_dir(workspace().join("functions")).unwrap() {
        let bins = entry.unwrap().path().join("src").join("bin");
        for bin in std::fs::read_dir(&bins).into_iter().flatten() {
            let name = bin.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
            assert!(functions.contains(&name), "{name} is built but not deployed by infra/template.yaml");
        }
    }
}

const SERVICES: [(&str, &shared::routes::Routes); 5] = [
    ("/walkin/", &walkin::routes::ROUTES),
    ("/booking/", &booking::routes::ROUTES),
    ("/orders/", &orders::routes::ROUTES),
    ("/analytics/", &analytics::routes::ROUTES),
    ("/alerts/", &alerts::routes::ROUTES),
];

/// The template's routes of a service that a function of the service serves (not its fallback).
fn served_routes(prefix: &str) -> Vec<local_stack::template::Route> {
    template()
        .routes()
        .unwrap()
        .into_iter()
        .filter(|r| r.path.starts_with(prefix) && r.method != "ANY" && !r.function.ends_with("-fallback"))
        .collect()
}

#[test]
fn each_service_lists_every_route_of_the_template_with_who_may_call_it() {
    for (prefix, routes) in SERVICES {
        let mut from_template: Vec<(String, String)> =
            served_routes(prefix).into_iter().map(|r| (r.method, r.path)).collect();
        let mut from_code: Vec<(String, String)> =
            routes.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
        from_template.sort();
        from_code.sort();
        assert_eq!(from_code, from_template, "{prefix}: routes.rs and infra/template.yaml differ");
    }
}

/// In AWS the JWT authorizer refuses anonymous calls on every route whose event does not say
/// `Auth: { Authorizer: NONE }`: exactly the routes the code calls public must say so, or a
/// public route would need a token in AWS (and a private one would be open there to anyone the
/// function lets through).
#[test]
fn the_routes_without_an_authorizer_are_exactly_the_public_ones() {
    let resources = template().resources("AWS::Serverless::Function").collect::<Vec<_>>();
    let no_authorizer = |method: &str, path: &str| {
        resources.iter().any(|(_, f)| {
            f["Properties"]["Events"].as_object().into_iter().flatten().any(|(_, e)| {
                let p = &e["Properties"];
                e["Type"] == "HttpApi"
                    && p["Method"] == method
                    && p["Path"] == path
                    && p["Auth"]["Authorizer"] == "NONE"
            })
        })
    };
    for (prefix, routes) in SERVICES {
        for route in routes {
            assert_eq!(
                no_authorizer(route.method, route.path),
                route.who == Who::Public,
                "{prefix}: {} {} is {:?} in routes.rs",
                route.method,
                route.path,
                route.who
            );
        }
    }
}

/// API Gateway prefers a route with the request's method over a literal path without it, so a
/// parameter route (`DELETE /appointment/{service_id}`) takes requests meant for a literal sibling
/// (`DELETE /appointment/next`). The local router would answer 405 there; the template must route
/// such methods to the fallback explicitly so that both answer the same.
#[test]
fn no_literal_path_loses_a_method_to_a_parameter_route() {
    let routes = template().routes().unwrap();
    let has = |method: &str, path: &str| routes.iter().any(|r| r.method == method && r.path == path);
    for literal in routes.iter().filter(|r| !r.path.contains('{')) {
        for param in routes.iter().filter(|r| r.path.contains('{') && !r.path.contains("+}")) {
            if shared::routes::pattern_matches(&param.path, &literal.path) {
                assert!(
                    has(&param.method, &literal.path),
                    "{} {} would reach {} ({}): route it to the fallback in infra/template.yaml",
                    param.method,
                    literal.path,
                    param.function,
                    param.path
                );
            }
        }
    }
}

// The deployment's hardening. Nothing local exercises it, so these keep a later edit of the
// template from dropping it silently.

/// The alarm topic, as an alarm's `AlarmActions` names it.
fn notifies_the_topic(alarm: &Value) -> bool {
    alarm["Properties"]["AlarmActions"]
        .as_array()
        .is_some_and(|actions| actions.contains(&json!({"Ref": "AlarmTopic"})))
}

/// The alarms on `metric` of `namespace` whose dimension `dimension` is `value`, that fire on any
/// value above zero and notify the alarm topic.
fn alarms_on(namespace: &str, metric: &str, dimension: &str, value: &Value) -> usize {
    template()
        .resources("AWS::CloudWatch::Alarm")
        .filter(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["Namespace"] == namespace
                && p["MetricName"] == metric
                && p["Dimensions"].as_array().is_some_and(|d| d.contains(&json!({"Name": dimension, "Value": value})))
                && p["ComparisonOperator"] == "GreaterThanThreshold"
                && p["Threshold"] == 0
                && notifies_the_topic(alarm)
        })
        .count()
}

#[test]
fn every_table_is_protected_and_every_queue_encrypted() {
    let tables: Vec<_> = template().resources("AWS::DynamoDB::Table").collect();
    assert!(!tables.is_empty());
    for (id, table) in tables {
        assert_eq!(table["Properties"]["DeletionProtectionEnabled"], true, "{id}: DeletionProtectionEnabled");
        assert_eq!(table["DeletionPolicy"], "Retain", "{id}: DeletionPolicy");
        // shared::idempotency's records expire through this attribute.
        let ttl = &table["Properties"]["TimeToLiveSpecification"];
        assert_eq!((&ttl["AttributeName"], &ttl["Enabled"]), (&"ttl".into(), &true.into()), "{id}: TTL on `ttl`");
    }
    for (id, queue) in template().resources("AWS::SQS::Queue") {
        assert_eq!(queue["Properties"]["SqsManagedSseEnabled"], true, "{id}: SqsManagedSseEnabled");
    }
}

/// The queues a schedule dead-letters into, checked: each declared, and open to EventBridge.
fn schedule_dead_letter_queues() -> BTreeSet<String> {
    let t = template();
    let mut queues = BTreeSet::new();
    let mut check = |what: &str, target: &Value| {
        let retry = &target["RetryPolicy"];
        assert!(
            retry["MaximumRetryAttempts"].is_number() && retry["MaximumEventAgeInSeconds"].is_number(),
            "{what}: RetryPolicy needs MaximumRetryAttempts and MaximumEventAgeInSeconds"
        );
        let queue = get_att_target(&target["DeadLetterConfig"]["Arn"])
            .unwrap_or_else(|| panic!("{what}: DeadLetterConfig.Arn must be Fn::GetAtt [<queue>, Arn]"));
        assert_eq!(t.resource(&queue).map(|q| &q["Type"]), Some(&json!("AWS::SQS::Queue")), "{what}: {queue}");
        let open_to_events = t.resources("AWS::SQS::QueuePolicy").any(|(_, policy)| {
            let p = &policy["Properties"];
            p["Queues"].as_array().is_some_and(|q| q.contains(&json!({"Ref": queue})))
                && p["PolicyDocument"]["Statement"].as_array().into_iter().flatten().any(|s| {
                    s["Effect"] == "Allow"
                        && s["Principal"]["Service"] == "events.amazonaws.com"
                        && (s["Action"] == "sqs:SendMessage"
                            || s["Action"].as_array().is_some_and(|a| a.contains(&json!("sqs:SendMessage"))))
                })
        });
        assert!(open_to_events, "{what}: no QueuePolicy lets events.amazonaws.com send to {queue}");
        queues.insert(queue);
    };
    for (id, function) in t.resources("AWS::Serverless::Function") {
        for (name, event) in function["Properties"]["Events"].as_object().into_iter().flatten() {
            if event["Type"] == "Schedule" || event["Type"] == "ScheduleV2" {
                check(&format!("{id}: event {name}"), &event["Properties"]);
            }
        }
    }
    for (id, rule) in t.resources("AWS::Events::Rule") {
        if rule["Properties"].get("ScheduleExpression").is_some() {
            for target in rule["Properties"]["Targets"].as_array().into_iter().flatten() {
                check(&format!("{id}: target {}", target["Id"]), target);
            }
        }
    }
    for (id, schedule) in t.resources("AWS::Scheduler::Schedule") {
        check(id, &schedule["Properties"]["Target"]);
    }
    queues
}

#[test]
fn every_schedule_retries_and_dead_letters() {
    assert!(!schedule_dead_letter_queues().is_empty());
}

#[test]
fn every_dead_letter_queue_and_every_function_has_an_alarm() {
    let topic = template().resource("AlarmTopic").expect("an AlarmTopic");
    assert_eq!(topic["Type"], "AWS::SNS::Topic");
    let subscription = template()
        .resources("AWS::SNS::Subscription")
        .find(|(_, s)| s["Properties"]["TopicArn"] == json!({"Ref": "AlarmTopic"}))
        .map(|(_, s)| s)
        .expect("an e-mail subscription to the AlarmTopic");
    assert_eq!(subscription["Properties"]["Endpoint"], json!({"Ref": "AlarmEmail"}));
    assert_eq!(subscription["Condition"], "HasAlarmEmail", "no subscription when AlarmEmail is empty");

    let mut dead_letter_queues = schedule_dead_letter_queues();
    dead_letter_queues.extend(template().queues().unwrap().into_iter().filter_map(|q| q.redrive).map(|(dlq, _)| dlq));
    for queue in dead_letter_queues {
        let name = json!({"Fn::GetAtt": [queue, "QueueName"]});
        assert!(
            alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", &name) > 0,
            "{queue}: no alarm on ApproximateNumberOfMessagesVisible > 0 notifying the AlarmTopic"
        );
    }
    for function in template().functions().unwrap() {
        let id = &function.logical_id;
        assert!(
            alarms_on("AWS/Lambda", "Errors", "FunctionName", &json!({"Ref": id})) > 0,
            "{id}: no alarm on Errors > 0 notifying the AlarmTopic"
        );
    }
}

#[test]
fn every_function_logs_into_its_own_log_group_and_never_at_trace() {
    let t = template();
    let mut groups = BTreeSet::new();
    for (id, function) in t.resources("AWS::Serverless::Function") {
        let logging = &function["Properties"]["LoggingConfig"];
        let group = logging["LogGroup"]["Ref"].as_str().unwrap_or_else(|| panic!("{id}: LoggingConfig.LogGroup"));
        let own = format!("{}Logs", id.strip_suffix("Function").unwrap_or(id));
        assert_eq!(group, own, "{id}: LoggingConfig.LogGroup");
        let declared = t.resource(group).unwrap_or_else(|| panic!("{id}: {group} is not declared"));
        assert_eq!(declared["Type"], "AWS::Logs::LogGroup", "{group}");
        assert_eq!(declared["Properties"]["RetentionInDays"], json!({"Ref": "LogRetentionDays"}), "{group}");
        assert!(groups.insert(group.to_owned()), "{group} is shared");
        assert!(logging.get("ApplicationLogLevel").is_none(), "{id}: the log level is LogLevel's, for every function");
    }
    assert_eq!(
        t.globals("Function").map(|f| &f["LoggingConfig"]["ApplicationLogLevel"]),
        Some(&json!({"Ref": "LogLevel"})),
        "Globals.Function.LoggingConfig.ApplicationLogLevel must be the LogLevel parameter"
    );
    let level = t.parameter("LogLevel").expect("a LogLevel parameter");
    let allowed = level["AllowedValues"].as_array().expect("LogLevel has AllowedValues");
    assert!(!allowed.is_empty());
    assert!(
        allowed.iter().all(|v| v.as_str().is_some_and(|v| !v.eq_ignore_ascii_case("TRACE"))),
        "LogLevel must not allow TRACE: the runtime logs whole events, personal data included, at TRACE"
    );
}

#[test]
fn the_http_api_is_throttled_and_logs_nothing_personal() {
    let api = &template().resource("HttpApi").expect("an HttpApi")["Properties"];
    let throttling = &api["DefaultRouteSettings"];
    assert_eq!(throttling["ThrottlingRateLimit"], json!({"Ref": "ApiThrottlingRateLimit"}));
    assert_eq!(throttling["ThrottlingBurstLimit"], json!({"Ref": "ApiThrottlingBurstLimit"}));
    for name in ["ApiThrottlingRateLimit", "ApiThrottlingBurstLimit"] {
        let p = template().parameter(name).unwrap_or_else(|| panic!("a {name} parameter"));
        assert!(p["MinValue"].is_number() && p["MaxValue"].is_number(), "{name}: MinValue and MaxValue");
    }
    let logs = &api["AccessLogSettings"];
    let group = get_att_target(&logs["DestinationArn"]).expect("AccessLogSettings.DestinationArn: Fn::GetAtt");
    assert_eq!(template().resource(&group).unwrap()["Type"], "AWS::Logs::LogGroup");
    let format = logs["Format"].as_str().expect("AccessLogSettings.Format");
    let fields: Value = serde_json::from_str(format).expect("the access log format is JSON");
    for needed in ["$context.requestId", "$context.routeKey", "$context.status"] {
        assert!(fields.as_object().unwrap().values().any(|v| v == needed), "the access log lacks {needed}");
    }
    for personal in ["sourceIp", "userAgent", "$context.path", "$context.identity", "$context.authorizer"] {
        assert!(!format.contains(personal), "the access log must not record {personal}");
    }
}

/// The template as CloudFormation deploys it: SAM's own transform (infra/tools/sam-transform.py,
/// with the venv's aws-sam-translator), so that the roles SAM generates can be read.
fn transformed() -> &'static Value {
    static TRANSFORMED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    TRANSFORMED.get_or_init(|| {
        let root = workspace();
        let out = std::process::Command::new(root.join(".venv/bin/python"))
            .arg(root.join("infra/tools/sam-transform.py"))
            .arg(local_stack::template::default_path(&root))
            .output()
            .expect("run the SAM transform (make venv installs it)");
        assert!(out.status.success(), "SAM transform failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("the transform prints JSON")
    })
}

fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// The queue an IAM resource names: `Fn::GetAtt [Q, Arn]`, or SAM's `Fn::Sub` of `GetAtt [Q, QueueName]`.
fn queue_named_by(resource: &Value) -> Option<String> {
    get_att_target(resource).or_else(|| get_att_target(&resource["Fn::Sub"][1]["queueName"]))
}

/// Every statement of a role's inline policies, with the role's logical id.
fn role_statements(cfn: &Value) -> Vec<(&String, &Value)> {
    let resources = cfn["Resources"].as_object().unwrap();
    resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
        .flat_map(|(id, role)| {
            as_list(&role["Properties"]["Policies"])
                .into_iter()
                .flat_map(|policy| as_list(&policy["PolicyDocument"]["Statement"]))
                .map(move |statement| (id, statement))
        })
        .collect()
}

const CONSUME: [&str; 3] = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];

#[test]
fn every_queue_consumer_reads_and_deletes_its_own_queue_only() {
    let cfn = transformed();
    let resources = cfn["Resources"].as_object().unwrap();
    // No role gets an account-wide SQS policy (SAM's AWSLambdaSQSQueueExecutionRole: Resource "*").
    for (id, role) in resources.iter().filter(|(_, r)| r["Type"] == "AWS::IAM::Role") {
        for arn in as_list(&role["Properties"]["ManagedPolicyArns"]) {
            assert!(!arn.to_string().contains("SQS"), "{id} has the managed policy {arn}");
        }
    }
    // Whoever may consume a queue is granted it by name, never on `*` or with a wildcard action.
    let mut consumers: BTreeSet<(String, String)> = BTreeSet::new();
    for (role, statement) in role_statements(cfn) {
        let actions: Vec<String> =
            as_list(&statement["Action"]).iter().filter_map(|a| a.as_str().map(str::to_owned)).collect();
        assert!(!actions.iter().any(|a| a.starts_with("sqs:") && a.contains('*')), "{role}: {actions:?}");
        if actions.iter().any(|a| CONSUME.contains(&a.as_str())) {
            for resource in as_list(&statement["Resource"]) {
                let queue = queue_named_by(resource).unwrap_or_else(|| panic!("{role} consumes {resource}"));
                consumers.insert((role.clone(), queue));
            }
        }
    }
    // Each event source's function may consume exactly its queue, and its concurrency is bounded.
    let mut expected = BTreeSet::new();
    for (id, mapping) in resources.iter().filter(|(_, r)| r["Type"] == "AWS::Lambda::EventSourceMapping") {
        let props = &mapping["Properties"];
        let function = props["FunctionName"]["Ref"].as_str().unwrap_or_else(|| panic!("{id}: FunctionName"));
        let role = get_att_target(&resources[function]["Properties"]["Role"]).expect("the function's role");
        let queue = get_att_target(&props["EventSourceArn"]).unwrap_or_else(|| panic!("{id}: EventSourceArn"));
        expected.insert((role, queue));
        assert!(!props["ScalingConfig"]["MaximumConcurrency"].is_null(), "{id}: ScalingConfig.MaximumConcurrency");
    }
    assert!(expected.len() >= 6, "the template's queue consumers: {expected:?}");
    assert_eq!(consumers, expected, "who may receive and delete the messages of which queue");
}

/// Whether a role's statements allow `secretsmanager:GetSecretValue` on secret `secret` (by
/// `Ref`, or through SAM's `AWSSecretsManagerGetSecretValuePolicy`).
fn may_read_secret(cfn: &Value, role: &str, secret: &str) -> bool {
    role_statements(cfn).into_iter().any(|(id, statement)| {
        id == role
            && as_list(&statement["Action"]).iter().any(|a| *a == "secretsmanager:GetSecretValue")
            && as_list(&statement["Resource"])
                .iter()
                .any(|r| r["Ref"] == secret || r["Fn::Sub"][1]["secretArn"]["Ref"] == secret)
    })
}

#[test]
fn keys_are_read_from_secrets_manager_by_the_functions_that_need_them_never_from_the_environment() {
    let cfn = transformed();
    let resources = cfn["Resources"].as_object().unwrap();
    let mut readers = 0;
    for (id, function) in resources.iter().filter(|(_, r)| r["Type"] == "AWS::Lambda::Function") {
        let role = get_att_target(&function["Properties"]["Role"]).expect("the function's role");
        for (var, value) in function["Properties"]["Environment"]["Variables"].as_object().into_iter().flatten() {
            assert!(
                !value.to_string().contains("resolve:secretsmanager"),
                "{id}: {var} resolves a secret into plaintext"
            );
            if var.ends_with("_SECRET_ARN") {
                let secret = value["Ref"].as_str().unwrap_or_else(|| panic!("{id}: {var} is a Ref to a secret"));
                assert!(may_read_secret(cfn, &role, secret), "{id} may not read {secret} ({var})");
                readers += 1;
            }
        }
    }
    assert!(readers >= 10, "the listing functions and alerts' link signers read their keys: {readers}");
}

#[test]
fn price_observations_name_their_producers_and_the_marketplace_budget_is_watched() {
    let t = template();
    // Only the worker's role and the named producers may publish observations.
    let policy = t
        .resources("AWS::SQS::QueuePolicy")
        .find(|(_, p)| p["Properties"]["Queues"] == json!([{"Ref": "PriceObservationsQueue"}]))
        .map(|(_, p)| p.clone())
        .expect("a policy on PriceObservationsQueue");
    let statement = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        (&statement["Effect"], &statement["Principal"], &statement["Action"]),
        (&json!("Deny"), &json!("*"), &json!("sqs:SendMessage"))
    );
    let producers = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"].to_string();
    assert!(
        producers.contains("AlertsWorkerFunctionRole") && producers.contains("AlertsObservationProducerArns"),
        "{producers}"
    );
    // The worker signs them, the recorder checks: both have the key; the recorder knows the hosts.
    for (function, vars) in [
        (
            "AlertsWorkerFunction",
            &[
                "ALERTS_OBSERVATIONS_KEY_SECRET_ARN",
                "ALERTS_MARKETPLACE_DAILY_BUDGET",
                "ALERTS_MARKETPLACE_USER_DAILY_SHARE",
            ][..],
        ),
        ("AlertsRecorderFunction", &["ALERTS_OBSERVATIONS_KEY_SECRET_ARN", "ALERTS_MARKETPLACE_HOSTS"][..]),
        ("AlertsCreateAlertFunction", &["ALERTS_CREATE_QUOTA_PER_DAY"][..]),
    ] {
        let env = &t.resource(function).unwrap()["Properties"]["Environment"]["Variables"];
        for var in vars {
            assert!(env.get(*var).is_some(), "{function}: {var}");
        }
    }
    // Alarms on the marketplace's 429s and on 80 % of the day's budget, notifying the topic.
    let table = json!({"Ref": "AlertsTable"});
    assert_eq!(alarms_on("PriceAlerts", "MarketplaceThrottled", "AlertsTable", &table), 1);
    let budget = t.resources("AWS::CloudWatch::Alarm").filter(|(_, a)| {
        let p = &a["Properties"];
        p["Namespace"] == "PriceAlerts"
            && p["MetricName"] == "MarketplaceBudgetUsedPercent"
            && p["Threshold"] == 80
            && p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
            && notifies_the_topic(a)
    });
    assert_eq!(budget.count(), 1);
    assert_eq!(t.parameter_default("AlertsMarketplaceDailyBudget").as_deref(), Some("4000"));
    assert_eq!(t.parameter_default("AlertsMarketplaceUserDailyShare").as_deref(), Some("200"));
    assert_eq!(t.parameter_default("AlertsCreateQuotaPerDay").as_deref(), Some("100"));
}

#[test]
fn every_function_with_idempotent_routes_seals_their_answers_with_the_server_secret() {
    // The routes the description marks idempotent (they take the Idempotency-Key header).
    let description: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(workspace().join("api/openapi.yaml")).unwrap()).unwrap();
    let mut binaries = BTreeSet::new();
    for methods in description["paths"].as_object().unwrap().values() {
        for operation in methods.as_object().into_iter().flatten().map(|(_, op)| op) {
            let idempotent = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey");
            if idempotent {
                // `walkin-next-get` is walkin-next's second route.
                let id = operation["operationId"].as_str().unwrap();
                binaries.insert(id.strip_suffix("-get").unwrap_or(id).to_owned());
            }
        }
    }
    assert!(binaries.len() >= 5, "{binaries:?}");
    for f in template().functions().unwrap() {
        if binaries.remove(&f.binary) {
            let reference = f.environment.get("IDEMPOTENCY_SEALING_KEY_SECRET_ARN");
            assert_eq!(reference, Some(&json!({"Ref": "IdempotencySealingKey"})), "{}", f.binary);
        }
    }
    assert!(binaries.is_empty(), "idempotent routes without a function: {binaries:?}");
}
