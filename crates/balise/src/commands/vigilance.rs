//! `balise vigilance start|stop|list`: the organisation's vigilance periods (crisis,
//! campaign, event; R-03, S2 §8.1), during which deadlines run every day in the profile's
//! extended window and urgent cases are paged outside office hours. The store records and
//! audits them; this file parses, calls and prints.

use std::process::ExitCode;

use domain::respondents::check_reason;
use jiff::Timestamp;

use super::respondents::{actor, open_store, organisation_id, timestamp, StoreOptions};

/// Démarrer, arrêter ou lister les périodes de vigilance (crise, campagne, événement).
#[derive(Debug, clap::Args)]
pub struct VigilanceArgs {
    #[command(subcommand)]
    pub action: VigilanceCommand,
}

/// Ce qui est fait des périodes de vigilance.
#[derive(Debug, clap::Subcommand)]
pub enum VigilanceCommand {
    /// Démarrer une période de vigilance (une seule à la fois).
    Start(VigilanceStartArgs),
    /// Arrêter la période de vigilance en cours.
    Stop(VigilanceStopArgs),
    /// Lister les périodes de vigilance.
    List(VigilanceListArgs),
}

/// Arguments de `balise vigilance start`.
#[derive(Debug, clap::Args)]
pub struct VigilanceStartArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Motif (crise, campagne, événement…).
    #[arg(long, value_name = "TEXTE")]
    pub reason: String,
    /// Début (RFC 3339) ; par défaut, maintenant.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise vigilance stop`.
#[derive(Debug, clap::Args)]
pub struct VigilanceStopArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Fin (RFC 3339) ; par défaut, maintenant.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise vigilance list`.
#[derive(Debug, clap::Args)]
pub struct VigilanceListArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("vigilance", "Start, stop or list vigilance periods (crisis, campaign, event)"),
    ("vigilance start", "Start a vigilance period (one at a time)"),
    ("vigilance start.organisation", "Organisation id"),
    ("vigilance start.reason", "Reason (crisis, campaign, event…)"),
    ("vigilance start.at", "Start (RFC 3339); now by default"),
    ("vigilance stop", "Stop the running vigilance period"),
    ("vigilance stop.organisation", "Organisation id"),
    ("vigilance stop.at", "End (RFC 3339); now by default"),
    ("vigilance list", "List the vigilance periods"),
    ("vigilance list.organisation", "Organisation id"),
    ("vigilance *.database", "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory"),
    ("vigilance *.data_dir", "Data directory, where the default SQLite file lives"),
    ("vigilance *.by", "Login of the person making the change (written to the audit log); the command line by default"),
];

fn at_or_now(at: Option<&str>) -> anyhow::Result<Timestamp> {
    at.map_or_else(|| Ok(Timestamp::now()), |text| timestamp("--at", text))
}

pub async fn run(args: VigilanceArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        VigilanceCommand::Start(start) => {
            let reason = check_reason(&start.reason)?;
            let store = open_store(&start.store).await?;
            let organisation = organisation_id(&start.organisation)?;
            let record = store
                .start_vigilance(&actor(&start.store)?, &organisation, at_or_now(start.at.as_deref())?, reason)
                .await
                .map_err(|error| match error {
                    store::StoreError::AlreadyExists { .. } => {
                        anyhow::anyhow!("une période de vigilance est déjà en cours pour « {organisation} » ; arrêtez-la d'abord")
                    }
                    other => other.into(),
                })?;
            println!("vigilance n° {} démarrée le {} : {}", record.id, record.start, record.reason);
        }
        VigilanceCommand::Stop(stop) => {
            let store = open_store(&stop.store).await?;
            let organisation = organisation_id(&stop.organisation)?;
            match store.stop_vigilance(&actor(&stop.store)?, &organisation, at_or_now(stop.at.as_deref())?).await? {
                Some(record) => println!("vigilance n° {} arrêtée", record.id),
                None => {
                    eprintln!("aucune période de vigilance en cours pour « {organisation} »");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        VigilanceCommand::List(list) => {
            let store = open_store(&list.store).await?;
            let organisation = organisation_id(&list.organisation)?;
            for record in store.list_vigilance(&organisation).await? {
                let end = record.end.map_or_else(|| "en cours".to_owned(), |end| end.to_string());
                println!("n° {} | {} | {} | {} | {}", record.id, record.start, end, record.reason, record.started_by);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
