//! Sending through SES v2, as raw MIME content: simple content would let SES build the message,
//! and the local endpoint drops the headers of simple content (`List-Unsubscribe` among them).

use aws_sdk_sesv2::{
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    primitives::Blob,
    types::{Destination, EmailContent, RawMessage},
};

use crate::email::Email;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Throttled, unreachable, failing on its side: the same email may go later.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
    /// Refused for what it is (an unverified sender, a suppressed or malformed recipient):
    /// sending it again would be refused again.
    #[error("the mail service refused the email: {0}")]
    Rejected(String),
}

/// SES errors that no retry fixes.
const REJECTED: &[&str] =
    &["MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException"];

pub struct Mailer {
    ses: aws_sdk_sesv2::Client,
}

impl Mailer {
    pub fn new(ses: aws_sdk_sesv2::Client) -> Self {
        Self { ses }
    }

    /// Sends `email` from `from`; the SES message id.
    pub async fn send(&self, from: &str, email: &Email) -> Result<String, MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(email.raw.clone()))
            .build()
            .map_err(|err| MailError::Rejected(err.to_string()))?;
        let sent = self
            .ses
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await;
        match sent {
            Ok(output) => Ok(output.message_id.unwrap_or_default()),
            Err(SdkError::ServiceError(service)) if REJECTED.contains(&service.err().code().unwrap_or_default()) => {
                Err(MailError::Rejected(DisplayErrorContext(service.err()).to_string()))
            }
            Err(err) => Err(MailError::Unavailable(DisplayErrorContext(&err).to_string())),
        }
    }
}
