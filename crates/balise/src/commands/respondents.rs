//! `balise respondents`: the list of sectoral respondents and substitutes —
//! show it, export it as CSV for the intranet, designate, record and cancel absences, and
//! set the e-mail addresses notifications go to. The logic is in `store::respondents` and
//! `domain::respondents`; this file parses, calls and prints. `open_store` and `actor`
//! are shared with the `vigilance` and `escalate` commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use domain::audit::{Actor, Attribution};
use domain::entities::{Login, OrganisationId, UserId};
use domain::profile::Profile;
use domain::respondents::{csv_line, is_absent, Designation, Period, SectorId, UnitId};
use jiff::Timestamp;
use store::Store;

/// Gérer les répondants sectoriels, leurs substituts et leurs absences.
#[derive(Debug, clap::Args)]
pub struct RespondentsArgs {
    #[command(subcommand)]
    pub action: RespondentsCommand,
}

/// Où se trouve la base de données et au nom de qui on agit.
#[derive(Debug, clap::Args)]
pub struct StoreOptions {
    /// Base de données : sqlite://CHEMIN, un chemin de fichier ou postgres://… ; par défaut,
    /// le fichier SQLite du répertoire de données.
    #[arg(long, value_name = "URL", env = "BALISE_DATABASE_URL")]
    pub database: Option<String>,
    /// Répertoire de données, où se trouve le fichier SQLite par défaut.
    #[arg(long, value_name = "RÉPERTOIRE", env = "BALISE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Identifiant de la personne qui fait le changement (inscrit au journal d'audit) ; par
    /// défaut, la ligne de commande.
    #[arg(long = "by", value_name = "IDENTIFIANT")]
    pub by: Option<String>,
}

/// Ce qui est fait de la liste des répondants.
#[derive(Debug, clap::Subcommand)]
pub enum RespondentsCommand {
    /// Afficher les répondants et substituts par secteur et unité, avec les absences en cours.
    List(ListArgs),
    /// Exporter la liste en CSV pour l'intranet.
    Export(ExportArgs),
    /// Désigner le répondant (et le substitut) d'une unité administrative.
    Designate(DesignateArgs),
    /// Inscrire ou annuler une absence.
    Absence(AbsenceArgs),
    /// Indiquer l'adresse de courriel d'un destinataire des avis d'échéance.
    Address(AddressArgs),
}

/// Arguments de `balise respondents list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise respondents export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Fichier CSV à écrire ; par défaut, la sortie standard.
    #[arg(long, value_name = "FICHIER")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise respondents designate`.
#[derive(Debug, clap::Args)]
pub struct DesignateArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Unité administrative (lettres minuscules, chiffres, « - », « _ », « . »).
    #[arg(long, value_name = "UNITÉ")]
    pub unit: String,
    /// Secteur du profil auquel l'unité appartient.
    #[arg(long, value_name = "SECTEUR")]
    pub sector: String,
    /// Identifiant du répondant sectoriel.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub respondent: String,
    /// Identifiant du substitut.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub substitute: Option<String>,
    /// Remplacer la désignation existante de l'unité (sinon, une seconde désignation est refusée).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise respondents absence`.
#[derive(Debug, clap::Args)]
pub struct AbsenceArgs {
    #[command(subcommand)]
    pub action: AbsenceCommand,
}

/// Inscrire ou annuler une absence.
#[derive(Debug, clap::Subcommand)]
pub enum AbsenceCommand {
    /// Inscrire une absence (prévue ou non) : le substitut prend le relais pendant la période.
    Record(AbsenceRecordArgs),
    /// Annuler une absence inscrite.
    Cancel(AbsenceCancelArgs),
}

/// Arguments de `balise respondents absence record`.
#[derive(Debug, clap::Args)]
pub struct AbsenceRecordArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Identifiant de la personne absente.
    #[arg(long, value_name = "IDENTIFIANT")]
    pub user: String,
    /// Début de l'absence (RFC 3339, p. ex. 2026-07-06T08:30:00-04:00).
    #[arg(long, value_name = "RFC3339")]
    pub start: String,
    /// Fin de l'absence (RFC 3339), exclue.
    #[arg(long, value_name = "RFC3339")]
    pub end: String,
    /// Motif.
    #[arg(long, value_name = "TEXTE", default_value = "absence")]
    pub reason: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise respondents absence cancel`.
#[derive(Debug, clap::Args)]
pub struct AbsenceCancelArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Numéro de l'absence (affiché par `list`).
    #[arg(long, value_name = "NUMÉRO")]
    pub id: i64,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise respondents address`.
