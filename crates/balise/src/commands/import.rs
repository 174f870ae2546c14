//! `balise import FILE`: reads messages from a JSON Lines or CSV file as a stream, stores the
//! valid ones in durable batches, then moderates and triages them (issue 4 §1). The reading
//! and the pipeline are in the `pipeline` crate; this file opens the file and the store,
//! reports each refused record as `FILE:LINE: field: message` and prints the summary.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use domain::entities::OrganisationId;
use domain::profile::Profile;
use pipeline::reader::{CsvReader, Format, JsonLinesReader, ReadError, ReadRecord};
use pipeline::{IncomingMessage, Pipeline, RecordStatus};
use store::Store;

/// Importer des messages d'un fichier JSON Lines ou CSV : chaque enregistrement valide est
/// conservé, puis modéré et trié ; chaque enregistrement refusé est signalé avec sa ligne et
/// son champ.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Fichier à importer : JSON Lines (.jsonl) ou CSV (.csv) avec une ligne d'en-tête ; le
    /// format est deviné par l'extension, sinon par le contenu. Champs : network, account,
    /// external_id, thread, author, author_name, text, kind (comment, reply,
    /// private_message, mention), received_at (RFC 3339), automatic (facultatif).
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Organisme destinataire : les comptes encore inconnus lui sont rattachés. Sans cette
    /// option, les comptes doivent déjà exister et chaque préréglage sert d'organisme.
    #[arg(long, value_name = "ID", env = "BALISE_ORGANISATION")]
    pub organisation: Option<String>,
    /// Profil de l'organisme : identifiant de préréglage ou chemin d'un fichier TOML ; par
    /// défaut, le préréglage qui porte l'identifiant de l'organisme.
    #[arg(long, value_name = "PROFIL")]
    pub profile: Option<String>,
    /// Base de données : sqlite://CHEMIN, un chemin de fichier ou postgres://… ; par défaut,
    /// le fichier SQLite du répertoire de données.
    #[arg(long, value_name = "URL", env = "BALISE_DATABASE_URL")]
    pub database: Option<String>,
    /// Répertoire de données, où se trouve le fichier SQLite par défaut.
    #[arg(
        long,
        value_name = "RÉPERTOIRE",
        env = "BALISE_DATA_DIR",
        default_value = "data"
    )]
    pub data_dir: PathBuf,
    /// Base de connaissances (répertoire créé par `balise kb import`) pour proposer une page
    /// en réponse aux questions.
    #[arg(long, value_name = "RÉPERTOIRE")]
    pub kb: Option<PathBuf>,
    /// Nombre d'enregistrements par lot conservé (une transaction par lot).
    #[arg(long, value_name = "N", default_value_t = 5_000)]
    pub batch: usize,
    /// Conserver seulement, sans modérer ni trier : les messages restent en attente et
    /// seront traités au prochain `balise import` ou par le serveur.
    #[arg(long)]
    pub no_process: bool,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "import",
        "Import messages from a JSON Lines or CSV file: each valid record is kept, then moderated and triaged; each refused record is reported with its line and field",
    ),
    (
        "import.file",
        "File to import: JSON Lines (.jsonl) or CSV (.csv) with a header row; the format comes from the extension, else the content. Fields: network, account, external_id, thread, author, author_name, text, kind (comment, reply, private_message, mention), received_at (RFC 3339), automatic (optional)",
    ),
    (
        "import.organisation",
        "Receiving organisation: accounts not known yet are attached to it. Without it, accounts must exist and every preset serves as an organisation",
    ),
    (
        "import.profile",
        "The organisation's profile: a preset id or the path of a TOML file; by default the preset with the organisation's id",
    ),
    (
        "import.database",
        "Database: sqlite://PATH, a file path or postgres://…; by default the SQLite file in the data directory",
    ),
    (
        "import.data_dir",
        "Data directory, where the default SQLite file lives",
    ),
    (
        "import.kb",
        "Knowledge base (folder made by `balise kb import`) to propose a page answering questions",
    ),
    (
        "import.batch",
        "Records per stored batch (one transaction per batch)",
    ),
    (
        "import.no_process",
        "Store only, without moderating or triaging: the messages stay pending and are processed by the next `balise import` or by the server",
    ),
];

/// What the import did, for the summary.
#[derive(Debug, Default)]
struct Totals {
    read: u64,
    stored: u64,
    duplicates: u64,
    refused: u64,
    cases_opened: u64,
    not_cases: u64,
    processing_failures: u64,
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let file =
        File::open(&args.file).with_context(|| format!("ouverture de {}", args.file.display()))?;
    let file_size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    let mut input = BufReader::with_capacity(1 << 20, file);
    let format = Format::detect(&args.file, input.fill_buf().context("lecture du fichier")?);

    let organisations = organisations(&args)?;
    let default_organisation = args
        .organisation
        .as_deref()
        .map(OrganisationId::parse)
        .transpose()?;
    let url = store::resolve_database_url(args.database.as_deref(), Some(&args.data_dir));
    let store = Store::connect(&url)
        .await
        .context("ouverture de la base de données")?;
    let knowledge_base = match &args.kb {
        Some(dir) => Some(Arc::new(
            search::KnowledgeBase::open(dir).context("ouverture de la base de connaissances")?,
        )),
        None => None,
    };
    let mut pipeline = Pipeline::new(store.clone(), organisations, knowledge_base);
    if let Some(organisation) = default_organisation {
        pipeline = pipeline.with_default_organisation(organisation);
    }

