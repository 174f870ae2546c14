//! `balise kb`: the knowledge base of an organisation's web pages and FAQ, used to answer a
//! question with a link. `kb import` indexes a folder of HTML pages or a JSON Lines
//! file; `kb search` shows which pages a question finds. The index and the French analyser
//! live in the `search` crate; this file resolves the index folder, calls, and prints.

use crate::config::{Overrides, Settings};
use anyhow::Context;
use domain::entities::OrganisationId;
use search::{Hit, ImportReport, KnowledgeBase, knowledge_base_dir};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// L'organisation dont la base de connaissances est utilisée par défaut.
const DEFAULT_ORGANISATION: &str = "mamh";

/// Code de sortie d'un import terminé dont certains enregistrements ont été refusés.
const EXIT_SOME_RECORDS_REFUSED: u8 = 2;

/// Gérer la base de connaissances (pages Web et FAQ de l'organisation) qui sert à répondre
/// avec un lien.
#[derive(Debug, clap::Args)]
pub struct KbArgs {
    #[command(subcommand)]
    pub command: KbCommand,
}

/// Ce qui est fait avec la base de connaissances.
#[derive(Debug, clap::Subcommand)]
pub enum KbCommand {
    /// Indexer un dossier de pages HTML ou un fichier JSON Lines de {url, title, text} ; une
    /// page déjà présente (même adresse) est remplacée. Code de sortie 2 si des
    /// enregistrements ont été refusés (les autres sont indexés).
    Import(KbImportArgs),
    /// Chercher les pages qui répondent le mieux à une question.
    Search(KbSearchArgs),
}

/// Où se trouve la base de connaissances.
#[derive(Debug, clap::Args)]
pub struct KbLocationArgs {
    /// Organisation dont la base est utilisée (identifiant, p. ex. mamh).
    #[arg(long, value_name = "ID", default_value = DEFAULT_ORGANISATION)]
    pub organisation: String,
    /// Dossier des données ; la base est dans DOSSIER/kb/ORGANISATION (défaut : ./data ;
    /// variable BALISE_DATA_DIR).
    #[arg(long, value_name = "DOSSIER")]
    pub data_dir: Option<PathBuf>,
    /// Fichier de configuration TOML (variable BALISE_CONFIG).
    #[arg(long, value_name = "FICHIER")]
    pub config: Option<PathBuf>,
}

/// Arguments de `balise kb import`.
#[derive(Debug, clap::Args)]
pub struct KbImportArgs {
    /// Dossier de pages HTML (.html, .htm, sous-dossiers compris) ou fichier .jsonl.
    #[arg(value_name = "CHEMIN")]
    pub path: PathBuf,
    #[command(flatten)]
    pub location: KbLocationArgs,
}

/// Arguments de `balise kb search`.
#[derive(Debug, clap::Args)]
pub struct KbSearchArgs {
    /// La question, telle qu'une citoyenne ou un citoyen l'écrirait.
    #[arg(value_name = "QUESTION")]
    pub question: String,
    /// Nombre maximal de pages affichées.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub limit: usize,
    /// Afficher les résultats en JSON (url, title, score, coverage, snippet).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: KbLocationArgs,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "kb",
        "Manage the knowledge base (the organisation's web pages and FAQ) used to answer with a link",
    ),
    (
        "kb import",
        "Index a folder of HTML pages or a JSON Lines file of {url, title, text}; a page already present (same address) is replaced. Exit code 2 if some records were refused (the others are indexed)",
    ),
    (
        "kb import.path",
        "Folder of HTML pages (.html, .htm, subfolders included) or .jsonl file",
    ),
    (
        "kb import.organisation",
        "Organisation whose knowledge base is used (id, e.g. mamh)",
    ),
    (
        "kb import.data_dir",
        "Data directory; the knowledge base is in DIR/kb/ORGANISATION (default: ./data; env BALISE_DATA_DIR)",
    ),
    (
        "kb import.config",
        "TOML configuration file (env BALISE_CONFIG)",
    ),
    ("kb search", "Find the pages that best answer a question"),
    (
        "kb search.question",
        "The question, as a citizen would write it",
    ),
    ("kb search.limit", "Maximum number of pages shown"),
    (
        "kb search.json",
        "Print the results as JSON (url, title, score, coverage, snippet)",
    ),
    (
        "kb search.organisation",
        "Organisation whose knowledge base is used (id, e.g. mamh)",
    ),
    (
        "kb search.data_dir",
        "Data directory; the knowledge base is in DIR/kb/ORGANISATION (default: ./data; env BALISE_DATA_DIR)",
    ),
    (
        "kb search.config",
        "TOML configuration file (env BALISE_CONFIG)",
    ),
];

