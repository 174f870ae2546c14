//! `balise eval moderation`: measures the moderation engine on a labelled set (the
//! project's JSON Lines sets or the MLMA CSV) and prints precision, recall and F1 per
//! category, breach recall, the false-positive rate on acceptable comments and urgent
//! recall. The reading of labels and the arithmetic live in `moderation::eval`; this file
//! reads the file, runs the engine and prints.

use anyhow::Context;
use moderation::eval::{self, CaseLineError, Confusion, EvalCase, Evaluation, Fraction};
use moderation::{Category, Engine, Policy, UrgentKind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Mesurer la qualité d'un composant sur un jeu de données étiqueté.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub target: EvalTarget,
}

/// Ce qui est mesuré.
#[derive(Debug, clap::Subcommand)]
pub enum EvalTarget {
    /// Mesurer la modération : précision, rappel et F1 par catégorie, rappel des infractions,
    /// taux de faux positifs sur les commentaires acceptables et rappel des cas urgents.
    Moderation(EvalModerationArgs),
}

/// Arguments de `balise eval moderation`.
#[derive(Debug, clap::Args)]
pub struct EvalModerationArgs {
    /// Fichier étiqueté : JSON Lines du projet ou CSV MLMA.
    #[arg(value_name = "FICHIER")]
    pub file: PathBuf,
    /// Profil d'organisation (identifiant de préréglage ou chemin) dont la politique de
    /// modération est appliquée ; par défaut, toutes les catégories sont activées.
    #[arg(long, value_name = "ID|CHEMIN")]
    pub profile: Option<String>,
    /// Format du fichier : jsonl ou mlma (défaut : mlma pour un fichier .csv, sinon jsonl).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<EvalFormat>,
    /// Afficher les résultats en JSON plutôt qu'en tableau.
    #[arg(long)]
    pub json: bool,
    /// Lister aussi chaque message mal classé (attendu -> obtenu).
    #[arg(long)]
    pub mistakes: bool,
}

/// Format du fichier étiqueté.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    // No doc comments on the variants: clap would print them untranslated in English help.
    Jsonl,
    Mlma,
}

impl EvalFormat {
    fn id(self) -> &'static str {
        match self {
            EvalFormat::Jsonl => "jsonl",
            EvalFormat::Mlma => "mlma",
        }
    }
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "eval",
        "Measure the quality of a component on a labelled data set",
    ),
    (
        "eval moderation",
        "Measure moderation: precision, recall and F1 per category, breach recall, false-positive rate on acceptable comments, urgent recall",
    ),
    (
        "eval moderation.file",
        "Labelled file: the project's JSON Lines or the MLMA CSV",
    ),
    (
        "eval moderation.profile",
        "Organisation profile (preset id or path) whose moderation policy is applied; by default every category is enabled",
    ),
    (
        "eval moderation.format",
        "File format: jsonl or mlma (default: mlma for a .csv file, else jsonl)",
    ),
    (
        "eval moderation.json",
        "Print the results as JSON instead of a table",
    ),
    (
        "eval moderation.mistakes",
        "Also list every misclassified message (expected -> got)",
    ),
];

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    match args.target {
        EvalTarget::Moderation(args) => run_moderation(args),
    }
}

