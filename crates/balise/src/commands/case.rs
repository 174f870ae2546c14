//! `balise case`: show a case, confirm or change its route (re-planning what depends on it),
//! and the commitment report (lateness per sector, stage and week, R-03). The logic is in
//! `pipeline::case_actions` and `store::case_actions`; this file parses, calls and prints.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use domain::audit::{Actor, Attribution};
use domain::entities::{CaseId, Login, OrganisationId};
use domain::profile::Profile;
use jiff::Timestamp;
use store::case_actions::CommitmentReportRow;
use store::Store;

use super::respondents::{open_store, organisation_id, StoreOptions};

/// Consulter un dossier, confirmer ou changer son aiguillage, produire le rapport des engagements.
#[derive(Debug, clap::Args)]
pub struct CaseArgs {
    #[command(subcommand)]
    pub action: CaseCommand,
}

/// Ce qui est fait.
#[derive(Debug, clap::Subcommand)]
pub enum CaseCommand {
    /// Afficher un dossier en JSON : message, verdict, aiguillage suggéré, échéances, réponses.
    Show(ShowArgs),
    /// Confirmer ou changer l'aiguillage d'un dossier (journalisé) ; les échéances et
    /// l'attribution qui en dépendent sont recalculées.
    Route(RouteArgs),
    /// Rapport des engagements : par secteur, étape et semaine, dossiers à temps, en retard,
    /// retard médian en minutes ouvrables.
    Report(ReportArgs),
}

/// Arguments de `balise case show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Numéro du dossier.
    #[arg(value_name = "NUMÉRO")]
    pub id: i64,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Arguments de `balise case route`.
#[derive(Debug, clap::Args)]
pub struct RouteArgs {
    /// Numéro du dossier.
    #[arg(value_name = "NUMÉRO")]
    pub id: i64,
    /// Aiguillage : urgent, netiquette, usual_process:media, regional_directorate:ID,
    /// other_organisation:ID, respondent:SECTEUR…
    #[arg(value_name = "AIGUILLAGE")]
    pub route: String,
    /// Identifiant de la personne qui décide (inscrit au journal d'audit).
    #[arg(long = "as", value_name = "IDENTIFIANT")]
    pub as_login: String,
    #[command(flatten)]
    pub store: StoreOptions,
}

/// Format du rapport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Un objet JSON par ligne.
    Json,
    /// CSV avec en-tête.
    Csv,
}

/// Arguments de `balise case report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Identifiant de l'organisme.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// Début de la période (AAAA-MM-JJ dans le fuseau de l'organisme, ou RFC 3339), inclus.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Fin de la période (AAAA-MM-JJ, jour inclus, ou RFC 3339 exclu).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ReportFormat,
    #[command(flatten)]
    pub store: StoreOptions,
}

pub const HELP_EN: &[(&str, &str)] = &[
    ("case", "Show a case, confirm or change its route, produce the commitment report"),
    ("case show", "Show a case as JSON: message, verdict, suggested route, deadlines, replies"),
    ("case show.id", "Case number"),
    ("case route", "Confirm or change a case's route (audited); the deadlines and assignment that depend on it are re-planned"),
    ("case route.id", "Case number"),
    ("case route.route", "Route: urgent, netiquette, usual_process:media, regional_directorate:ID, other_organisation:ID, respondent:SECTOR…"),
    ("case route.as_login", "Login of the person deciding (written to the audit log)"),
    ("case report", "Commitment report: per sector, stage and week, cases on time, late, median lateness in business minutes"),
    ("case report.organisation", "Organisation id"),
    ("case report.from", "Start of the period (YYYY-MM-DD in the organisation's time zone, or RFC 3339), included"),
    ("case report.to", "End of the period (YYYY-MM-DD, day included, or RFC 3339, excluded)"),
    ("case report.format", "Output format"),
];