pub fn run(args: KbArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        KbCommand::Import(args) => run_import(args),
        KbCommand::Search(args) => run_search(args),
    }
}

/// The index folder: `<data dir>/kb/<organisation>`, with the data directory resolved
/// like `balise serve` does, so both read and write the same index.
fn knowledge_base_location(location: KbLocationArgs) -> anyhow::Result<(OrganisationId, PathBuf)> {
    let organisation = OrganisationId::parse(&location.organisation)
        .with_context(|| format!("organisation « {} »", location.organisation))?;
    let settings = Settings::load(Overrides {
        config_file: location.config,
        data_dir: location.data_dir,
        ..Overrides::default()
    })?;
    let dir = knowledge_base_dir(&settings.data_dir, organisation.as_str());
    Ok((organisation, dir))
}

/// What the import reads, decided from the path.
enum ImportSource {
    HtmlFolder,
    JsonLines,
}

fn import_source(path: &Path) -> anyhow::Result<ImportSource> {
    let metadata =
        std::fs::metadata(path).with_context(|| format!("lecture de {}", path.display()))?;
    if metadata.is_dir() {
        return Ok(ImportSource::HtmlFolder);
    }
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("jsonl" | "ndjson" | "jsonlines") => Ok(ImportSource::JsonLines),
        _ => anyhow::bail!(
            "{} : format non reconnu ; attendu un dossier de pages HTML ou un fichier .jsonl",
            path.display()
        ),
    }
}

fn run_import(args: KbImportArgs) -> anyhow::Result<ExitCode> {
    let source = import_source(&args.path)?;
    let (organisation, dir) = knowledge_base_location(args.location)?;
    let knowledge_base = KnowledgeBase::open(&dir)
        .with_context(|| format!("ouverture de la base de connaissances {}", dir.display()))?;
    let report = match source {
        ImportSource::HtmlFolder => knowledge_base.import_html_folder(&args.path),
        ImportSource::JsonLines => knowledge_base.import_jsonl(&args.path),
    }
    .with_context(|| format!("import de {}", args.path.display()))?;
    print_import_report(
        &args.path,
        &organisation,
        &dir,
        &report,
        knowledge_base.page_count(),
    );
    if report.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_SOME_RECORDS_REFUSED))
    }
}

fn print_import_report(
    path: &Path,
    organisation: &OrganisationId,
    dir: &Path,
    report: &ImportReport,
    page_count: u64,
) {
    for error in &report.errors {
        eprintln!("{} : {error}", path.display());
    }
    println!(
        "{} : {} page(s) indexée(s), dont {} remplacée(s) ; {} enregistrement(s) refusé(s).",
        path.display(),
        report.indexed,
        report.replaced,
        report.errors.len()
    );
    println!(
        "Base de connaissances de « {organisation} » ({}) : {page_count} page(s).",
        dir.display()
    );
}

fn run_search(args: KbSearchArgs) -> anyhow::Result<ExitCode> {
    let (organisation, dir) = knowledge_base_location(args.location)?;
    // Searching must not create an empty index as a side effect: a missing folder almost
    // always means a wrong organisation or data directory.
    if !dir.is_dir() {
        anyhow::bail!(
            "aucune base de connaissances pour l'organisation « {organisation} » ({}) ; importez d'abord des pages avec « balise kb import »",
            dir.display()
        );
    }
    let knowledge_base = KnowledgeBase::open(&dir)
        .with_context(|| format!("ouverture de la base de connaissances {}", dir.display()))?;
    let hits = knowledge_base
        .search(&args.question, args.limit)
        .context("recherche dans la base de connaissances")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits_to_json(&hits))?);
    } else if hits.is_empty() {
        println!("Aucune page trouvée.");
    } else {
        for (rank, hit) in hits.iter().enumerate() {
            println!(
                "{}. [score {:.2}, couverture {:.0} %] {}",
                rank + 1,
                hit.score,
                hit.coverage * 100.0,
                hit.title
            );
            println!("   {}", hit.url);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON shape of `kb search --json`, built by hand: `Hit` is the library's type, this
/// is the command's output contract.
fn hits_to_json(hits: &[Hit]) -> serde_json::Value {
    serde_json::Value::Array(
        hits.iter()
            .map(|hit| {
                serde_json::json!({
                    "url": hit.url,
                    "title": hit.title,
                    "score": hit.score,
                    "coverage": hit.coverage,
                    "snippet": hit.snippet,
                })
            })
            .collect(),
    )
}
