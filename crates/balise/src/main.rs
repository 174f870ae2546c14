//! The `balise` binary: every command-line entry point of the product. Each subcommand lives
//! in its own module under `commands/`; this file only parses, localises and dispatches.

mod commands;
mod config;
mod demo;
mod locale;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use locale::Locale;
use std::collections::HashMap;
use std::process::ExitCode;

/// Balise : gestion des médias sociaux institutionnels des organismes publics québécois.
#[derive(Debug, Parser)]
#[command(name = "balise", version)]
struct Cli {
    /// Langue de l'interface : fr (défaut) ou en.
    #[arg(long = "lang", alias = "langue", global = true, value_name = "fr|en")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Serve(commands::serve::ServeArgs),
    Profile(commands::profile::ProfileArgs),
    Calendar(commands::calendar::CalendarArgs),
    Sla(commands::sla::SlaArgs),
    Audit(commands::audit::AuditArgs),
    Kb(commands::kb::KbArgs),
    Eval(commands::eval::EvalArgs),
    Import(commands::import::ImportArgs),
    Respondents(commands::respondents::RespondentsArgs),
    Vigilance(commands::vigilance::VigilanceArgs),
    Escalate(commands::escalate::EscalateArgs),
    Moderate(commands::moderate::ModerateArgs),
    Bench(commands::bench::BenchArgs),
    User(commands::user::UserArgs),
    Case(commands::case::CaseArgs),
    Post(commands::post::PostArgs),
    Editorial(commands::editorial::EditorialArgs),
}

const HELP_EN_ROOT: &[(&str, &str)] = &[
    ("balise.lang", "Interface language: fr (default) or en"),
];

fn english_help() -> HashMap<String, &'static str> {
    let tables: &[&[(&str, &str)]] = &[
        HELP_EN_ROOT,
        commands::serve::HELP_EN,
        commands::profile::HELP_EN,
        commands::calendar::HELP_EN,
        commands::sla::HELP_EN,
        commands::audit::HELP_EN,
        commands::kb::HELP_EN,
        commands::eval::HELP_EN,
        commands::import::HELP_EN,
        commands::respondents::HELP_EN,
        commands::vigilance::HELP_EN,
        commands::escalate::HELP_EN,
        commands::moderate::HELP_EN,
        commands::bench::HELP_EN,
        commands::user::HELP_EN,
        commands::case::HELP_EN,
        commands::post::HELP_EN,
        commands::editorial::HELP_EN,
    ];
    let mut english = HashMap::new();
    for table in tables {
        for (key, text) in *table {
            english.insert((*key).to_owned(), *text);
        }
    }
    english
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let locale = Locale::detect(&args);
    let about = match locale {
        Locale::French => "Balise : gestion des médias sociaux institutionnels des organismes publics québécois.",
        Locale::English => "Balise: institutional social media management for Quebec public bodies.",
    };
    let command = locale::localize(Cli::command().about(about), locale, &english_help());
    let matches = command.get_matches_from(&args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BALISE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    match dispatch(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => runtime()?.block_on(commands::serve::run(args)),
        Command::Profile(args) => commands::profile::run(args),
        Command::Calendar(args) => commands::calendar::run(args),
        Command::Sla(args) => commands::sla::run(args),
        Command::Audit(args) => runtime()?.block_on(commands::audit::run(args)),
        Command::Kb(args) => commands::kb::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Import(args) => runtime()?.block_on(commands::import::run(args)),
        Command::Respondents(args) => runtime()?.block_on(commands::respondents::run(args)),
        Command::Vigilance(args) => runtime()?.block_on(commands::vigilance::run(args)),
        Command::Escalate(args) => runtime()?.block_on(commands::escalate::run(args)),
        Command::Moderate(args) => commands::moderate::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::User(args) => runtime()?.block_on(commands::user::run(args)),
        Command::Case(args) => runtime()?.block_on(commands::case::run(args)),
        Command::Post(args) => runtime()?.block_on(commands::post::run(args)),
        Command::Editorial(args) => runtime()?.block_on(commands::editorial::run(args)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
