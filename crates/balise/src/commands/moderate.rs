//! `balise moderate`: runs the netiquette moderation engine over a file of messages (JSON
//! Lines or CSV) and writes one JSON verdict per message, in the same order. Messages are
//! judged in order; `repeated` is judged against the earlier messages of the same run. A
//! malformed line is reported on stderr with its line number, the others are still judged,
//! and the exit code is then non-zero. The moderation itself lives in the `moderation`
//! crate; the policy comes from the organisation's profile (`domain::profile`).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use moderation::{Engine, EvidenceKind, History, Message, Policy, PriorMessage, Verdict};
use serde::{Deserialize, Serialize};

/// How many earlier messages of the run are kept to judge `repeated`. A run of many
/// thousands of messages stays linear; repeats further apart than this are not caught.
const HISTORY_LIMIT: usize = 5_000;

/// Modérer des messages selon la nétiquette d'un profil : une ligne JSON de verdict par
/// message, dans le même ordre.
#[derive(Debug, clap::Args)]
pub struct ModerateArgs {
    /// Profil d'organisation : identifiant de préréglage (mamh, mess, mtrav, baie-comeau,
    /// opeq) ou chemin d'un fichier de profil.
    #[arg(long, value_name = "ID|CHEMIN", default_value = "mamh")]
    pub profile: String,
    /// Fichier des messages (JSON Lines, ou CSV si l'extension est .csv) ; « - » pour
    /// l'entrée standard.
    #[arg(long, value_name = "CHEMIN|-", default_value = "-")]
    pub input: String,
    /// Fichier des verdicts (JSON Lines) ; « - » pour la sortie standard.
    #[arg(long, value_name = "CHEMIN|-", default_value = "-")]
    pub output: String,
    /// Format de l'entrée : jsonl ou csv (par défaut : csv pour un fichier .csv, sinon jsonl).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<InputFormat>,
}

/// Format des messages en entrée.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Un objet JSON par ligne : id, text, author, account, thread, created_at.
    Jsonl,
    /// CSV avec une ligne d'en-tête portant les mêmes noms de colonnes.
    Csv,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "moderate",
        "Moderate messages against a profile's netiquette: one JSON verdict line per message, in the same order",
    ),
    (
        "moderate.profile",
        "Organisation profile: a preset id (mamh, mess, mtrav, baie-comeau, opeq) or the path of a profile file",
    ),
    (
        "moderate.input",
        "Messages file (JSON Lines, or CSV when the extension is .csv); \"-\" for standard input",
    ),
    ("moderate.output", "Verdicts file (JSON Lines); \"-\" for standard output"),
    (
        "moderate.format",
        "Input format: jsonl or csv (default: csv for a .csv file, jsonl otherwise)",
    ),
];

/// One input message, as written in the file.
#[derive(Debug, Deserialize)]
struct InputMessage {
    id: String,
    text: String,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    thread: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

/// One output line.
#[derive(Debug, Serialize)]
struct OutputVerdict<'a> {
    id: &'a str,
    action: &'static str,
    categories: Vec<&'static str>,
    urgent: Option<&'static str>,
    clauses: &'a [String],
    evidence: Vec<OutputEvidence<'a>>,
    language: &'static str,
    explanation: &'a str,
}

#[derive(Debug, Serialize)]
struct OutputEvidence<'a> {
    category: &'static str,
    start: usize,
    end: usize,
    text: &'a str,
}

impl<'a> OutputVerdict<'a> {
    fn new(id: &'a str, verdict: &'a Verdict) -> Self {
        OutputVerdict {
            id,
            action: verdict.action.id(),
            categories: verdict.categories.iter().map(|category| category.id()).collect(),
            urgent: verdict.urgent.map(|kind| kind.id()),
            clauses: &verdict.clauses,
            evidence: verdict
                .evidence
                .iter()
                .map(|evidence| OutputEvidence {
                    category: match evidence.category {
                        EvidenceKind::Category(category) => category.id(),
                        EvidenceKind::Urgent(kind) => kind.id(),
                    },
                    start: evidence.start,
                    end: evidence.end,
                    text: &evidence.matched,
                })
                .collect(),
            language: verdict.language,
            explanation: &verdict.explanation,
        }
    }
}

