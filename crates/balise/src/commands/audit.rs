//! `balise audit verify`: walks the audit log's hash chain and names the first entry
//! that was altered, deleted or inserted. The walk is `store::Store::verify_audit_chain`;
//! this file resolves the database, calls it and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use domain::audit::AuditVerification;
use store::{DatabaseLocation, Store};

/// Vérifier le journal d'audit.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub action: AuditCommand,
}

/// Ce qui est fait du journal d'audit.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Vérifier la chaîne d'empreintes du journal d'audit et nommer la première entrée
    /// modifiée, supprimée ou insérée.
    Verify(AuditVerifyArgs),
}

/// Arguments de `balise audit verify`.
#[derive(Debug, clap::Args)]
pub struct AuditVerifyArgs {
    /// Base de données : sqlite://CHEMIN, un chemin de fichier ou postgres://… ; par défaut,
    /// le fichier SQLite du répertoire de données.
    #[arg(long, value_name = "URL", env = "BALISE_DATABASE_URL")]
    pub database: Option<String>,
    /// Répertoire de données, où se trouve le fichier SQLite par défaut.
    #[arg(long, value_name = "RÉPERTOIRE", env = "BALISE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("audit", "Check the audit log"),
    (
        "audit verify",
        "Check the audit log's hash chain and name the first entry that was altered, deleted or inserted",
    ),
    (
        "audit verify.database",
        "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory",
    ),
    (
        "audit verify.data_dir",
        "Data directory, where the default SQLite file lives",
    ),
];

pub async fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        AuditCommand::Verify(verify_args) => verify(verify_args).await,
    }
}

async fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let url = store::resolve_database_url(args.database.as_deref(), Some(&args.data_dir));
    // Verifying must not create an empty database where none was: that would report an
    // intact log for a mistyped path.
    if let DatabaseLocation::SqliteFile(path) = DatabaseLocation::parse(&url)? {
        anyhow::ensure!(path.exists(), "base de données introuvable : {}", path.display());
    }
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("ouverture de la base de données {}", redact_password(&url)))?;
    let verification = store.verify_audit_chain().await.context("lecture du journal d'audit")?;
    store.close().await;
    let (line, intact) = report(&verification);
    println!("{line}");
    Ok(if intact { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The line printed for a verification, and whether the chain is intact.
fn report(verification: &AuditVerification) -> (String, bool) {
    match verification {
        AuditVerification::Intact { entries } => {
            (format!("ok: {entries} entries verified ({entries} entrées vérifiées)"), true)
        }
        AuditVerification::Broken(chain_break) => (
            format!(
                "broken: entry {} {} — {}",
                chain_break.sequence, chain_break.kind, chain_break.detail
            ),
            false,
        ),
    }
}

/// A PostgreSQL URL without its password, for error messages.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.split_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use domain::audit::{Actor, Attribution, ChainBreak, ChainBreakKind};
    use domain::entities::{Organisation, OrganisationId, ProfileId};

    #[test]
    fn report_names_the_entry_and_the_reason() {
        let (line, intact) = report(&AuditVerification::Intact { entries: 12 });
        assert!(intact);
        assert!(line.starts_with("ok: 12 entries verified"));
        let (line, intact) = report(&AuditVerification::Broken(ChainBreak {
            sequence: 6,
            kind: ChainBreakKind::Altered,
            detail: "le contenu de l'entrée 6 ne correspond plus à son empreinte".into(),
        }));
        assert!(!intact);
        assert!(line.starts_with("broken: entry 6 altered"), "{line}");
    }

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact_password("postgres://balise:s3cret@db:5432/balise"), "postgres://balise:***@db:5432/balise");
        assert_eq!(redact_password("sqlite://data/balise.sqlite3"), "sqlite://data/balise.sqlite3");
    }

    #[tokio::test]
    async fn verify_exits_zero_on_an_intact_log_and_refuses_a_missing_file() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::connect(&store::default_database_url(directory.path())).await.unwrap();
        let organisation = Organisation {
            id: OrganisationId::parse("mamh").unwrap(),
            name: "MAMH".into(),
            profile_id: ProfileId::parse("mamh").unwrap(),
        };
        store
            .upsert_organisation(&Attribution::by(Actor::system("test").unwrap()), &organisation)
            .await
            .unwrap();
        store.close().await;
        let args = AuditVerifyArgs { database: None, data_dir: directory.path().to_owned() };
        assert_eq!(verify(args).await.unwrap(), ExitCode::SUCCESS);

        let empty = tempfile::tempdir().unwrap();
        let args = AuditVerifyArgs { database: None, data_dir: empty.path().to_owned() };
        assert!(verify(args).await.unwrap_err().to_string().contains("introuvable"));
        assert!(!empty.path().join(store::SQLITE_FILE_NAME).exists());
    }
}
