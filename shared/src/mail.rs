//! Email through SES v2, as raw MIME content: simple content would let SES build the message,
//! and the local endpoint drops the headers of simple content (`List-Unsubscribe` among them).
//! Each service composes its own messages; this module only sends them.

use aws_sdk_sesv2::{
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    primitives::Blob,
    types::{Destination, EmailContent, RawMessage},
};

/// A MIME message ready for SES raw content, and its recipient.
pub struct Email {
    /// The one recipient (`To`, and the SES destination).
    pub to: String,
    /// The whole message: headers and body, as `mail-builder` or any MIME writer produces it.
    pub raw: Vec<u8>,
}

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

/// An error message as it may be logged: SES names the addresses it refused ("identities failed
/// the check: someone@example.com"), and a recipient's address is personal data.
pub fn without_addresses(message: &str) -> String {
    message
        .split_inclusive(char::is_whitespace)
        .map(|word| {
            if word.contains('@') {
                if word.ends_with(char::is_whitespace) { "<address> " } else { "<address>" }
            } else {
                word
            }
        })
        .collect()
}

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
                Err(MailError::Rejected(without_addresses(&DisplayErrorContext(service.err()).to_string())))
            }
            Err(err) => Err(MailError::Unavailable(without_addresses(&DisplayErrorContext(&err).to_string()))),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_left_out_of_errors() {
        assert_eq!(
            super::without_addresses("Email address is not verified: someone@example.com, x@y.z (us-east-1)"),
            "Email address is not verified: <address> <address> (us-east-1)"
        );
    }
}