#[derive(Debug, clap::Args)]
pub struct AddressArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Destinataire : communications_manager, sector_manager:SECTEUR, urgent ou user:IDENTIFIANT.
    #[arg(long, value_name = "DESTINATAIRE")]
    pub recipient: String,
    /// Adresse de courriel.
    #[arg(long, value_name = "COURRIEL")]
    pub email: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("respondents", "Manage sectoral respondents, their substitutes and their absences"),
    ("respondents list", "Show respondents and substitutes by sector and unit, with current absences"),
    ("respondents list.organisation", "Organisation id"),
    ("respondents export", "Export the list as CSV for the intranet"),
    ("respondents export.organisation", "Organisation id"),
    ("respondents export.output", "CSV file to write; standard output by default"),
    ("respondents designate", "Designate the respondent (and substitute) of an administrative unit"),
    ("respondents designate.organisation", "Organisation id"),
    ("respondents designate.unit", "Administrative unit (lowercase letters, digits, -, _, .)"),
    ("respondents designate.sector", "Sector of the profile the unit belongs to"),
    ("respondents designate.respondent", "Login of the sectoral respondent"),
    ("respondents designate.substitute", "Login of the substitute"),
    ("respondents designate.replace", "Replace the unit's existing designation (otherwise a second one is refused)"),
    ("respondents absence", "Record or cancel an absence"),
    ("respondents absence record", "Record an absence (planned or not): the substitute takes over during it"),
    ("respondents absence record.organisation", "Organisation id"),
    ("respondents absence record.user", "Login of the absent person"),
    ("respondents absence record.start", "Start of the absence (RFC 3339, e.g. 2026-07-06T08:30:00-04:00)"),
    ("respondents absence record.end", "End of the absence (RFC 3339), excluded"),
    ("respondents absence record.reason", "Reason"),
    ("respondents absence cancel", "Cancel a recorded absence"),
    ("respondents absence cancel.organisation", "Organisation id"),
    ("respondents absence cancel.id", "Absence number (shown by list)"),
    ("respondents address", "Set the e-mail address of a recipient of deadline notices"),
    ("respondents address.organisation", "Organisation id"),
    ("respondents address.recipient", "Recipient: communications_manager, sector_manager:SECTOR, urgent or user:LOGIN"),
    ("respondents address.email", "E-mail address"),
    ("respondents *.database", "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory"),
    ("respondents *.data_dir", "Data directory, where the default SQLite file lives"),
    ("respondents *.by", "Login of the person making the change (written to the audit log); the command line by default"),
];

/// Opens the store the options name.
pub(crate) async fn open_store(options: &StoreOptions) -> anyhow::Result<Store> {
    let url = store::resolve_database_url(options.database.as_deref(), Some(&options.data_dir));
    Store::connect(&url).await.context("ouverture de la base de données")
}

/// Who the audit log names for a change made from the command line.
pub(crate) fn actor(options: &StoreOptions) -> anyhow::Result<Attribution> {
    let actor = match &options.by {
        Some(login) => Actor::User(Login::parse(login).with_context(|| format!("--by : identifiant invalide « {login} »"))?),
        None => Actor::system("cli").context("acteur système")?,
    };
    Ok(Attribution::by(actor))
}

pub(crate) fn organisation_id(text: &str) -> anyhow::Result<OrganisationId> {
    OrganisationId::parse(text).with_context(|| format!("--organisation : identifiant invalide « {text} »"))
}

pub(crate) fn timestamp(option: &str, text: &str) -> anyhow::Result<Timestamp> {
    text.parse::<Timestamp>()
        .with_context(|| format!("{option} : date et heure RFC 3339 invalides « {text} » (p. ex. 2026-07-06T08:30:00-04:00)"))
}

async fn user_id(store: &Store, option: &str, login: &str) -> anyhow::Result<UserId> {
    let parsed = Login::parse(login).with_context(|| format!("{option} : identifiant invalide « {login} »"))?;
    let user = store
        .get_user_by_login(&parsed)
        .await?
        .with_context(|| format!("{option} : aucun utilisateur « {login} »"))?;
    Ok(user.id)
}

async fn profile_of(store: &Store, organisation: &OrganisationId) -> anyhow::Result<Profile> {
    let found = store
        .get_organisation(organisation)
        .await?
        .with_context(|| format!("l'organisme « {organisation} » n'existe pas"))?;
    Profile::resolve(found.profile_id.as_str()).map_err(|error| anyhow::anyhow!("profil « {} » : {error}", found.profile_id))
}

