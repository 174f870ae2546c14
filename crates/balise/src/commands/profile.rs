//! `balise profile`: check a policy profile file and report every problem, show a loaded
//! profile, list the shipped presets.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use domain::calendar::{WEEKDAYS_MONDAY_FIRST, weekday_id};
use domain::profile::{Profile, ProfileLoadError, format_budget};

use crate::locale::Locale;

/// Vérifier, afficher ou lister les profils d'organisation.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub command: ProfileCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Vérifier un fichier de profil et signaler chaque problème (fichier:ligne:colonne: clé: message).
    Check(CheckArgs),
    /// Afficher un profil chargé (préréglage ou fichier).
    Show(ShowArgs),
    /// Lister les identifiants des profils préréglés.
    List,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Fichier TOML du profil (ou identifiant d'un préréglage).
    #[arg(value_name = "FICHIER")]
    pub file: String,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Identifiant de préréglage ou chemin d'un fichier TOML.
    #[arg(value_name = "ID|CHEMIN")]
    pub profile: String,
    /// Sortie JSON.
    #[arg(long)]
    pub json: bool,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("profile", "Check, show or list organisation profiles"),
    (
        "profile check",
        "Check a profile file and report every problem (file:line:column: key: message)",
    ),
    ("profile check.file", "Profile TOML file (or a preset id)"),
    ("profile show", "Show a loaded profile (preset or file)"),
    ("profile show.profile", "Preset id or path of a TOML file"),
    ("profile show.json", "JSON output"),
    ("profile list", "List the preset profile ids"),
];

fn locale() -> Locale {
    let args: Vec<String> = std::env::args().collect();
    Locale::detect(&args)
}