/// A line that could not be judged, with where it is.
#[derive(Debug)]
struct LineError {
    line: u64,
    reason: String,
}

/// Resolves the profile and returns its moderation policy.
fn load_policy(profile: &str) -> anyhow::Result<Policy> {
    let profile = domain::profile::Profile::resolve(profile)
        .with_context(|| format!("profil « {profile} » introuvable ou invalide"))?;
    Ok(profile.moderation_policy())
}

fn parse_timestamp(value: &str) -> Result<i64, String> {
    value
        .parse::<jiff::Timestamp>()
        .map(|timestamp| timestamp.as_second())
        .map_err(|error| format!("champ « created_at » : date RFC 3339 invalide « {value} » ({error})"))
}

fn into_message(input: InputMessage) -> Result<Message, String> {
    let created_at = match input.created_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => Some(parse_timestamp(value)?),
    };
    let non_empty = |value: Option<String>| value.filter(|text| !text.trim().is_empty());
    Ok(Message {
        id: input.id,
        text: input.text,
        author: non_empty(input.author),
        account: non_empty(input.account),
        thread: non_empty(input.thread),
        created_at,
    })
}

/// Judges messages in order, keeping the earlier ones as the history of the run.
struct Run<'a> {
    engine: Engine,
    policy: Policy,
    history: VecDeque<PriorMessage>,
    output: &'a mut dyn Write,
    errors: Vec<LineError>,
}

impl Run<'_> {
    fn judge(&mut self, message: Message) -> anyhow::Result<()> {
        let history = History { messages: self.history.iter().cloned().collect() };
        let verdict = self.engine.moderate(&self.policy, &message, &history);
        let line = serde_json::to_string(&OutputVerdict::new(&message.id, &verdict))
            .context("écriture du verdict en JSON")?;
        writeln!(self.output, "{line}").context("écriture de la sortie")?;
        if self.history.len() == HISTORY_LIMIT {
            self.history.pop_front();
        }
        self.history.push_back(PriorMessage {
            author: message.author,
            account: message.account,
            text: message.text,
            created_at: message.created_at,
        });
        Ok(())
    }

    fn fail(&mut self, line: u64, reason: String) {
        self.errors.push(LineError { line, reason });
    }

    fn read_jsonl(&mut self, reader: impl BufRead) -> anyhow::Result<()> {
        for (index, line) in reader.lines().enumerate() {
            let line_number = index as u64 + 1;
            let line = match line {
                Ok(line) => line,
                Err(error) => {
                    self.fail(line_number, format!("lecture impossible ({error})"));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<InputMessage>(&line)
                .map_err(|error| format!("JSON invalide : {error}"))
                .and_then(into_message);
            match parsed {
                Ok(message) => self.judge(message)?,
                Err(reason) => self.fail(line_number, reason),
            }
        }
        Ok(())
    }

    fn read_csv(&mut self, reader: impl Read) -> anyhow::Result<()> {
        let mut csv_reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = match csv_reader.headers() {
            Ok(headers) => headers.clone(),
            Err(error) => {
                self.fail(1, format!("en-tête CSV illisible ({error})"));
                return Ok(());
            }
        };
        for record in csv_reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line_number = error.position().map_or(0, |position| position.line());
                    self.fail(line_number, format!("CSV invalide : {error}"));
                    continue;
                }
            };
            let line_number = record.position().map_or(0, |position| position.line());
            let parsed = record
                .deserialize::<InputMessage>(Some(&headers))
                .map_err(|error| format!("CSV invalide : {error}"))
                .and_then(into_message);
            match parsed {
                Ok(message) => self.judge(message)?,
                Err(reason) => self.fail(line_number, reason),
            }
        }
        Ok(())
    }
}

