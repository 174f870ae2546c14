//! `balise calendar`: the holidays a profile observes in a year, as JSON Lines.

use std::process::ExitCode;

/// Afficher les jours fériés observés d'une année, en JSON Lines.
#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// Profil (identifiant de préréglage ou chemin d'un fichier TOML).
    #[arg(long, value_name = "ID|CHEMIN")]
    pub profile: String,
    /// Année (AAAA).
    #[arg(long, value_name = "AAAA", value_parser = clap::value_parser!(i16).range(1900..=2200))]
    pub year: i16,
}

pub const HELP_EN: &[(&str, &str)] = &[
    (
        "calendar",
        "Print the observed holidays of a year, as JSON Lines",
    ),
    (
        "calendar.profile",
        "Profile (preset id or path of a TOML file)",
    ),
    ("calendar.year", "Year (YYYY)"),
];

pub fn run(args: CalendarArgs) -> anyhow::Result<ExitCode> {
    let profile = super::profile::load_profile(&args.profile)?;
    for holiday in profile.holidays().observed(args.year) {
        // The documented line shape, spaces included: {"date": "YYYY-MM-DD", "name": "..."}.
        println!(
            "{{\"date\": {}, \"name\": {}}}",
            serde_json::to_string(&holiday.date.to_string())?,
            serde_json::to_string(&holiday.name)?
        );
    }
    Ok(ExitCode::SUCCESS)
}
