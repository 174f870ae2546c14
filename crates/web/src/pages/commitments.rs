//! The commitments page (`/engagements`): how the organisation keeps its response
//! deadlines, per sector, stage and ISO week of receipt — an inline SVG bar chart (title,
//! description, patterns and written figures, never colour alone) and the same figures in a
//! table — and the CSV export (`/engagements.csv`), both from the store's commitment report.

use super::inbox::calendar_for;
use super::respondents::{csv_response, record_export};
use super::{Layout, PageError, text};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use domain::profile::{Permission, Profile};
use domain::respondents::csv_line;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use store::case_actions::CommitmentReportRow;

/// Bars drawn at most; the table always has every row.
const CHART_ROWS: usize = 40;
const ROW_HEIGHT: usize = 28;
const LABEL_WIDTH: usize = 300;
const BAR_WIDTH: usize = 300;

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
}

pub(crate) struct ReportView {
    sector: String,
    stage: String,
    week: String,
    cases: u32,
    on_time: u32,
    late: u32,
    open_overdue: u32,
    compliance: String,
    median_lateness: String,
}

pub(crate) struct BarView {
    y: usize,
    text_y: usize,
    label: String,
    on_time_width: usize,
    late_x: usize,
    late_width: usize,
    overdue_x: usize,
    overdue_width: usize,
    open_x: usize,
    open_width: usize,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments.html")]
pub(crate) struct CommitmentsPage {
    layout: Layout,
    rows: Vec<ReportView>,
    bars: Vec<BarView>,
    chart_height: usize,
    chart_width: usize,
    bar_start: usize,
    value_x: usize,
    truncated: bool,
    from: String,
    to: String,
    csv_href: String,
}

fn day_start(profile: &Profile, text: &str, lang: Lang) -> Result<Option<Timestamp>, PageError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| PageError::BadRequest(lang.t("commitments.bad_date").to_owned()))?;
    date.to_zoned(profile.time_zone().clone())
        .map(|zoned| Some(zoned.timestamp()))
        .map_err(|_| PageError::BadRequest(lang.t("commitments.bad_date").to_owned()))
}

/// The share of measurable stages (ended, or past due) that ended on time, in percent.
fn compliance(row: &CommitmentReportRow) -> Option<u32> {
    let measured = row.on_time + row.late + row.open_overdue;
    (measured > 0).then(|| (u64::from(row.on_time) * 100 / u64::from(measured)) as u32)
}

fn sector_label(profile: &Profile, sector: Option<&str>, lang: Lang) -> String {
    match sector {
        Some(id) => profile.sectors().iter().find(|candidate| candidate.id == id).map_or_else(|| id.to_owned(), |found| found.name.clone()),
        None => lang.t("commitments.no_sector").to_owned(),
    }
}

async fn report(
    state: &AppState,
    user: &CurrentUser,
    query: &PeriodQuery,
    lang: Lang,
) -> Result<(std::sync::Arc<Profile>, Vec<CommitmentReportRow>), PageError> {
    user.require(state, Permission::ReadReports)?;
    let profile = super::profile_of(state, user)?;
    let from = day_start(&profile, &query.du, lang)?;
    let to = day_start(&profile, &query.au, lang)?;
    let calendar = calendar_for(state, &user.organisation_id, &profile).await?;
    let rows = state.store().commitment_report(&user.organisation_id, &calendar, from, to).await?;
    Ok((profile, rows))
}

fn stage_label(stage: &str, lang: Lang) -> String {
    match stage {
        "triage" => lang.t("stage.triage").to_owned(),
        "sector" => lang.t("stage.sector").to_owned(),
        "review" => lang.t("stage.review").to_owned(),
        "response" => lang.t("stage.response").to_owned(),
        other => other.to_owned(),
    }
}

