//! SMS through Amazon SNS: `Publish` straight to a phone number (E.164), as a transactional
//! message. The account's SMS settings (monthly spend limit, default type) come from the
//! template.

use aws_sdk_sns::{
    error::{ProvideErrorMetadata, SdkError},
    types::MessageAttributeValue,
};

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// Throttled, unreachable, failing on its side: the same SMS may go later.
    #[error("the SMS service is unavailable: {0}")]
    Unavailable(String),
    /// Refused for what it is (an invalid number, an opted-out phone, the spend limit reached):
    /// sending it again would be refused again.
    #[error("the SMS service refused the message: {0}")]
    Rejected(String),
}

/// SNS errors that no retry fixes.
const REJECTED: &[&str] = &[
    "InvalidParameter",
    "InvalidParameterValue",
    "AuthorizationError",
    "OptedOut",
    "KMSDisabled",
    "ValidationException",
];

pub struct Sms {
    sns: aws_sdk_sns::Client,
    /// The most one message may cost, in USD (`AWS.SNS.SMS.MaxPrice`); SNS's default without.
    max_price: Option<String>,
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, SmsError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|err| SmsError::Rejected(err.to_string()))
}

impl Sms {
    pub fn new(sns: aws_sdk_sns::Client, max_price: Option<String>) -> Self {
        Self { sns, max_price }
    }

    /// Sends `text` to `to` (E.164); the SNS message id. Errors carry SNS's code, never the
    /// number (personal data).
    pub async fn send(&self, to: &str, text: &str) -> Result<String, SmsError> {
        let mut publish = self
            .sns
            .publish()
            .phone_number(to)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SMSType", string_attribute("Transactional")?);
        if let Some(max_price) = &self.max_price {
            publish = publish.message_attributes("AWS.SNS.SMS.MaxPrice", string_attribute(max_price)?);
        }
        let sent = publish.send().await;
        match sent {
            Ok(output) => Ok(output.message_id.unwrap_or_default()),
            Err(SdkError::ServiceError(service)) => {
                let code = service.err().code().unwrap_or("Unknown").to_owned();
                if REJECTED.contains(&code.as_str()) {
                    Err(SmsError::Rejected(code))
                } else {
                    Err(SmsError::Unavailable(code))
                }
            }
            Err(err) => Err(SmsError::Unavailable(kind_of(&err).to_owned())),
        }
    }
}

/// What went wrong with a request that got no service answer, without its details (which may
/// quote the request).
fn kind_of<E, R>(err: &SdkError<E, R>) -> &'static str {
    match err {
        SdkError::ConstructionFailure(_) => "the request could not be built",
        SdkError::TimeoutError(_) => "timed out",
        SdkError::DispatchFailure(_) => "unreachable",
        SdkError::ResponseError(_) => "an unreadable answer",
        _ => "failed",
    }
}