pub async fn run(args: RespondentsArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        RespondentsCommand::List(list) => {
            let rows = table(&list.store, &list.organisation).await?;
            for row in rows {
                println!("{}", row.join(" | "));
            }
        }
        RespondentsCommand::Export(export) => {
            let rows = table(&export.store, &export.organisation).await?;
            let mut text = csv_line(&["unité", "secteur", "répondant", "substitut", "absences en cours"]);
            for row in rows {
                text.push_str(&csv_line(&row));
            }
            match &export.output {
                Some(path) => std::fs::write(path, text).with_context(|| format!("écriture de {}", path.display()))?,
                None => print!("{text}"),
            }
        }
        RespondentsCommand::Designate(designate) => {
            let store = open_store(&designate.store).await?;
            let by = actor(&designate.store)?;
            let organisation = organisation_id(&designate.organisation)?;
            let profile = profile_of(&store, &organisation).await?;
            let unit = UnitId::parse(&designate.unit).context("--unit")?;
            let sector = SectorId::in_profile(&profile, &designate.sector).context("--sector")?;
            let respondent = user_id(&store, "--respondent", &designate.respondent).await?;
            let substitute = match &designate.substitute {
                Some(login) => Some(user_id(&store, "--substitute", login).await?),
                None => None,
            };
            let designation = if designate.replace {
                store.change_designation(&by, &organisation, &unit, Some(respondent), Some(substitute)).await?
            } else {
                let designation = Designation { organisation_id: organisation, unit, sector, respondent, substitute };
                store.designate_respondent(&by, &designation).await.map_err(|error| match error {
                    store::StoreError::AlreadyExists { .. } => anyhow::anyhow!(
                        "l'unité « {} » a déjà un répondant (au plus un par unité) ; utilisez --replace pour le remplacer",
                        designate.unit
                    ),
                    other => other.into(),
                })?
            };
            println!("unité {} : répondant {}", designation.unit, designate.respondent);
        }
        RespondentsCommand::Absence(AbsenceArgs { action: AbsenceCommand::Record(record) }) => {
            let store = open_store(&record.store).await?;
            let by = actor(&record.store)?;
            let organisation = organisation_id(&record.organisation)?;
            let user = user_id(&store, "--user", &record.user).await?;
            let period = Period::new(timestamp("--start", &record.start)?, timestamp("--end", &record.end)?)?;
            let absence = store.record_absence(&by, &organisation, user, period, &record.reason).await?;
            let moved = store.reassign_for_absences(&by, &organisation, Timestamp::now()).await?;
            println!("absence n° {} inscrite ; {} dossier(s) transféré(s)", absence.id, moved.len());
        }
        RespondentsCommand::Absence(AbsenceArgs { action: AbsenceCommand::Cancel(cancel) }) => {
            let store = open_store(&cancel.store).await?;
            let by = actor(&cancel.store)?;
            let organisation = organisation_id(&cancel.organisation)?;
            store.cancel_absence(&by, &organisation, cancel.id).await?;
            let moved = store.reassign_for_absences(&by, &organisation, Timestamp::now()).await?;
            println!("absence n° {} annulée ; {} dossier(s) transféré(s)", cancel.id, moved.len());
        }
        RespondentsCommand::Address(address) => {
            let store = open_store(&address.store).await?;
            let by = actor(&address.store)?;
            let organisation = organisation_id(&address.organisation)?;
            let recipient = address.recipient.trim();
            let known = recipient == "communications_manager"
                || recipient == "urgent"
                || recipient.strip_prefix("sector_manager:").is_some_and(|sector| !sector.is_empty())
                || recipient.strip_prefix("user:").is_some_and(|login| Login::parse(login).is_ok());
            anyhow::ensure!(
                known,
                "--recipient : « {recipient} » inconnu ; attendu communications_manager, sector_manager:SECTEUR, urgent ou user:IDENTIFIANT"
            );
            anyhow::ensure!(
                address.email.contains('@') && !address.email.contains(['\r', '\n', ',']),
                "--email : adresse invalide « {} »",
                address.email
            );
            store.set_notification_address(&by, &organisation, recipient, address.email.trim()).await?;
            println!("{recipient} : {}", address.email.trim());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows of the list: unit, sector name, respondent, substitute, current absences.
async fn table(options: &StoreOptions, organisation: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let store = open_store(options).await?;
    let organisation = organisation_id(organisation)?;
    let profile = profile_of(&store, &organisation).await?;
    let entries = store.list_respondents(&organisation).await?;
    let absences = store.list_absences(&organisation).await?;
    let now = Timestamp::now();
    let zone = profile.time_zone().clone();
    let mut rows = Vec::new();
    for entry in entries {
        let sector = profile
            .sectors()
            .iter()
            .find(|sector| sector.id == entry.designation.sector.as_str())
            .map_or_else(|| entry.designation.sector.to_string(), |sector| sector.name.clone());
        let person = |login: &Login, name: &str| format!("{name} ({login})");
        let mut current = Vec::new();
        for (user, login) in [(Some(entry.designation.respondent), Some(&entry.respondent_login)), (entry.designation.substitute, entry.substitute_login.as_ref())] {
            let (Some(user), Some(login)) = (user, login) else { continue };
            if !is_absent(user, &absences, now) {
                continue;
            }
            for absence in absences.iter().filter(|absence| absence.user == user && absence.period.contains(now)) {
                current.push(format!(
                    "n° {} : {login} absent jusqu'au {} ({})",
                    absence.id,
                    absence.period.end().to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M"),
                    absence.reason
                ));
            }
        }
        rows.push(vec![
            entry.designation.unit.to_string(),
            sector,
            person(&entry.respondent_login, &entry.respondent_name),
            match (&entry.substitute_login, &entry.substitute_name) {
                (Some(login), Some(name)) => person(login, name),
                _ => String::new(),
            },
            current.join(" ; "),
        ]);
    }
    Ok(rows)
}
