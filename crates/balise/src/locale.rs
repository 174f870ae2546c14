//! The language a person reads the command line in: French by default (Quebec public
//! bodies), English as the second locale. Clap's derive takes the French doc comments; this
//! module swaps in the English strings each command module lists in its `HELP_EN` table and
//! replaces clap's own English framing ("Usage:", "Print help") with French.

use clap::{Arg, ArgAction, Command};
use std::collections::HashMap;

/// The locales the product speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    French,
    English,
}

impl Locale {
    /// Chooses the locale from `--lang`/`--langue` on the command line, then `BALISE_LANG`,
    /// `LC_ALL`, `LC_MESSAGES` and `LANG`; anything that does not start with `en` is French.
    pub fn detect(args: &[String]) -> Locale {
        let from_flag = args.windows(2).find_map(|pair| {
            (pair[0] == "--lang" || pair[0] == "--langue").then(|| pair[1].clone())
        });
        let from_flag = from_flag.or_else(|| {
            args.iter().find_map(|arg| {
                arg.strip_prefix("--lang=")
                    .or_else(|| arg.strip_prefix("--langue="))
                    .map(str::to_owned)
            })
        });
        let chosen = from_flag.or_else(|| {
            ["BALISE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        });
        match chosen {
            Some(value) if value.to_ascii_lowercase().starts_with("en") => Locale::English,
            _ => Locale::French,
        }
    }
}

/// Applies the locale to the whole command tree. `english` maps `path` or `path.arg_id` to
/// the English help, where `path` is the space-separated subcommand path below `balise`
/// (e.g. `profile check` and `profile check.file`).
pub fn localize(command: Command, locale: Locale, english: &HashMap<String, &'static str>) -> Command {
    let command = localize_tree(command, "", locale, english);
    let version_help = match locale {
        Locale::French => "Afficher la version",
        Locale::English => "Print version",
    };
    command
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(version_help),
        )
}

fn localize_tree(
    command: Command,
    path: &str,
    locale: Locale,
    english: &HashMap<String, &'static str>,
) -> Command {
    let mut command = command;
    if locale == Locale::English && !path.is_empty() {
        if let Some(about) = english.get(path) {
            command = command.about(*about);
        }
    }
    if locale == Locale::English {
        let prefix = if path.is_empty() { "balise".to_owned() } else { path.to_owned() };
        command = command.mut_args(|arg| {
            // Global arguments are declared once at the top, so fall back to `balise.<id>`;
            // options shared by every subcommand of a group are keyed `group *.<id>`.
            let key = format!("{prefix}.{}", arg.get_id());
            let global_key = format!("balise.{}", arg.get_id());
            let group = prefix.split(' ').next().unwrap_or_default();
            let shared_key = format!("{group} *.{}", arg.get_id());
            match english
                .get(&key)
                .or_else(|| english.get(&shared_key))
                .or_else(|| english.get(&global_key))
            {
                Some(help) => arg.help(*help),
                None => arg,
            }
        });
    }
    if locale == Locale::French {
        // Clap prints "[default: x]" in English: show the default in French instead.
        command = command.mut_args(|arg| {
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|value| value.to_string_lossy().into_owned())
                .collect();
            if defaults.is_empty() || arg.is_hide_default_value_set() {
                return arg;
            }
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            arg.hide_default_value(true)
                .help(format!("{help} [défaut : {}]", defaults.join(", ")))
        });
    }
    let (template, help_text, commands_heading) = match locale {
        Locale::French => (
            "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}",
            "Afficher l'aide",
            "Commandes",
        ),
        Locale::English => (
            "{before-help}{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}",
            "Print help",
            "Commands",
        ),
    };
    command = command
        .help_template(template)
        .subcommand_help_heading(commands_heading)
        .subcommand_value_name(if locale == Locale::French { "COMMANDE" } else { "COMMAND" })
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(false)
                .help(help_text),
        );
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        command = command.mut_subcommand(&name, |sub| localize_tree(sub, &sub_path, locale, english));
    }
    command
}
