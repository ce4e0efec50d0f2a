//! The `Custom::SnsSmsSettings` resource of the template: the account's SMS settings (monthly
//! spend limit, default message type), which CloudFormation has no resource for, set through SNS
//! `SetSMSAttributes` when the stack is created or updated. Deleting the stack leaves them (they
//! are the account's, and another stack may rely on them).

use serde::Deserialize;
use serde_json::{Value, json};

/// What CloudFormation sends a custom resource's function.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomResourceEvent {
    pub request_type: String,
    #[serde(rename = "ResponseURL")]
    pub response_url: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    #[serde(default)]
    pub resource_properties: Value,
}

/// The SNS SMS attributes the resource's properties ask for: only the ones SNS knows, as strings.
pub fn sms_attributes(properties: &Value) -> Vec<(String, String)> {
    ["MonthlySpendLimit", "DefaultSMSType", "DefaultSenderID"]
        .into_iter()
        .filter_map(|name| {
            let value = match properties.get(name)? {
                Value::String(s) if !s.is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((name.to_owned(), value))
        })
        .collect()
}

/// Applies the settings and answers CloudFormation at the event's pre-signed URL; a failure is
/// reported to CloudFormation (which rolls the stack back), never left unanswered.
pub async fn handle(sns: &aws_sdk_sns::Client, event: CustomResourceEvent) -> Result<(), shared::lambda::Error> {
    let outcome = match event.request_type.as_str() {
        "Create" | "Update" => {
            let mut request = sns.set_sms_attributes();
            for (name, value) in sms_attributes(&event.resource_properties) {
                request = request.attributes(name, value);
            }
            request.send().await.map(drop).map_err(|err| aws_sdk_sns::error::DisplayErrorContext(err).to_string())
        }
        _ => Ok(()),
    };
    if let Err(reason) = &outcome {
        tracing::error!(%reason, "the SMS settings could not be applied");
    }
    let body = json!({
        "Status": if outcome.is_ok() { "SUCCESS" } else { "FAILED" },
        "Reason": outcome.err().unwrap_or_else(|| "applied".to_owned()),
        "PhysicalResourceId": event.physical_resource_id.unwrap_or_else(|| "sns-sms-settings".to_owned()),
        "StackId": event.stack_id,
        "RequestId": event.request_id,
        "LogicalResourceId": event.logical_resource_id,
    });
    reqwest::Client::new()
        .put(&event.response_url)
        .header("content-type", "")
        .body(body.to_string())
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_known_sms_attributes_are_set() {
        let properties = json!({"ServiceToken": "arn:...", "MonthlySpendLimit": "10", "DefaultSMSType": "Transactional", "DefaultSenderID": ""});
        assert_eq!(
            sms_attributes(&properties),
            [
                ("MonthlySpendLimit".to_owned(), "10".to_owned()),
                ("DefaultSMSType".to_owned(), "Transactional".to_owned())
            ]
        );
        let event: CustomResourceEvent = serde_json::from_value(json!({
            "RequestType": "Create", "ResponseURL": "https://example.com/r", "StackId": "s", "RequestId": "r",
            "LogicalResourceId": "WalkinSmsSettings", "ResourceProperties": properties,
        }))
        .unwrap();
        assert_eq!((event.request_type.as_str(), event.physical_resource_id), ("Create", None));
    }
}