    let progress = indicatif::ProgressBar::new(file_size);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {per_sec} reste {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // The bar draws only on a terminal; scripts and tests read the acknowledgement lines.
    let interactive = !progress.is_hidden();
    let name = args.file.display().to_string();
    let records: Box<dyn Iterator<Item = Result<ReadRecord, ReadError>>> = match format {
        Format::JsonLines => Box::new(JsonLinesReader::new(input)),
        Format::Csv => {
            let reader = CsvReader::new(input);
            if let Some(error) = reader.header_error() {
                eprintln!("{name}:1: {}: {}", field_label(&error.field), error.message);
                return Ok(ExitCode::from(2));
            }
            Box::new(reader)
        }
    };

    let mut totals = Totals::default();
    let batch_size = args.batch.max(1);
    let mut batch: Vec<IncomingMessage> = Vec::with_capacity(batch_size);
    let mut lines: Vec<u64> = Vec::with_capacity(batch_size);
    let stderr = std::io::stderr();
    for read in records {
        let read = read.with_context(|| format!("lecture de {name}"))?;
        totals.read += 1;
        progress.set_position(read.bytes_read);
        match read.record {
            Ok(record) => {
                batch.push(record);
                lines.push(read.line);
            }
            Err(error) => {
                totals.refused += 1;
                progress.suspend(|| {
                    let _ = writeln!(
                        stderr.lock(),
                        "{name}:{}: {}: {}",
                        read.line,
                        field_label(&error.field),
                        error.message
                    );
                });
            }
        }
        if batch.len() >= batch_size {
            flush(
                &pipeline,
                &name,
                &mut batch,
                &mut lines,
                &mut totals,
                &progress,
                interactive,
                args.no_process,
            )
            .await?;
        }
    }
    flush(
        &pipeline,
        &name,
        &mut batch,
        &mut lines,
        &mut totals,
        &progress,
        interactive,
        args.no_process,
    )
    .await?;
    if !args.no_process {
        let report = pipeline.process_all_pending().await?;
        add_processing(&mut totals, report);
    }
    progress.finish_and_clear();
    let pending = store.count_pending().await?;
    store.close().await;

    println!("Fichier : {name}");
    println!("Enregistrements lus : {}", totals.read);
    println!("Conservés : {}", totals.stored);
    println!("Doublons : {}", totals.duplicates);
    println!("Refusés : {}", totals.refused);
    println!("Dossiers ouverts : {}", totals.cases_opened);
    println!(
        "Mentions automatiques (sans dossier) : {}",
        totals.not_cases
    );
    if totals.processing_failures > 0 || pending > 0 {
        println!(
            "En attente de traitement : {pending} (échecs de traitement : {})",
            totals.processing_failures
        );
    }
    Ok(if totals.refused > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[allow(clippy::too_many_arguments)]
async fn flush(
    pipeline: &Pipeline,
    name: &str,
    batch: &mut Vec<IncomingMessage>,
    lines: &mut Vec<u64>,
    totals: &mut Totals,
    progress: &indicatif::ProgressBar,
    interactive: bool,
    no_process: bool,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let report = pipeline.ingest(std::mem::take(batch)).await?;
    let stderr = std::io::stderr();
    for (status, line) in report.results.iter().zip(lines.iter()) {
        match status {
            RecordStatus::Stored { .. } => totals.stored += 1,
            RecordStatus::Duplicate => totals.duplicates += 1,
            RecordStatus::Refused { error } => {
                totals.refused += 1;
                progress.suspend(|| {
                    let _ = writeln!(
                        stderr.lock(),
                        "{name}:{line}: {}: {}",
                        field_label(&error.field),
                        error.message
                    );
                });
            }
        }
    }
    // Everything up to this line is durable: the store committed it.
    if let Some(last) = lines.last()
        && !interactive
    {
        let _ = writeln!(stderr.lock(), "conservé jusqu'à la ligne {last}");
    }
    lines.clear();
    if !no_process {
        let processed = pipeline.process_pending(report.stored()).await?;
        add_processing(totals, processed);
    }
    Ok(())
}

fn add_processing(totals: &mut Totals, report: pipeline::ProcessReport) {
    totals.cases_opened += report.cases_opened as u64;
    totals.not_cases += report.not_cases as u64;
    totals.processing_failures += report.failed as u64;
}

fn field_label(field: &str) -> &str {
    if field.is_empty() {
        "enregistrement"
    } else {
        field
    }
}

fn organisations(args: &ImportArgs) -> anyhow::Result<Vec<(OrganisationId, Arc<Profile>)>> {
    match &args.organisation {
        Some(organisation) => {
            let id = OrganisationId::parse(organisation)?;
            let profile_name = args.profile.as_deref().unwrap_or(organisation);
            let profile = Profile::resolve(profile_name)
                .map_err(|error| anyhow::anyhow!("profil « {profile_name} » : {error}"))?;
            Ok(vec![(id, Arc::new(profile))])
        }
        None => Profile::preset_ids()
            .into_iter()
            .filter_map(|id| {
                Some((
                    OrganisationId::parse(id).ok()?,
                    Arc::new(Profile::preset(id)?),
                ))
            })
            .map(Ok)
            .collect(),
    }
}
