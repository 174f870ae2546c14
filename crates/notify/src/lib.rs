//! Notifications by e-mail through SMTP: deadline warnings, breaches escalated to managers,
//! urgent cases paged during vigilance (R-03, issue 4 §5).
//!
//! The decision of what is due at an instant ([`plan::due_notifications`]) is pure and
//! idempotent against what was already sent; [`escalation::run_escalation`] is the one
//! routine the server runs periodically and `balise escalate` runs once: it moves cases
//! whose respondent became absent, decides, composes the French messages ([`compose`]),
//! sends them through the configured relay ([`mailer`]) and records each one sent.

pub mod compose;
pub mod config;
pub mod escalation;
pub mod mailer;
pub mod plan;
pub mod referral;

pub use config::{SmtpConfig, SmtpSecurity};
pub use escalation::{run_escalation, EscalationReport};
pub use mailer::Mailer;

/// Everything the notification layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The SMTP configuration is incomplete or wrong.
    #[error("configuration SMTP invalide : {0}")]
    Config(String),
    /// An address (sender or recipient) is not a valid e-mail address.
    #[error("adresse de courriel invalide « {address} » : {reason}")]
    Address { address: String, reason: String },
    /// The message could not be built.
    #[error("courriel impossible à construire : {0}")]
    Build(String),
    /// The relay refused the message or could not be reached.
    #[error("envoi SMTP impossible : {0}")]
    Send(String),
    /// Deadline arithmetic failed.
    #[error(transparent)]
    BusinessTime(#[from] domain::business_time::BusinessTimeError),
    /// The profile has no first-response commitment.
    #[error(transparent)]
    Deadline(#[from] domain::deadlines::DeadlineError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl NotifyError {
    /// A stable snake_case code for the user-facing layers.
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::Config(_) => "smtp_config_invalid",
            NotifyError::Address { .. } => "email_address_invalid",
            NotifyError::Build(_) => "email_build_failed",
            NotifyError::Send(_) => "smtp_send_failed",
            NotifyError::BusinessTime(error) => error.code(),
            NotifyError::Deadline(error) => error.code(),
            NotifyError::Store(error) => error.code(),
        }
    }
}
