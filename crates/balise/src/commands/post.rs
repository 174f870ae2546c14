//! `balise post check`: checks a post's text against one network's rules and prints one JSON
//! object, `{"network", "length", "limit", "valid", "problems": [{"code", "message"}]}`, with
//! `length` counted the way that network counts it (for YouTube, the description in UTF-8
//! bytes). Exit status: 0 when the text is valid, 1 when it is not, 2 on bad input (unknown
//! network, unreadable file, text that is not UTF-8, a `--limit` that does not apply). The
//! rules live in the `publishing` crate; this file reads, calls and prints.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use publishing::{CheckOptions, MastodonLimit, MessageLanguage, Network, check_text};
use serde::Serialize;

use crate::locale::Locale;

/// Vérifier les publications avant de les planifier.
#[derive(Debug, clap::Args)]
pub struct PostArgs {
    #[command(subcommand)]
    pub command: PostCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PostCommand {
    /// Vérifier le texte d'une publication selon les règles d'un réseau : un objet JSON avec
    /// la longueur comptée comme le réseau la compte, la limite et les problèmes.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Réseau : x, bluesky, mastodon, linkedin, facebook, instagram ou youtube (pour youtube,
    /// le texte est la description, comptée en octets).
    #[arg(long, value_name = "RÉSEAU")]
    pub network: String,
    /// Fichier du texte (UTF-8) ; « - » pour l'entrée standard. Un saut de ligne final est
    /// ignoré.
    #[arg(long, value_name = "CHEMIN|-", default_value = "-")]
    pub file: String,
    /// Limite du serveur Mastodon, en caractères (500 par défaut) ; seulement avec mastodon.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Ne pas signaler un texte qui n'est pas en français (variante anglaise d'un organisme
    /// bilingue).
    #[arg(long)]
    pub no_language_check: bool,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("post", "Check posts before they are scheduled"),
    (
        "post check",
        "Check a post's text against a network's rules: one JSON object with the length counted as the network counts it, the limit and the problems",
    ),
    (
        "post check.network",
        "Network: x, bluesky, mastodon, linkedin, facebook, instagram or youtube (for youtube the text is the description, counted in bytes)",
    ),
    (
        "post check.file",
        "Text file (UTF-8); \"-\" for standard input. One final line break is ignored",
    ),
    (
        "post check.limit",
        "The Mastodon server's limit, in characters (default 500); only with mastodon",
    ),
    (
        "post check.no_language_check",
        "Do not flag a text that is not in French (a bilingual organisation's English variant)",
    ),
];

/// Bad input: exit status 2 with a message in the person's language.
struct BadInput {
    french: String,
    english: String,
}

#[derive(Serialize)]
struct OutputCheck<'a> {
    network: &'static str,
    length: usize,
    limit: usize,
    valid: bool,
    problems: Vec<OutputProblem<'a>>,
}

#[derive(Serialize)]
struct OutputProblem<'a> {
    code: &'static str,
    message: &'a str,
}

fn locale() -> Locale {
    let args: Vec<String> = std::env::args().collect();
    Locale::detect(&args)
}

pub async fn run(args: PostArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        PostCommand::Check(check) => run_check(&check),
    }
}

fn run_check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let locale = locale();
    let outcome = prepare(args);
    let (network, options, text) = match outcome {
        Ok(prepared) => prepared,
        Err(bad) => {
            match locale {
                Locale::French => eprintln!("erreur : {}", bad.french),
                Locale::English => eprintln!("error: {}", bad.english),
            }
            return Ok(ExitCode::from(2));
        }
    };
    let check = check_text(network, &text, &options);
    let language = match locale {
        Locale::French => MessageLanguage::French,
        Locale::English => MessageLanguage::English,
    };
    let output = OutputCheck {
        network: network.id(),
        length: check.length,
        limit: check.limit,
        valid: check.valid(),
        problems: check
            .problems
            .iter()
            .map(|problem| OutputProblem {
                code: problem.code.id(),
                message: problem.message(language),
            })
            .collect(),
    };
    let mut stdout = io::stdout().lock();
    serde_json::to_writer(&mut stdout, &output)?;
    writeln!(stdout)?;
    Ok(if check.valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn prepare(args: &CheckArgs) -> Result<(Network, CheckOptions, String), BadInput> {
    let network: Network = args
        .network
        .parse()
        .map_err(|error: publishing::UnknownNetwork| BadInput {
            french: error.message_fr(),
            english: error.message_en(),
        })?;
    let mut options = CheckOptions {
        require_french: !args.no_language_check,
        ..CheckOptions::default()
    };
    if let Some(limit) = args.limit {
        if network != Network::Mastodon {
            return Err(BadInput {
                french: format!("--limit ne s'applique qu'à mastodon (réseau demandé : {network})"),
                english: format!("--limit applies to mastodon only (network given: {network})"),
            });
        }
        options.mastodon_limit = MastodonLimit::new(limit).map_err(|_| BadInput {
            french: "--limit doit être d'au moins 1 caractère".to_owned(),
            english: "--limit must be at least 1 character".to_owned(),
        })?;
    }
    let text = read_text(&args.file)?;
    Ok((network, options, text))
}

/// Reads the whole text, refusing anything that is not UTF-8 with the byte offset of the
/// first bad byte. A leading byte-order mark and one final line break belong to the file,
/// not to the post, and are left out.
fn read_text(file: &str) -> Result<String, BadInput> {
    let (bytes, name_fr, name_en) = if file == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|error| BadInput {
                french: format!("lecture de l'entrée standard : {error}"),
                english: format!("reading standard input: {error}"),
            })?;
        (
            bytes,
            "l'entrée standard".to_owned(),
            "standard input".to_owned(),
        )
    } else {
        let bytes = std::fs::read(file).map_err(|error| BadInput {
            french: format!("lecture du fichier « {file} » : {error}"),
            english: format!("reading file `{file}`: {error}"),
        })?;
        (
            bytes,
            format!("le fichier « {file} »"),
            format!("file `{file}`"),
        )
    };
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        BadInput {
            french: format!("{name_fr} n'est pas en UTF-8 valide (octet {offset})"),
            english: format!("{name_en} is not valid UTF-8 (byte {offset})"),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text
        .strip_suffix('\n')
        .map(|rest| rest.strip_suffix('\r').unwrap_or(rest))
        .unwrap_or(text);
    Ok(text.to_owned())
}
