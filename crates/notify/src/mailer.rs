//! Sending through the configured SMTP relay with lettre (rustls, no OpenSSL). Messages are
//! plain text in UTF-8, quoted-printable; the subject and addresses are the only header
//! values, and none of them comes from a citizen.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::compose::ComposedEmail;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::NotifyError;

/// A connection pool to the relay and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

fn mailbox(address: &str) -> Result<Mailbox, NotifyError> {
    address
        .parse::<Mailbox>()
        .map_err(|error| NotifyError::Address { address: address.to_owned(), reason: error.to_string() })
}

impl Mailer {
    /// Prepares the transport; nothing connects until the first message.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, NotifyError> {
        let builder = match config.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str()),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|error| NotifyError::Config(error.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|error| NotifyError::Config(error.to_string()))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(std::time::Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Mailer { transport: builder.build(), from: mailbox(&config.from)?, public_url: config.public_url.clone() })
    }

    /// Balise's public address, for links.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Builds the message (exposed for tests of the headers).
    pub fn build(&self, email: &ComposedEmail) -> Result<Message, NotifyError> {
        let mut builder = Message::builder().from(self.from.clone()).subject(email.subject.clone());
        if email.recipients.is_empty() {
            return Err(NotifyError::Build("aucun destinataire".to_owned()));
        }
        for recipient in &email.recipients {
            builder = builder.to(mailbox(recipient)?);
        }
        let body = Body::new_with_encoding(email.body.clone(), ContentTransferEncoding::QuotedPrintable)
            .map_err(|_| NotifyError::Build("corps du message non encodable".to_owned()))?;
        builder
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(body))
            .map_err(|error| NotifyError::Build(error.to_string()))
    }

    /// Sends one e-mail; returns when the relay accepted it.
    pub async fn send(&self, email: &ComposedEmail) -> Result<(), NotifyError> {
        let message = self.build(email)?;
        self.transport.send(message).await.map_err(|error| NotifyError::Send(error.to_string()))?;
        Ok(())
    }
}