pub async fn run(args: CaseArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        CaseCommand::Show(show) => {
            let store = open_store(&show.store).await?;
            let detail = case_json(&store, CaseId::new(show.id)).await?;
            println!("{}", serde_json::to_string_pretty(&detail)?);
        }
        CaseCommand::Route(route) => {
            let store = open_store(&route.store).await?;
            let login = Login::parse(&route.as_login)
                .with_context(|| format!("--as : identifiant invalide « {} »", route.as_login))?;
            let user = store
                .get_user_by_login(&login)
                .await?
                .with_context(|| format!("--as : aucun utilisateur « {login} »"))?;
            let case_id = CaseId::new(route.id);
            let case = store.get_case(case_id).await?.with_context(|| format!("le dossier {case_id} n'existe pas"))?;
            anyhow::ensure!(
                user.organisation_id == case.organisation_id,
                "--as : « {login} » n'appartient pas à l'organisme du dossier {case_id}"
            );
            let pipeline = pipeline_for(&store, &case.organisation_id).await?;
            let by = Attribution::by(Actor::User(login));
            pipeline
                .change_route(&by, case_id, &route.route)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            println!("{}", serde_json::to_string_pretty(&case_json(&store, case_id).await?)?);
        }
        CaseCommand::Report(report) => {
            let store = open_store(&report.store).await?;
            let organisation = organisation_id(&report.organisation)?;
            let pipeline = pipeline_for(&store, &organisation).await?;
            let profile = pipeline.profile_of(&organisation).context("profil de l'organisme")?;
            let from = report.from.as_deref().map(|text| bound("--from", text, profile, false)).transpose()?;
            let to = report.to.as_deref().map(|text| bound("--to", text, profile, true)).transpose()?;
            let rows = pipeline
                .commitment_report(&organisation, from, to)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            print!("{}", render_report(&rows, report.format));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn pipeline_for(store: &Store, organisation: &OrganisationId) -> anyhow::Result<pipeline::Pipeline> {
    let found = store
        .get_organisation(organisation)
        .await?
        .with_context(|| format!("l'organisme « {organisation} » n'existe pas"))?;
    let profile = Profile::resolve(found.profile_id.as_str())
        .map_err(|error| anyhow::anyhow!("profil « {} » : {error}", found.profile_id))?;
    Ok(pipeline::Pipeline::new(store.clone(), vec![(organisation.clone(), Arc::new(profile))], None))
}

/// A period bound: a civil date in the organisation's time zone (its start; for `--to`, the
/// next day's start, so the day is included) or an RFC 3339 instant.
fn bound(option: &str, text: &str, profile: &Profile, end: bool) -> anyhow::Result<Timestamp> {
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let date = if end { date.tomorrow().with_context(|| format!("{option} : date hors limites"))? } else { date };
        let zoned = date
            .to_zoned(profile.time_zone().clone())
            .with_context(|| format!("{option} : date invalide « {text} »"))?;
        return Ok(zoned.timestamp());
    }
    text.parse::<Timestamp>()
        .with_context(|| format!("{option} : date invalide « {text} » (AAAA-MM-JJ ou RFC 3339)"))
}

/// Median lateness in whole business minutes, as the report prints it.
fn minutes(seconds: Option<i64>) -> Option<i64> {
    seconds.map(|seconds| seconds / 60)
}

fn render_report(rows: &[CommitmentReportRow], format: ReportFormat) -> String {
    let mut out = String::new();
    match format {
        ReportFormat::Json => {
            for row in rows {
                let line = serde_json::json!({
                    "sector": row.sector,
                    "stage": row.stage,
                    "week": row.week,
                    "cases": row.cases,
                    "on_time": row.on_time,
                    "late": row.late,
                    "open_overdue": row.open_overdue,
                    "median_lateness_business_minutes": minutes(row.median_lateness_business_seconds),
                });
                out.push_str(&line.to_string());
                out.push('\n');
            }
        }
        ReportFormat::Csv => {
            out.push_str(&domain::respondents::csv_line(&[
                "sector", "stage", "week", "cases", "on_time", "late", "open_overdue", "median_lateness_business_minutes",
            ]));
            for row in rows {
                out.push_str(&domain::respondents::csv_line(&[
                    row.sector.clone().unwrap_or_default(),
                    row.stage.clone(),
                    row.week.clone(),
                    row.cases.to_string(),
                    row.on_time.to_string(),
                    row.late.to_string(),
                    row.open_overdue.to_string(),
                    minutes(row.median_lateness_business_seconds).map(|minutes| minutes.to_string()).unwrap_or_default(),
                ]));
            }
        }
    }
    out
}

async fn case_json(store: &Store, case_id: CaseId) -> anyhow::Result<serde_json::Value> {
    let case = store.get_case(case_id).await?.with_context(|| format!("le dossier {case_id} n'existe pas"))?;
    let message = store.get_message(case.message_id).await?.context("message du dossier")?;
    let verdict = store.get_verdict(case.message_id).await?;
    let suggestion = store.get_suggestion(case_id).await?;
    let deadlines = store.get_deadlines(case_id).await?;
    let replies = store.case_replies(case_id).await?;
    let answers = store.case_answers(case_id).await?;
    Ok(serde_json::json!({
        "case": {
            "id": case.id.get(),
            "organisation_id": case.organisation_id.as_str(),
            "route": case.route.as_ref().map(|route| route.as_str()),
            "status": case.status.code(),
            "assignee_user_id": case.assignee.map(|user| user.get()),
            "opened_at": case.opened_at.to_string(),
        },
        "message": {
            "id": message.id.get(),
            "network": message.received.network.as_str(),
            "external_id": message.received.external_id.as_str(),
            "author": message.received.author.display_name,
            "text": message.received.text,
            "received_at": message.received.received_at.to_string(),
        },
        "verdict": verdict.map(|verdict| serde_json::json!({
            "action": verdict.action,
            "categories": verdict.categories,
            "urgent": verdict.urgent,
            "explanation": verdict.explanation,
        })),
        "suggestion": suggestion.map(|stored| serde_json::json!({
            "route": stored.suggestion.route,
            "reasons": serde_json::from_str::<serde_json::Value>(&stored.suggestion.reasons_json).unwrap_or_default(),
            "confirmed_route": stored.confirmation.as_ref().map(|confirmation| confirmation.route.clone()),
            "confirmed_by": stored.confirmation.as_ref().map(|confirmation| confirmation.by.clone()),
        })),
        "deadlines": deadlines.map(|deadlines| serde_json::json!({
            "commitment_id": deadlines.commitment_id,
            "stages": deadlines.stages.iter().map(|stage| serde_json::json!({
                "stage": stage.stage,
                "planned_due": stage.planned_due.to_string(),
                "ended_at": stage.ended_at.map(|at| at.to_string()),
            })).collect::<Vec<_>>(),
            "first_response_due": deadlines.first_response_due.to_string(),
        })),
        "replies": replies.iter().map(|reply| serde_json::json!({
            "id": reply.id, "status": reply.status.code(), "text": reply.text,
        })).collect::<Vec<_>>(),
        "answers": answers.iter().map(|answer| serde_json::json!({
            "id": answer.id, "status": answer.status.code(), "text": answer.text,
        })).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_date_bound_is_the_start_of_the_day_in_the_organisations_zone_and_to_includes_the_day() {
        let profile = Profile::preset("mamh").unwrap();
        assert_eq!(bound("--from", "2026-03-02", &profile, false).unwrap(), "2026-03-02T05:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(bound("--to", "2026-03-02", &profile, true).unwrap(), "2026-03-03T05:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(bound("--to", "2026-03-02T12:00:00Z", &profile, true).unwrap(), "2026-03-02T12:00:00Z".parse::<Timestamp>().unwrap());
        assert!(bound("--from", "lundi", &profile, false).unwrap_err().to_string().contains("--from"));
    }

    #[test]
    fn the_csv_report_has_a_header_and_minutes() {
        let rows = vec![CommitmentReportRow {
            sector: Some("dgfef".into()),
            stage: "triage".into(),
            week: "2026-W10".into(),
            cases: 3,
            on_time: 1,
            late: 1,
            open_overdue: 1,
            median_lateness_business_seconds: Some(19_494),
        }];
        let csv = render_report(&rows, ReportFormat::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "sector,stage,week,cases,on_time,late,open_overdue,median_lateness_business_minutes");
        assert_eq!(lines[1], "dgfef,triage,2026-W10,3,1,1,1,324");
        let json: serde_json::Value = serde_json::from_str(render_report(&rows, ReportFormat::Json).trim()).unwrap();
        assert_eq!(json["median_lateness_business_minutes"], 324);
    }
}
