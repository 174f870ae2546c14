//! The respondents page (`/repondants`): each unit's respondent and substitute, the
//! absences in force, the form a sector manager uses to designate them
//! (`designate_respondent`), the form to record an absence, and the CSV export
//! (`/repondants.csv`, spreadsheet formulas neutralised by `domain::respondents::csv_line`).

use super::inbox::local_time;
use super::{Layout, PageError, redirect_with, store_refusal, text};
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use domain::audit::{AuditAction, AuditEvent, EntityKind};
use domain::entities::UserId;
use domain::profile::{Permission, Profile};
use domain::respondents::{Designation, Period, SectorId, UnitId, csv_line};
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;

/// Who may read the respondent list: the communications team and managers (they read
/// cases), sector managers, administrators.
const READERS: [Permission; 3] = [Permission::ReadCases, Permission::DesignateRespondent, Permission::ManageUsers];

fn require_reader(state: &AppState, user: &CurrentUser) -> Result<(), PageError> {
    if READERS.iter().any(|permission| user.may(state, *permission)) {
        return Ok(());
    }
    user.require(state, Permission::ReadCases)?;
    Ok(())
}

pub(crate) struct DesignationView {
    unit: String,
    sector: String,
    respondent: String,
    substitute: String,
}

pub(crate) struct AbsenceView {
    person: String,
    start: String,
    end: String,
    reason: String,
}

pub(crate) struct Choice {
    value: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "respondents.html")]
pub(crate) struct RespondentsPage {
    layout: Layout,
    csrf: String,
    designations: Vec<DesignationView>,
    absences: Vec<AbsenceView>,
    may_designate: bool,
    sectors: Vec<Choice>,
    members: Vec<Choice>,
}

fn sector_name(profile: &Profile, id: &str) -> String {
    profile.sectors().iter().find(|sector| sector.id == id).map_or_else(|| id.to_owned(), |sector| sector.name.clone())
}

/// `GET /repondants`.
pub(crate) async fn page(State(state): State<AppState>, user: CurrentUser, lang: Lang, uri: Uri) -> Result<RespondentsPage, PageError> {
    require_reader(&state, &user)?;
    let profile = super::profile_of(&state, &user)?;
    let store = state.store();
    let (entries, absences, members) = tokio::try_join!(
        store.list_respondents(&user.organisation_id),
        store.list_absences(&user.organisation_id),
        store.organisation_members(&user.organisation_id),
    )?;
    let names: HashMap<UserId, String> = members.iter().map(|member| (member.user_id, member.display_name.clone())).collect();
    let designations = entries
        .iter()
        .map(|entry| DesignationView {
            unit: entry.designation.unit.as_str().to_owned(),
            sector: sector_name(&profile, entry.designation.sector.as_str()),
            respondent: format!("{} ({})", entry.respondent_name, entry.respondent_login),
            substitute: match (&entry.substitute_name, &entry.substitute_login) {
                (Some(name), Some(login)) => format!("{name} ({login})"),
                _ => lang.t("respondents.no_substitute").to_owned(),
            },
        })
        .collect();
    let absences = absences
        .iter()
        .map(|absence| AbsenceView {
            person: names.get(&absence.user).cloned().unwrap_or_else(|| absence.user.get().to_string()),
            start: local_time(&profile, absence.period.start()),
            end: local_time(&profile, absence.period.end()),
            reason: absence.reason.clone(),
        })
        .collect();
    Ok(RespondentsPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, lang.t("respondents.title").to_owned()),
        csrf: user.csrf_token.clone().unwrap_or_default(),
        designations,
        absences,
        may_designate: user.may(&state, Permission::DesignateRespondent),
        sectors: profile.sectors().iter().map(|sector| Choice { value: sector.id.clone(), label: sector.name.clone() }).collect(),
        members: members
            .iter()
            .map(|member| Choice {
                value: member.user_id.get().to_string(),
                label: format!("{} ({})", member.display_name, text::role_label(&member.role, lang)),
            })
            .collect(),
    })
}

