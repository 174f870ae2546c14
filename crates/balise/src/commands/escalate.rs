//! `balise escalate`: one pass of the deadline notifications for an organisation (warnings
//! before a stage's deadline, breaches escalated to the managers, urgent pages during
//! vigilance), the same routine `balise serve` runs periodically:
//! `notify::run_escalation`. The relay comes from `BALISE_SMTP_*` (see `notify::config`).

use std::process::ExitCode;

use jiff::{SignedDuration, Timestamp};
use notify::plan::EscalationRules;
use notify::{run_escalation, Mailer, SmtpConfig};

use super::respondents::{actor, open_store, organisation_id, timestamp, StoreOptions};

/// Vérifier une fois les échéances d'un organisme : avertissements avant échéance,
/// dépassements signalés aux gestionnaires, cas urgents en période de vigilance.
#[derive(Debug, clap::Args)]
pub struct EscalateArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Instant de la vérification (RFC 3339) ; par défaut, maintenant.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Afficher ce qui serait envoyé, sans rien envoyer ni inscrire.
    #[arg(long)]
    pub dry_run: bool,
    /// Minutes ouvrables avant l'échéance où l'avertissement part.
    #[arg(long, value_name = "MINUTES", default_value_t = 30)]
    pub warning_minutes: u32,
    #[command(flatten)]
    pub store: StoreOptions,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "escalate",
        "Check an organisation's deadlines once: warnings before a deadline, breaches escalated to the managers, urgent cases during vigilance",
    ),
    ("escalate.organisation", "Organisation id"),
    ("escalate.at", "Instant of the check (RFC 3339); now by default"),
    ("escalate.dry_run", "Show what would be sent, without sending or recording anything"),
    ("escalate.warning_minutes", "Business minutes before the deadline when the warning goes out"),
    ("escalate.database", "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory"),
    ("escalate.data_dir", "Data directory, where the default SQLite file lives"),
    ("escalate.by", "Login recorded in the audit log; the command line by default"),
];

pub async fn run(args: EscalateArgs) -> anyhow::Result<ExitCode> {
    let at = match &args.at {
        Some(text) => timestamp("--at", text)?,
        None => Timestamp::now(),
    };
    let config = SmtpConfig::from_env()?;
    let mailer = config.as_ref().map(Mailer::new).transpose()?;
    if mailer.is_none() && !args.dry_run {
        eprintln!("avis : aucun relais SMTP configuré (BALISE_SMTP_HOST) ; rien ne sera envoyé");
    }
    let store = open_store(&args.store).await?;
    let organisation = organisation_id(&args.organisation)?;
    let rules = EscalationRules { warning_before: SignedDuration::from_mins(i64::from(args.warning_minutes)) };
    let report = run_escalation(&store, &actor(&args.store)?, &organisation, at, mailer.as_ref(), rules, args.dry_run).await?;
    for transfer in &report.transfers {
        println!("transfert : dossier n° {} vers l'utilisateur {}", transfer.case_id, transfer.to);
    }
    for due in &report.due {
        println!(
            "{} : dossier n° {} étape {} (échéance {}) -> {}",
            due.kind.code(),
            due.case_id,
            due.stage,
            due.due,
            if due.recipients.is_empty() { "aucun destinataire".to_owned() } else { due.recipients.join(", ") }
        );
    }
    for (due, reason) in &report.failed {
        eprintln!("échec : dossier n° {} étape {} : {reason}", due.case_id, due.stage);
    }
    println!(
        "{} dû(s), {} envoyé(s), {} sans destinataire, {} en échec{}",
        report.due.len(),
        report.sent.len(),
        report.unaddressed.len(),
        report.failed.len(),
        if args.dry_run { " (simulation)" } else { "" }
    );
    Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