pub fn run(args: ProfileArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ProfileCommand::Check(check) => run_check(&check),
        ProfileCommand::Show(show) => run_show(&show),
        ProfileCommand::List => {
            for id in Profile::preset_ids() {
                println!("{id}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let locale = locale();
    let path = std::path::Path::new(&args.file);
    let (name, text) = match (path.exists(), Profile::preset_text(&args.file)) {
        (false, Some(text)) => (format!("profiles/{}.toml", args.file), text.to_owned()),
        _ => {
            let text = std::fs::read_to_string(path).with_context(|| match locale {
                Locale::French => format!("lecture du fichier de profil « {} »", args.file),
                Locale::English => format!("reading profile file `{}`", args.file),
            })?;
            (args.file.clone(), text)
        }
    };
    match Profile::parse(&name, &text) {
        Ok(profile) => {
            match locale {
                Locale::French => println!(
                    "{name} : profil « {} » valide ({} clauses, {} engagements, {} contacts, {} rôles)",
                    profile.id(),
                    profile.netiquette().clauses.len(),
                    profile.commitments().len(),
                    profile.contacts().len(),
                    profile.roles().len()
                ),
                Locale::English => println!(
                    "{name}: profile `{}` is valid ({} clauses, {} commitments, {} contacts, {} roles)",
                    profile.id(),
                    profile.netiquette().clauses.len(),
                    profile.commitments().len(),
                    profile.contacts().len(),
                    profile.roles().len()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for problem in errors.problems() {
                let message = match locale {
                    Locale::French => &problem.message_fr,
                    Locale::English => &problem.message,
                };
                let key = if problem.key_path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", problem.key_path)
                };
                println!(
                    "{}:{}:{}: {key}{message}",
                    problem.file, problem.line, problem.column
                );
            }
            match locale {
                Locale::French => eprintln!("{name} : {} problème(s)", errors.len()),
                Locale::English => eprintln!("{name}: {} problem(s)", errors.len()),
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// Loads a preset or a profile file, with an error in the reader's language that lists
/// every problem of an invalid file.
pub fn load_profile(reference: &str) -> anyhow::Result<Profile> {
    let locale = locale();
    Profile::resolve(reference).map_err(|error| match error {
        ProfileLoadError::NotFound { presets, source, .. } => match locale {
            Locale::French => anyhow::anyhow!(
                "« {reference} » n'est ni un profil préréglé ({presets}) ni un fichier lisible : {source}"
            ),
            Locale::English => anyhow::anyhow!(
                "`{reference}` is neither a preset ({presets}) nor a readable file: {source}"
            ),
        },
        ProfileLoadError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .problems()
                .iter()
                .map(|problem| {
                    let message = match locale {
                        Locale::French => &problem.message_fr,
                        Locale::English => &problem.message,
                    };
                    format!("{}:{}:{}: {}: {message}", problem.file, problem.line, problem.column, problem.key_path)
                })
                .collect();
            match locale {
                Locale::French => anyhow::anyhow!("profil « {reference} » invalide :\n{}", lines.join("\n")),
                Locale::English => anyhow::anyhow!("invalid profile `{reference}`:\n{}", lines.join("\n")),
            }
        }
    })
}

fn run_show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let profile = load_profile(&args.profile)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&profile)?);
    } else {
        print!("{}", describe(&profile));
    }
    Ok(ExitCode::SUCCESS)
}

/// A readable French summary of a profile.
fn describe(profile: &Profile) -> String {
    let mut out = String::new();
    let identity = profile.identity();
    let source = profile.source();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} ({}) — profil « {} », {}",
        identity.name, identity.abbreviation, identity.id, identity.kind
    );
    let year = source.year.map(|y| format!(", {y}")).unwrap_or_default();
    let _ = writeln!(out, "Source {} : {}{year}", source.code, source.title);
    let _ = writeln!(
        out,
        "Langues : {}   Fuseau horaire : {}",
        identity.languages.join(", "),
        profile.time_zone_name()
    );
    if !profile.accounts().is_empty() {
        let _ = writeln!(out, "\nComptes :");
        for account in profile.accounts() {
            let handle = account.handle.as_deref().unwrap_or("");
            let url = account.url.as_ref().map(|u| u.as_str()).unwrap_or("");
            let _ = writeln!(
                out,
                "  {:<16} {handle} {url}  [{}]",
                account.network.id(),
                account.source
            );
        }
    }
    let _ = writeln!(
        out,
        "\nHeures de bureau (journée ouvrable de {}) :",
        domain::profile::format_duration(profile.business_day_length())
    );
    for day in WEEKDAYS_MONDAY_FIRST {
        let windows: Vec<String> = profile
            .business_hours()
            .windows(day)
            .iter()
            .map(ToString::to_string)
            .collect();
        let shown = if windows.is_empty() {
            "fermé".to_owned()
        } else {
            windows.join(", ")
        };
        let _ = writeln!(out, "  {:<10} {shown}", weekday_id(day));
    }
    let _ = writeln!(
        out,
        "\nJours fériés : {} règles, {} années remplacées",
        profile.holidays().rules().len(),
        profile.holidays().overrides().len()
    );
    if !profile.commitments().is_empty() {
        let _ = writeln!(out, "\nEngagements de réponse :");
        for commitment in profile.commitments() {
            let _ = writeln!(
                out,
                "  {} — {} : {}  [{}]",
                commitment.id,
                commitment.label,
                format_budget(&commitment.total),
                commitment.source
            );
            for stage in &commitment.stages {
                let _ = writeln!(
                    out,
                    "    {:<24} {:<16} {}  ({})",
                    stage.id,
                    format_budget(&stage.budget),
                    stage.carrier,
                    stage.label
                );
            }
        }
    }
    if let Some(vigilance) = profile.vigilance() {
        let windows: Vec<String> = vigilance.windows.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "\nVigilance : {} ({} jours, {})  [{}]",
            vigilance.label,
            vigilance.days.len(),
            windows.join(", "),
            vigilance.source
        );
    }
    let _ = writeln!(
        out,
        "\nNétiquette ({} clauses) :",
        profile.netiquette().clauses.len()
    );
    for clause in &profile.netiquette().clauses {
        let _ = writeln!(
            out,
            "  {:<28} {:<17} « {} »  [{}]",
            clause.id,
            clause.category.id(),
            clause.wording,
            clause.source
        );
    }
    let settings = profile.moderation_settings();
    let _ = writeln!(
        out,
        "Modération : masquage {}, fenêtre de répétition {} h, {} avertissement(s) avant blocage",
        match settings.hide_rule {
            moderation::HideRule::AnyBreach => "dès tout manquement",
            moderation::HideRule::OnlyWhenNothingRemains => "seulement s'il ne reste rien",
        },
        settings.repeat_window_hours,
        settings.warnings_before_block
    );
    if !profile.contacts().is_empty() {
        let _ = writeln!(out, "\nContacts de redirection :");
        for contact in profile.contacts() {
            let details: Vec<&str> = [
                contact.phone.as_ref().map(|p| p.as_str()),
                contact.email.as_ref().map(|e| e.as_str()),
                contact.url.as_ref().map(|u| u.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let _ = writeln!(
                out,
                "  {:<22} {} : {}  [{}]",
                contact.kind.id(),
                contact.label,
                details.join(" · "),
                contact.source
            );
        }
    }
    let list = |title: &str, items: Vec<String>, out: &mut String| {
        if !items.is_empty() {
            let _ = writeln!(out, "\n{title} :");
            for item in items {
                let _ = writeln!(out, "  {item}");
            }
        }
    };
    list(
        "Secteurs",
        profile
            .sectors()
            .iter()
            .map(|s| format!("{:<12} {}", s.id, s.name))
            .collect(),
        &mut out,
    );
    list(
        "Directions régionales",
        profile
            .regional_directorates()
            .iter()
            .map(|d| format!("{}{}", d.name, if d.demo { " [démonstration]" } else { "" }))
            .collect(),
        &mut out,
    );
    list(
        "Organisations externes",
        profile
            .external_organisations()
            .iter()
            .map(|o| o.name.clone())
            .collect(),
        &mut out,
    );
    list(
        "Rôles et permissions",
        profile
            .roles()
            .iter()
            .map(|r| {
                let permissions: Vec<&str> = r.permissions.iter().map(|p| p.id()).collect();
                format!(
                    "{:<24} {} : {}",
                    r.role.id(),
                    r.label,
                    permissions.join(", ")
                )
            })
            .collect(),
        &mut out,
    );
    list(
        "Modèles de réponse",
        profile
            .templates()
            .iter()
            .map(|t| match t.kind {
                Some(kind) => format!("{}/{}", t.route, kind),
                None => t.route.id().to_owned(),
            })
            .collect(),
        &mut out,
    );
    if let Some(staff) = profile.staff() {
        let _ = writeln!(out, "\nObligations du personnel :");
        if let Some(form) = &staff.consent_form {
            let fields: Vec<&str> = form.fields.iter().map(|f| f.id.as_str()).collect();
            let _ = writeln!(
                out,
                "  Formulaire « {} » : {}  [{}]",
                form.title,
                fields.join(", "),
                form.source
            );
        }
        let ladder: Vec<&str> = staff.sanctions.iter().map(|s| s.label.as_str()).collect();
        if !ladder.is_empty() {
            let _ = writeln!(out, "  Sanctions : {}", ladder.join(" → "));
        }
        for authorisation in &staff.authorisations {
            let _ = writeln!(
                out,
                "  Autorisation : {} — {}  [{}]",
                authorisation.label, authorisation.granted_by, authorisation.source
            );
        }
        for obligation in &staff.obligations {
            let _ = writeln!(
                out,
                "  Obligation : {}  [{}]",
                obligation.text, obligation.source
            );
        }
    }
    if let Some(blog) = profile.blog() {
        let _ = writeln!(
            out,
            "\nBlogues : comité éditorial {}, {}–{} mots, mise à jour tous les {} jours, commentaires filtrés avant publication : {}  [{}]",
            if blog.editorial_committee {
                "oui"
            } else {
                "non"
            },
            blog.min_words,
            blog.max_words,
            blog.update_every_days,
            if blog.comments_filtered_before_publication {
                "oui"
            } else {
                "non"
            },
            blog.source
        );
    }
    out
}