/// `GET /repondants.csv`: the list as CSV (UTF-8, CRLF), audited as an export.
pub(crate) async fn csv_export(State(state): State<AppState>, user: CurrentUser) -> Result<Response, PageError> {
    require_reader(&state, &user)?;
    let profile = super::profile_of(&state, &user)?;
    let entries = state.store().list_respondents(&user.organisation_id).await?;
    let mut body = csv_line(&["unite", "secteur", "repondant", "nom_repondant", "substitut", "nom_substitut"]);
    for entry in &entries {
        body.push_str(&csv_line(&[
            entry.designation.unit.as_str().to_owned(),
            sector_name(&profile, entry.designation.sector.as_str()),
            entry.respondent_login.to_string(),
            entry.respondent_name.clone(),
            entry.substitute_login.as_ref().map(ToString::to_string).unwrap_or_default(),
            entry.substitute_name.clone().unwrap_or_default(),
        ]));
    }
    record_export(&state, &user, "respondents_exported", entries.len()).await?;
    Ok(csv_response(body, "repondants.csv"))
}

/// Records who exported what: an export leaves the system.
pub(crate) async fn record_export(state: &AppState, user: &CurrentUser, action: &str, rows: usize) -> Result<(), PageError> {
    let action = AuditAction::parse(action).map_err(|error| PageError::Store(StoreError::InvalidRequest(error.to_string())))?;
    let event = AuditEvent {
        attribution: user.attribution(),
        action,
        entity_kind: EntityKind::Other,
        entity_id: user.organisation_id.to_string(),
        before_json: None,
        after_json: Some(serde_json::json!({ "rows": rows }).to_string()),
    };
    state.store().record_audit_event(&event).await?;
    Ok(())
}

/// A CSV attachment.
pub(crate) fn csv_response(body: String, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct DesignateForm {
    unit: String,
    sector: String,
    respondent: i64,
    #[serde(default)]
    substitute: String,
}

/// `POST /repondants/designation`: designate (or replace) a unit's respondent and
/// substitute.
pub(crate) async fn designate(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<DesignateForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::DesignateRespondent)?;
    let profile = super::profile_of(&state, &user)?;
    let unit = UnitId::parse(form.unit.trim()).map_err(|error| PageError::BadRequest(format!("Unité invalide : {error}")))?;
    let sector = SectorId::in_profile(&profile, form.sector.trim()).map_err(|error| PageError::BadRequest(error.to_string()))?;
    let substitute = match form.substitute.trim() {
        "" => None,
        id => Some(UserId::new(id.parse().map_err(|_| PageError::BadRequest("Substitut invalide.".to_owned()))?)),
    };
    let designation = Designation {
        organisation_id: user.organisation_id.clone(),
        unit: unit.clone(),
        sector,
        respondent: UserId::new(form.respondent),
        substitute,
    };
    let by = user.attribution();
    match state.store().designate_respondent(&by, &designation).await {
        Ok(_) => {}
        Err(StoreError::AlreadyExists { .. }) => {
            state
                .store()
                .change_designation(&by, &user.organisation_id, &unit, Some(designation.respondent), Some(substitute))
                .await
                .map_err(store_refusal)?;
        }
        Err(error) => return Err(store_refusal(error)),
    }
    Ok(redirect_with("/repondants", "designated"))
}

#[derive(Deserialize)]
pub(crate) struct AbsenceForm {
    user_id: i64,
    start: String,
    end: String,
    #[serde(default)]
    reason: String,
}

/// `POST /repondants/absence`: record an absence (times in the organisation's zone).
pub(crate) async fn record_absence(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<AbsenceForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::DesignateRespondent)?;
    let profile = super::profile_of(&state, &user)?;
    let local = |text: &str, field: &str| -> Result<jiff::Timestamp, PageError> {
        let civil: jiff::civil::DateTime =
            text.trim().parse().map_err(|_| PageError::BadRequest(format!("Date invalide ({field}) : AAAA-MM-JJTHH:MM attendu.")))?;
        civil
            .to_zoned(profile.time_zone().clone())
            .map(|zoned| zoned.timestamp())
            .map_err(|_| PageError::BadRequest(format!("Date invalide ({field}).")))
    };
    let period = Period::new(local(&form.start, "début")?, local(&form.end, "fin")?)
        .map_err(|error| PageError::BadRequest(error.to_string()))?;
    state
        .store()
        .record_absence(&user.attribution(), &user.organisation_id, UserId::new(form.user_id), period, form.reason.trim())
        .await
        .map_err(store_refusal)?;
    // An absence already in force hands the absent person's unit cases to the substitute at
    // once: the periodic pass that also does it runs only with an SMTP relay.
    state
        .store()
        .reassign_for_absences(&user.attribution(), &user.organisation_id, jiff::Timestamp::now())
        .await
        .map_err(store_refusal)?;
    Ok(redirect_with("/repondants", "absence_recorded"))
}