fn run_moderation(args: EvalModerationArgs) -> anyhow::Result<ExitCode> {
    let format = args
        .format
        .unwrap_or_else(|| format_from_extension(&args.file));
    let (cases, errors) = match format {
        EvalFormat::Jsonl => {
            let source = std::fs::read_to_string(&args.file)
                .with_context(|| format!("lecture de {}", args.file.display()))?;
            eval::parse_cases(&source)
        }
        EvalFormat::Mlma => read_mlma(&args.file)?,
    };
    for error in &errors {
        let field = error
            .field
            .as_deref()
            .map(|field| format!(", champ « {field} »"))
            .unwrap_or_default();
        eprintln!(
            "{} : ligne {}{field} ignorée : {}",
            args.file.display(),
            error.line,
            error.message
        );
    }
    if cases.is_empty() {
        anyhow::bail!("{} : aucun message étiqueté lisible", args.file.display());
    }
    let (policy, policy_name) = evaluation_policy(args.profile.as_deref())?;
    let engine = Engine::new();
    let evaluation = eval::evaluate(&cases, |message, history| {
        engine.moderate(&policy, message, history)
    });

    if args.json {
        let report = json_report(
            &args.file,
            format,
            &policy_name,
            &evaluation,
            errors.len(),
            args.mistakes,
        );
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Évaluation de la modération : {} (format {}, politique {}, {} messages)",
            args.file.display(),
            format.id(),
            policy_name,
            evaluation.scores.messages()
        );
        println!();
        print!("{}", evaluation.scores.render_table());
        if args.mistakes && !evaluation.mistakes.is_empty() {
            println!();
            print!("{}", evaluation.render_mistakes());
        }
    }
    // Malformed lines were skipped, so the figures are not those of the whole file.
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn format_from_extension(path: &Path) -> EvalFormat {
    let is_csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    if is_csv {
        EvalFormat::Mlma
    } else {
        EvalFormat::Jsonl
    }
}

/// The policy the engine is measured under: a profile's own, or every category enabled
/// with the strictest hide rule when none is given.
fn evaluation_policy(profile: Option<&str>) -> anyhow::Result<(Policy, String)> {
    match profile {
        None => Ok((
            eval::all_categories_policy(),
            "toutes-catégories".to_owned(),
        )),
        Some(id_or_path) => {
            let profile = domain::profile::Profile::resolve(id_or_path)
                .with_context(|| format!("chargement du profil {id_or_path}"))?;
            Ok((profile.moderation_policy(), id_or_path.to_owned()))
        }
    }
}

/// Reads the MLMA CSV (columns `HITId`, `tweet`, `sentiment`, …). A record that cannot be
/// read is reported with its line and skipped.
fn read_mlma(path: &Path) -> anyhow::Result<(Vec<EvalCase>, Vec<CaseLineError>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("lecture de {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{} : en-tête CSV illisible", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.trim() == name)
            .with_context(|| {
                format!(
                    "{} : colonne « {name} » absente de l'en-tête",
                    path.display()
                )
            })
    };
    let (id_column, text_column, sentiment_column) =
        (column("HITId")?, column("tweet")?, column("sentiment")?);
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error
                    .position()
                    .map_or(0, |position| position.line() as usize);
                errors.push(CaseLineError {
                    line,
                    field: None,
                    message: error.to_string(),
                });
                continue;
            }
        };
        let line = record
            .position()
            .map_or(0, |position| position.line() as usize);
        let field = |index: usize, name: &str| {
            record.get(index).ok_or_else(|| CaseLineError {
                line,
                field: Some(name.to_owned()),
                message: "missing".to_owned(),
            })
        };
        let parsed: Result<EvalCase, CaseLineError> = (|| {
            let id = field(id_column, "HITId")?;
            let text = field(text_column, "tweet")?;
            let sentiment = field(sentiment_column, "sentiment")?;
            let expected =
                eval::labels_from_mlma_sentiment(sentiment).map_err(|message| CaseLineError {
                    line,
                    field: Some("sentiment".to_owned()),
                    message,
                })?;
            Ok(EvalCase {
                id: format!("mlma-{id}"),
                text: text.to_owned(),
                author: None,
                account: None,
                thread: None,
                created_at: None,
                expected,
                trap: None,
                note: None,
            })
        })();
        match parsed {
            Ok(case) => cases.push(case),
            Err(error) => errors.push(error),
        }
    }
    Ok((cases, errors))
}

fn json_fraction(fraction: Fraction) -> serde_json::Value {
    serde_json::json!({ "value": fraction.value(), "count": fraction.count, "total": fraction.total })
}

fn json_confusion(name: &str, confusion: Confusion) -> serde_json::Value {
    serde_json::json!({
        "id": name,
        "support": confusion.support(),
        "true_positives": confusion.true_positives,
        "false_positives": confusion.false_positives,
        "false_negatives": confusion.false_negatives,
        "precision": confusion.precision(),
        "recall": confusion.recall(),
        "f1": confusion.f1(),
    })
}

