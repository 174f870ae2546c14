//! `balise editorial`: the editorial calendar from the command line — print the iCalendar or
//! the CSV (S2 Annexe 5's columns) of an organisation's calendar, and propose the variants of
//! a press release as JSON. The builders are `web::api_editorial`'s, so the files are
//! the same as the API's; this file parses, calls and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use domain::entities::OrganisationId;
use domain::profile::Profile;
use store::Store;
use store::editorial::EntryRange;

use super::respondents::{StoreOptions, open_store, organisation_id};

/// Calendrier de contenus : exports iCalendar et CSV, import d'un communiqué de presse.
#[derive(Debug, clap::Args)]
pub struct EditorialArgs {
    #[command(subcommand)]
    pub action: EditorialCommand,
}

/// Ce qui est fait du calendrier de contenus.
#[derive(Debug, clap::Subcommand)]
pub enum EditorialCommand {
    /// Afficher le calendrier de l'organisme au format iCalendar (RFC 5545).
    Ics(ExportArgs),
    /// Afficher le calendrier de l'organisme en CSV, avec les colonnes de l'annexe 5.
    Csv(ExportArgs),
    /// Proposer les variantes d'un communiqué de presse (titre sur X, chapeau sur Facebook), en JSON.
    ImportPressRelease(PressReleaseArgs),
}

/// Arguments de `balise editorial ics` et `balise editorial csv`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Adresse de Balise (p. ex. https://balise.exemple.qc.ca) : chaque événement renvoie alors à sa publication.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise editorial import-press-release`.
#[derive(Debug, clap::Args)]
pub struct PressReleaseArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Page HTML enregistrée du communiqué.
    #[arg(
        long,
        value_name = "FICHIER",
        required_unless_present = "text",
        conflicts_with = "text"
    )]
    pub html: Option<PathBuf>,
    /// Texte du communiqué (titre sur la première ligne, puis le chapeau).
    #[arg(long, value_name = "FICHIER")]
    pub text: Option<PathBuf>,
    /// Adresse du communiqué sur le fil de presse gouvernemental ou le site Web.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "editorial",
        "Editorial calendar: iCalendar and CSV exports, press release import",
    ),
    (
        "editorial ics",
        "Print the organisation's calendar as iCalendar (RFC 5545)",
    ),
    ("editorial ics.organisation", "Organisation id"),
    (
        "editorial ics.base_url",
        "Balise's address (e.g. https://balise.example.qc.ca): each event then links to its entry",
    ),
    (
        "editorial csv",
        "Print the organisation's calendar as CSV, with Annexe 5's columns",
    ),
    ("editorial csv.organisation", "Organisation id"),
    (
        "editorial csv.base_url",
        "Balise's address (unused by the CSV)",
    ),
    (
        "editorial import-press-release",
        "Propose a press release's variants (title on X, lead on Facebook), as JSON",
    ),
    (
        "editorial import-press-release.organisation",
        "Organisation id",
    ),
    (
        "editorial import-press-release.html",
        "Saved HTML page of the press release",
    ),
    (
        "editorial import-press-release.text",
        "Text of the press release (title on the first line, then the lead)",
    ),
    (
        "editorial import-press-release.url",
        "Address of the press release on the government newswire or the website",
    ),
    (
        "editorial *.database",
        "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory",
    ),
    (
        "editorial *.data_dir",
        "Data directory, where the default SQLite file lives",
    ),
    (
        "editorial *.by",
        "Login of the person making the change (written to the audit log); the command line by default",
    ),
];

async fn profile_of(store: &Store, organisation: &OrganisationId) -> anyhow::Result<Profile> {
    let found = store
        .get_organisation(organisation)
        .await?
        .with_context(|| format!("l'organisme « {organisation} » n'existe pas"))?;
    Profile::resolve(found.profile_id.as_str())
        .map_err(|error| anyhow::anyhow!("profil « {} » : {error}", found.profile_id))
}

async fn entries(
    args: &ExportArgs,
) -> anyhow::Result<(Profile, Vec<store::editorial::StoredEntry>)> {
    let store = open_store(&args.store).await?;
    let organisation = organisation_id(&args.organisation)?;
    let profile = profile_of(&store, &organisation).await?;
    let range = EntryRange {
        from: None,
        to: None,
        include_unscheduled: true,
    };
    let entries = store
        .list_entries(&organisation, &range)
        .await
        .context("lecture du calendrier")?;
    Ok((profile, entries))
}

pub async fn run(args: EditorialArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        EditorialCommand::Ics(export) => {
            let (profile, entries) = entries(&export).await?;
            print!(
                "{}",
                web::api_editorial::build_calendar_ics(
                    &profile,
                    &entries,
                    export.base_url.as_deref(),
                    jiff::Timestamp::now()
                )
            );
        }
        EditorialCommand::Csv(export) => {
            let (profile, entries) = entries(&export).await?;
            print!(
                "{}",
                web::api_editorial::build_calendar_csv(&profile, &entries)
            );
        }
        EditorialCommand::ImportPressRelease(import) => {
            organisation_id(&import.organisation)?;
            let read = |path: &PathBuf| {
                std::fs::read_to_string(path)
                    .with_context(|| format!("lecture de {}", path.display()))
            };
            let input = web::api_editorial::PressReleaseInput {
                html: import.html.as_ref().map(read).transpose()?,
                text: import.text.as_ref().map(read).transpose()?,
                url: import.url.clone(),
            };
            match web::api_editorial::press_release_variants(&input) {
                Ok(proposal) => println!("{}", serde_json::to_string_pretty(&proposal)?),
                Err(error) => {
                    eprintln!("{} ({})", error.message(), error.code());
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
