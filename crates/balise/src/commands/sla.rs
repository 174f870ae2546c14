//! `balise sla`: the deadlines of a message received at a given time, computed on the
//! profile's business calendar.

use anyhow::Context;
use domain::deadlines;
use domain::profile::Profile;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::process::ExitCode;

/// Calculer les échéances d'un message reçu à une date et heure données.
#[derive(Debug, clap::Args)]
pub struct SlaArgs {
    /// Profil (identifiant de préréglage ou chemin d'un fichier TOML).
    #[arg(long, value_name = "ID|CHEMIN", default_value = "mamh")]
    pub profile: String,
    /// Date et heure de réception, RFC 3339 (p. ex. 2025-04-17T16:00:00-04:00).
    #[arg(long, value_name = "RFC3339")]
    pub received: String,
    /// Sortie JSON.
    #[arg(long)]
    pub json: bool,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("sla", "Compute the deadlines of a message received at a given time"),
    ("sla.profile", "Profile (preset id or path of a TOML file)"),
    ("sla.received", "Time of receipt, RFC 3339 (e.g. 2025-04-17T16:00:00-04:00)"),
    ("sla.json", "JSON output"),
];

#[derive(Serialize)]
struct SlaOutput {
    received: String,
    clock_start: String,
    stages: Vec<StageOutput>,
    first_response_due: String,
}

#[derive(Serialize)]
struct StageOutput {
    stage: String,
    due: String,
}

/// RFC 3339 in the profile's zone, with its offset (no bracketed zone name).
fn rfc3339(timestamp: Timestamp, zone: &TimeZone) -> String {
    let zoned = timestamp.to_zoned(zone.clone());
    if zoned.subsec_nanosecond() == 0 {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    } else {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string()
    }
}

pub fn run(args: SlaArgs) -> anyhow::Result<ExitCode> {
    let profile = Profile::resolve(&args.profile)
        .map_err(|error| anyhow::anyhow!("{error}"))
        .with_context(|| format!("chargement du profil « {} »", args.profile))?;
    let received: Timestamp = args.received.parse().with_context(|| {
        format!("--received « {} » n'est pas une date RFC 3339 (p. ex. 2025-04-17T16:00:00-04:00)", args.received)
    })?;
    let calendar = deadlines::business_calendar(&profile, Vec::new())?;
    let plan = deadlines::plan_first_response(&profile, &calendar, received)?;
    let zone = profile.time_zone();
    let output = SlaOutput {
        received: rfc3339(received, zone),
        clock_start: rfc3339(plan.clock_start, zone),
        stages: plan
            .stages
            .iter()
            .map(|stage| StageOutput { stage: stage.stage.clone(), due: rfc3339(stage.due, zone) })
            .collect(),
        first_response_due: rfc3339(plan.first_response_due, zone),
    };
    if args.json {
        println!("{}", serde_json::to_string(&output)?);
    } else {
        println!("Reçu                 : {}", output.received);
        println!("Début du décompte    : {}", output.clock_start);
        for stage in &output.stages {
            println!("  étape {:<14} : {}", stage.stage, stage.due);
        }
        println!("Premier retour dû    : {}", output.first_response_due);
    }
    Ok(ExitCode::SUCCESS)
}