pub fn run(args: ModerateArgs) -> anyhow::Result<ExitCode> {
    let policy = load_policy(&args.profile)?;
    let format = args.format.unwrap_or_else(|| {
        let is_csv = Path::new(&args.input).extension().is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
        if is_csv { InputFormat::Csv } else { InputFormat::Jsonl }
    });

    let input: Box<dyn Read> = if args.input == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&args.input).with_context(|| format!("ouverture de « {} »", args.input))?)
    };
    let mut output: Box<dyn Write> = if args.output == "-" {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        Box::new(BufWriter::new(File::create(&args.output).with_context(|| format!("création de « {} »", args.output))?))
    };

    let mut run = Run { engine: Engine::new(), policy, history: VecDeque::new(), output: &mut output, errors: Vec::new() };
    match format {
        InputFormat::Jsonl => run.read_jsonl(BufReader::new(input))?,
        InputFormat::Csv => run.read_csv(input)?,
    }
    let errors = std::mem::take(&mut run.errors);
    output.flush().context("écriture de la sortie")?;

    if errors.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let source = if args.input == "-" { "entrée standard" } else { args.input.as_str() };
    for error in &errors {
        eprintln!("{source}, ligne {} : {}", error.line, error.reason);
    }
    eprintln!("{} ligne(s) n'ont pas pu être modérées.", errors.len());
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run_on(format: InputFormat, input: &str) -> (Vec<serde_json::Value>, Vec<LineError>) {
        let policy = load_policy("mamh").unwrap();
        let mut output: Vec<u8> = Vec::new();
        let mut run = Run { engine: Engine::new(), policy, history: VecDeque::new(), output: &mut output, errors: Vec::new() };
        match format {
            InputFormat::Jsonl => run.read_jsonl(input.as_bytes()).unwrap(),
            InputFormat::Csv => run.read_csv(input.as_bytes()).unwrap(),
        }
        let errors = std::mem::take(&mut run.errors);
        let lines = String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (lines, errors)
    }

    #[test]
    fn jsonl_in_order_with_malformed_lines_reported() {
        let input = concat!(
            r#"{"id": "a", "text": "Bonjour, quand ouvre le bureau?"}"#,
            "\n",
            "pas du json\n",
            r#"{"id": "b", "text": "Je vais te tuer", "author": "x"}"#,
            "\n",
            r#"{"id": "c", "text": "Tabarnak", "created_at": "hier"}"#,
            "\n",
        );
        let (lines, errors) = run_on(InputFormat::Jsonl, input);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["action"], "publish");
        assert_eq!(lines[0]["urgent"], serde_json::Value::Null);
        assert_eq!(lines[1]["id"], "b");
        assert_eq!(lines[1]["urgent"], "threat");
        assert_eq!(lines[1]["action"], "review");
        assert!(lines[1]["evidence"].as_array().unwrap().iter().any(|evidence| evidence["category"] == "threat"));
        assert_eq!(errors.iter().map(|error| error.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(errors[1].reason.contains("created_at"));
    }

    #[test]
    fn repeated_is_judged_against_earlier_lines() {
        let line = r#"{"id": "ID", "text": "Réparez la rue Principale, c'est dangereux pour les enfants!", "author": "jean", "account": "fb", "created_at": "2025-03-01T10:00:00Z"}"#;
        let input = format!("{}\n{}\n", line.replace("ID", "1"), line.replace("ID", "2"));
        let (lines, errors) = run_on(InputFormat::Jsonl, &input);
        assert!(errors.is_empty());
        assert_eq!(lines[0]["categories"], serde_json::json!([]));
        assert_eq!(lines[1]["categories"], serde_json::json!(["repeated"]));
        assert!(!lines[1]["clauses"].as_array().unwrap().is_empty());
    }

    #[test]
    fn csv_with_the_same_columns() {
        let input = "id,text,author\n1,\"Esti de gang de caves\",marie\n2,Merci beaucoup!,luc\n";
        let (lines, errors) = run_on(InputFormat::Csv, input);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["categories"], serde_json::json!(["abusive"]));
        // The evidence is the outermost offending phrase, which starts at the sacre.
        assert!(lines[0]["evidence"][0]["text"].as_str().unwrap().starts_with("Esti"));
        assert_eq!(lines[0]["evidence"][0]["start"], 0);
        assert_eq!(lines[1]["action"], "publish");
        assert_eq!(lines[1]["language"], "fr");
    }
}