/// `GET /engagements`.
pub(crate) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Query(query): Query<PeriodQuery>,
) -> Result<CommitmentsPage, PageError> {
    let (profile, report_rows) = report(&state, &user, &query, lang).await?;
    let rows: Vec<ReportView> = report_rows
        .iter()
        .map(|row| ReportView {
            sector: sector_label(&profile, row.sector.as_deref(), lang),
            stage: stage_label(&row.stage, lang),
            week: row.week.clone(),
            cases: row.cases,
            on_time: row.on_time,
            late: row.late,
            open_overdue: row.open_overdue,
            compliance: compliance(row).map_or_else(|| "—".to_owned(), |percent| format!("{percent} %")),
            median_lateness: row
                .median_lateness_business_seconds
                .map(|seconds| text::format_business_duration(SignedDuration::from_secs(seconds)).0)
                .unwrap_or_else(|| "—".to_owned()),
        })
        .collect();
    let largest = report_rows.iter().map(|row| row.cases).max().unwrap_or(1).max(1) as usize;
    let scale = |count: u32| (count as usize) * BAR_WIDTH / largest;
    let bars = report_rows
        .iter()
        .take(CHART_ROWS)
        .enumerate()
        .map(|(index, row)| {
            let on_time_width = scale(row.on_time);
            let late_width = scale(row.late);
            let overdue_width = scale(row.open_overdue);
            let open = row.cases.saturating_sub(row.on_time + row.late + row.open_overdue);
            let y = index * ROW_HEIGHT + 4;
            BarView {
                y,
                text_y: y + 15,
                label: format!("{} · {} · {}", sector_label(&profile, row.sector.as_deref(), lang), stage_label(&row.stage, lang), row.week),
                on_time_width,
                late_x: LABEL_WIDTH + on_time_width,
                late_width,
                overdue_x: LABEL_WIDTH + on_time_width + late_width,
                overdue_width,
                open_x: LABEL_WIDTH + on_time_width + late_width + overdue_width,
                open_width: scale(open),
                value: match compliance(row) {
                    Some(percent) => format!("{percent} % ({}/{})", row.on_time, row.on_time + row.late + row.open_overdue),
                    None => format!("— (0/{})", row.cases),
                },
            }
        })
        .collect::<Vec<_>>();
    let mut csv_pairs: Vec<(&str, &str)> = Vec::new();
    if !query.du.is_empty() {
        csv_pairs.push(("du", &query.du));
    }
    if !query.au.is_empty() {
        csv_pairs.push(("au", &query.au));
    }
    let csv_query = serde_urlencoded::to_string(&csv_pairs).unwrap_or_default();
    Ok(CommitmentsPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, lang.t("commitments.title").to_owned()),
        chart_height: bars.len() * ROW_HEIGHT + 8,
        chart_width: LABEL_WIDTH + BAR_WIDTH + 170,
        bar_start: LABEL_WIDTH,
        value_x: LABEL_WIDTH + BAR_WIDTH + 8,
        truncated: report_rows.len() > CHART_ROWS,
        bars,
        rows,
        from: query.du.clone(),
        to: query.au.clone(),
        csv_href: if csv_query.is_empty() { "/engagements.csv".to_owned() } else { format!("/engagements.csv?{csv_query}") },
    })
}

/// `GET /engagements.csv`.
pub(crate) async fn csv_export(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (profile, rows) = report(&state, &user, &query, lang).await?;
    let mut body = csv_line(&[
        "secteur",
        "etape",
        "semaine",
        "dossiers",
        "a_temps",
        "en_retard",
        "ouverts_en_retard",
        "conformite_pourcent",
        "retard_median_secondes_ouvrables",
    ]);
    for row in &rows {
        body.push_str(&csv_line(&[
            row.sector.as_deref().map(|id| sector_label(&profile, Some(id), lang)).unwrap_or_default(),
            row.stage.clone(),
            row.week.clone(),
            row.cases.to_string(),
            row.on_time.to_string(),
            row.late.to_string(),
            row.open_overdue.to_string(),
            compliance(row).map(|percent| percent.to_string()).unwrap_or_default(),
            row.median_lateness_business_seconds.map(|seconds| seconds.to_string()).unwrap_or_default(),
        ]));
    }
    record_export(&state, &user, "commitments_exported", rows.len()).await?;
    Ok(csv_response(body, "engagements.csv"))
}