fn json_report(
    file: &Path,
    format: EvalFormat,
    policy_name: &str,
    evaluation: &Evaluation,
    malformed_lines: usize,
    with_mistakes: bool,
) -> serde_json::Value {
    let scores = &evaluation.scores;
    let categories: Vec<serde_json::Value> = Category::ALL
        .into_iter()
        .map(|category| json_confusion(category.id(), scores.category(category)))
        .collect();
    let urgent: Vec<serde_json::Value> = UrgentKind::ALL
        .into_iter()
        .map(|kind| json_confusion(kind.id(), scores.urgent(kind)))
        .collect();
    let mut report = serde_json::json!({
        "file": file.display().to_string(),
        "format": format.id(),
        "policy": policy_name,
        "messages": scores.messages(),
        "malformed_lines": malformed_lines,
        "breach_recall": json_fraction(scores.breach_recall()),
        "false_positive_rate": json_fraction(scores.false_positive_rate()),
        "urgent_recall": json_fraction(scores.urgent_recall()),
        "exact_match": json_fraction(scores.exact_match()),
        "categories": categories,
        "urgent": urgent,
    });
    if with_mistakes {
        let mistakes: Vec<serde_json::Value> = evaluation
            .mistakes
            .iter()
            .map(|mistake| {
                serde_json::json!({
                    "id": mistake.id,
                    "text": mistake.text,
                    "expected": mistake.expected.to_string(),
                    "predicted": mistake.predicted.to_string(),
                    "trap": mistake.trap,
                })
            })
            .collect();
        report["mistakes"] = serde_json::Value::Array(mistakes);
    }
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::io::Write;

    fn csv_file(content: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        file.write_all(content.as_bytes()).unwrap();
        file
    }

    #[test]
    fn reads_mlma_rows_and_reports_bad_ones_by_line() {
        let file = csv_file(concat!(
            "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n",
            "1,\"bonjour, tout le monde\",normal,indirect,indifference,other,other\n",
            "2,\"sur deux\nlignes\",offensive_normal,direct,shock,other,individual\n",
            "3,texte,angry,direct,shock,other,other\n",
            "4,peur,fearful,direct,fear,origin,other\n",
        ));
        let (cases, errors) = read_mlma(file.path()).unwrap();
        let ids: Vec<&str> = cases.iter().map(|case| case.id.as_str()).collect();
        assert_eq!(ids, ["mlma-1", "mlma-2", "mlma-4"]);
        assert!(cases[0].expected.is_acceptable());
        assert_eq!(cases[0].text, "bonjour, tout le monde");
        assert_eq!(cases[1].text, "sur deux\nlignes");
        assert_eq!(cases[1].expected.categories, [Category::Abusive]);
        assert_eq!(cases[2].expected.categories, [Category::Hateful]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 5, "{}", errors[0]);
        assert_eq!(errors[0].field.as_deref(), Some("sentiment"));
    }

    #[test]
    fn a_csv_without_the_mlma_columns_is_refused_with_the_column_name() {
        let file = csv_file("id,text\n1,bonjour\n");
        let error = read_mlma(file.path()).unwrap_err().to_string();
        assert!(error.contains("HITId"), "{error}");
    }

    #[test]
    fn the_format_follows_the_extension_unless_given() {
        assert_eq!(
            format_from_extension(Path::new("fr_dataset.CSV")),
            EvalFormat::Mlma
        );
        assert_eq!(
            format_from_extension(Path::new("quebec.jsonl")),
            EvalFormat::Jsonl
        );
        assert_eq!(
            format_from_extension(Path::new("sans-extension")),
            EvalFormat::Jsonl
        );
    }

    #[test]
    fn the_default_policy_enables_every_category_and_a_profile_is_resolved() {
        let (policy, name) = evaluation_policy(None).unwrap();
        assert_eq!(policy.clauses.len(), Category::ALL.len());
        assert_eq!(name, "toutes-catégories");
        let (mamh, name) = evaluation_policy(Some("mamh")).unwrap();
        assert_eq!(name, "mamh");
        assert!(!mamh.clauses.is_empty());
        assert!(evaluation_policy(Some("/no/such/profile.toml")).is_err());
    }
}
