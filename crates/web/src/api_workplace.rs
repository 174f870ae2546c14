//! The JSON API of the workplace pages: the inbox (`/boite`), the respondents
//! (`/repondants`), the commitment report (`/engagements`) and the audit search
//! (`/journal`), each under `/api/v1` with the same permission as its page and the same
//! organisation scoping (a person reaches only their own organisation).
//!
//! Personal information: for a role without `read_personal_info`, the inbox masks
//! the characters of the personal-information spans exactly as the case API does (its
//! helpers are reused), and the audit search leaves out the before/after changes, as the
//! audit page does.
//!
//! Shapes (times are RFC 3339, UTC):
//! - `GET /organisations/{id}/inbox?network=&account=&route=&sector=&status=&category=&overdue=&after=&limit=`
//!   → `{"cases": [...], "next": cursor | null}`; a respondent sees only their cases; each
//!   case carries `first_response_due` (current), `committed_due` (as committed at receipt),
//!   `business_seconds_left` (office hours until `first_response_due`) and `overdue`;
//! - `GET /organisations/{id}/respondents` → `{"designations", "absences"}`;
//! - `POST /organisations/{id}/respondents {"unit", "sector", "respondent", "substitute"?}`
//!   (logins) → the designation (created, or replacing the unit's current one);
//! - `POST /organisations/{id}/absences {"login", "starts_at", "ends_at", "reason"}` → the
//!   absence;
//! - `GET /organisations/{id}/commitments?from=YYYY-MM-DD&to=YYYY-MM-DD` → `{"rows"}`;
//! - `GET /audit?actor=&action=&entity=&entity_id=&from=&to=&before=&limit=` →
//!   `{"entries", "chain", "next_before"}`.

// Handlers return axum's `Response` as their error: it is built once and moved out.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use domain::audit::AuditVerification;
use domain::entities::{AccountId, CaseStatus, OrganisationId, UserId};
use domain::profile::{Permission, Profile};
use domain::respondents::{Designation, Period, SectorId, UnitId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::inbox::{AuditFilter, InboxCursor, InboxFilter, OrganisationMember};
use store::StoreError;

use crate::api_cases::{auth_error, body_error, error, mask_spans, personal_spans, store_error};
use crate::auth::CurrentUser;
use crate::AppState;

/// Rows per page when the caller gives no `limit`.
const DEFAULT_LIMIT: u32 = 50;
/// The most rows a caller may ask for at once.
const MAX_LIMIT: u32 = 200;

/// Who may read the respondent list, as for the page: the communications team and
/// managers (they read cases), sector managers, administrators.
const RESPONDENT_LIST_READERS: [Permission; 3] =
    [Permission::ReadCases, Permission::DesignateRespondent, Permission::ManageUsers];

/// The routes of this module, merged under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations/{id}/inbox", get(get_inbox))
        .route("/organisations/{id}/respondents", get(get_respondents).post(post_designation))
        .route("/organisations/{id}/absences", axum::routing::post(post_absence))
        .route("/organisations/{id}/commitments", get(get_commitments))
        .route("/audit", get(get_audit))
}

type ApiResult<T> = Result<Json<T>, Response>;

fn bad_request(code: &'static str, message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}

/// The person's own organisation named in the path, with its profile.
fn own_organisation(state: &AppState, user: &CurrentUser, raw_id: &str) -> Result<(OrganisationId, Arc<Profile>), Response> {
    user.require_organisation(raw_id).map_err(auth_error)?;
    let not_found = || error(StatusCode::NOT_FOUND, "not_found", format!("Aucune organisation « {raw_id} » sur cette installation."));
    let entry = state.organisation(raw_id).ok_or_else(not_found)?;
    let organisation_id = OrganisationId::parse(&entry.id).map_err(|_| not_found())?;
    Ok((organisation_id, Arc::clone(&entry.profile)))
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

fn limit_of(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// The start of a local day (`YYYY-MM-DD`) in the organisation's zone; `next_day` gives the
/// start of the following day, so that "until" a day includes it.
fn day_start(profile: &Profile, text: &Option<String>, field: &str, next_day: bool) -> Result<Option<Timestamp>, Response> {
    let Some(text) = non_empty(text) else { return Ok(None) };
    let bad = || bad_request("invalid_date", format!("Date invalide ({field}) : AAAA-MM-JJ attendu, reçu « {text} »."));
    let mut date: jiff::civil::Date = text.parse().map_err(|_| bad())?;
    if next_day {
        date = date.tomorrow().map_err(|_| bad())?;
    }
    date.to_zoned(profile.time_zone().clone()).map(|zoned| Some(zoned.timestamp())).map_err(|_| bad())
}

// ------------------------------------------------------------------------ inbox

#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    network: Option<String>,
    account: Option<String>,
    route: Option<String>,
    sector: Option<String>,
    status: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct InboxBody {
    cases: Vec<InboxCase>,
    next: Option<String>,
}

#[derive(Serialize)]
struct InboxCase {
    case_id: i64,
    message_id: i64,
    status: &'static str,
    network: String,
    account_id: i64,
    account: String,
    author: String,
    /// The citizen's words (personal information masked for roles without
    /// `read_personal_info`).
    text: String,
    received_at: String,
    action: Option<String>,
    categories: Vec<String>,
    clauses: Vec<String>,
    urgent: bool,
    urgent_kind: Option<String>,
    route: Option<String>,
    route_confirmed: bool,
    sector: Option<String>,
    assignee: Option<AssigneeBody>,
    /// The current first-response deadline (it moves later when a stage ends late).
    first_response_due: Option<String>,
    /// The first-response deadline the profile's commitment set at receipt; it never moves.
    committed_due: Option<String>,
    /// Business time left until `first_response_due` in the organisation's office hours
    /// (negative once passed); `null` without a deadline or when it cannot be computed.
    business_seconds_left: Option<i64>,
    overdue: bool,
}

#[derive(Serialize)]
struct AssigneeBody {
    user_id: i64,
    display_name: String,
}

/// Whether the query flag is set (`overdue=1`, `true`, `on`, …); empty or `false`/`0` is not.
fn flag(value: &Option<String>) -> bool {
    non_empty(value).is_some_and(|value| !matches!(value.as_str(), "0" | "false" | "non"))
}

/// `GET /organisations/{id}/inbox`.
async fn get_inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<InboxQuery>,
) -> ApiResult<InboxBody> {
    user.require(&state, Permission::ReadCases).map_err(auth_error)?;
    let (organisation_id, profile) = own_organisation(&state, &user, &id)?;
    // A respondent, who reads cases but does not triage them, sees the cases assigned to
    // them, as on the page.
    let own_only = crate::pages::inbox::own_cases_only(&state, &user);
    let status = match non_empty(&query.status) {
        Some(code) => Some(
            CaseStatus::parse(&code).map_err(|_| bad_request("invalid_filter", format!("Statut inconnu « {code} » (status).")))?,
        ),
        None => None,
    };
    let account_id = match non_empty(&query.account) {
        Some(raw) => Some(AccountId::new(
            raw.parse().map_err(|_| bad_request("invalid_filter", format!("Compte invalide « {raw} » (account) : un nombre attendu.")))?,
        )),
        None => None,
    };
    let cursor = match non_empty(&query.after) {
        Some(raw) => Some(
            InboxCursor::parse(&raw).ok_or_else(|| bad_request("invalid_cursor", format!("Curseur invalide « {raw} » (after).")))?,
        ),
        None => None,
    };
    let now = Timestamp::now();
    let filter = InboxFilter {
        network: non_empty(&query.network),
        account_id,
        route: non_empty(&query.route),
        sector: non_empty(&query.sector),
        status,
        category: non_empty(&query.category),
        overdue_at: flag(&query.overdue).then_some(now),
        assignee: own_only.then_some(user.user_id),
    };
    let page = state.store().inbox(&organisation_id, &filter, cursor, limit_of(query.limit)).await.map_err(store_error)?;
    let mask = !user.may(&state, Permission::ReadPersonalInfo);
    let calendar = crate::pages::inbox::calendar_for(&state, &organisation_id, &profile).await.map_err(|failure| {
        tracing::error!(?failure, "business calendar of the organisation");
        error(StatusCode::INTERNAL_SERVER_ERROR, "calendar_error", "Le calendrier de l'organisme n'a pas pu être établi.")
    })?;
    let cases = page
        .rows
        .into_iter()
        .map(|row| {
            let text = if mask {
                let evidence: Value =
                    row.evidence_json.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or(Value::Null);
                mask_spans(&row.text, &personal_spans(&evidence))
            } else {
                row.text
            };
            InboxCase {
                case_id: row.case_id.get(),
                message_id: row.message_id.get(),
                status: row.status.code(),
                network: row.network,
                account_id: row.account_id.get(),
                account: row.account_handle,
                author: row.author_display_name,
                text,
                received_at: row.received_at.to_string(),
                action: row.verdict_action,
                categories: row.categories,
                clauses: row.clauses,
                urgent: row.urgent,
                urgent_kind: row.urgent_kind,
                route: row.route,
                route_confirmed: row.route_confirmed,
                sector: row.sector,
                assignee: row.assignee.map(|(user_id, display_name)| AssigneeBody { user_id: user_id.get(), display_name }),
                first_response_due: row.due.map(|due| due.to_string()),
                committed_due: row.committed_due.map(|due| due.to_string()),
                business_seconds_left: row.due.and_then(|due| {
                    calendar.business_between(now, due).ok().map(|left| left.as_secs())
                }),
                overdue: row.due.is_some_and(|due| due < now),
            }
        })
        .collect();
    Ok(Json(InboxBody { cases, next: page.next.map(|next| next.to_string()) }))
}

// ------------------------------------------------------------------------ respondents

#[derive(Serialize)]
struct RespondentsBody {
    designations: Vec<DesignationBody>,
    absences: Vec<AbsenceBody>,
}

#[derive(Serialize)]
struct DesignationBody {
    unit: String,
    sector: String,
    respondent: PersonBody,
    substitute: Option<PersonBody>,
}

#[derive(Serialize)]
struct PersonBody {
    user_id: i64,
    login: String,
    display_name: String,
}

#[derive(Serialize)]
struct AbsenceBody {
    id: i64,
    user_id: i64,
    login: Option<String>,
    display_name: Option<String>,
    starts_at: String,
    ends_at: String,
    reason: String,
}

fn require_any(state: &AppState, user: &CurrentUser, permissions: &[Permission]) -> Result<(), Response> {
    if permissions.iter().any(|permission| user.may(state, *permission)) {
        return Ok(());
    }
    // Refuse with the first permission's sentence, as the page does.
    let first = permissions.first().copied().unwrap_or(Permission::ReadCases);
    user.require(state, first).map_err(auth_error)
}

fn absence_body(absence: &domain::respondents::Absence, members: &HashMap<UserId, &OrganisationMember>) -> AbsenceBody {
    let member = members.get(&absence.user);
    AbsenceBody {
        id: absence.id,
        user_id: absence.user.get(),
        login: member.map(|member| member.login.clone()),
        display_name: member.map(|member| member.display_name.clone()),
        starts_at: absence.period.start().to_string(),
        ends_at: absence.period.end().to_string(),
        reason: absence.reason.clone(),
    }
}

/// `GET /organisations/{id}/respondents`.
async fn get_respondents(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> ApiResult<RespondentsBody> {
    require_any(&state, &user, &RESPONDENT_LIST_READERS)?;
    let (organisation_id, _profile) = own_organisation(&state, &user, &id)?;
    let store = state.store();
    let (entries, absences, members) = tokio::try_join!(
        store.list_respondents(&organisation_id),
        store.list_absences(&organisation_id),
        store.organisation_members(&organisation_id),
    )
    .map_err(store_error)?;
    let by_id: HashMap<UserId, &OrganisationMember> = members.iter().map(|member| (member.user_id, member)).collect();
    let designations = entries
        .into_iter()
        .map(|entry| DesignationBody {
            unit: entry.designation.unit.as_str().to_owned(),
            sector: entry.designation.sector.as_str().to_owned(),
            respondent: PersonBody {
                user_id: entry.designation.respondent.get(),
                login: entry.respondent_login.to_string(),
                display_name: entry.respondent_name,
            },
            substitute: match (entry.designation.substitute, entry.substitute_login, entry.substitute_name) {
                (Some(user_id), Some(login), Some(display_name)) => {
                    Some(PersonBody { user_id: user_id.get(), login: login.to_string(), display_name })
                }
                _ => None,
            },
        })
        .collect();
    let absences = absences.iter().map(|absence| absence_body(absence, &by_id)).collect();
    Ok(Json(RespondentsBody { designations, absences }))
}

/// The member of the organisation with this login.
async fn member_by_login(state: &AppState, organisation_id: &OrganisationId, login: &str, field: &str) -> Result<OrganisationMember, Response> {
    let login = login.trim();
    state
        .store()
        .organisation_members(organisation_id)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|member| member.login == login)
        .ok_or_else(|| {
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_login",
                format!("Aucun membre de l'organisme n'a l'identifiant « {login} » ({field})."),
            )
        })
}

#[derive(Deserialize)]
struct DesignationRequest {
    unit: String,
    sector: String,
    respondent: String,
    substitute: Option<String>,
}

/// `POST /organisations/{id}/respondents`: designate (or replace) a unit's respondent and
/// substitute.
async fn post_designation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<DesignationRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<DesignationBody>), Response> {
    user.require(&state, Permission::DesignateRespondent).map_err(auth_error)?;
    let (organisation_id, profile) = own_organisation(&state, &user, &id)?;
    let Json(request) = body.map_err(body_error)?;
    let unit = UnitId::parse(request.unit.trim())
        .map_err(|failure| bad_request("invalid_unit", format!("Unité invalide (unit) : {failure}")))?;
    let sector = SectorId::in_profile(&profile, request.sector.trim())
        .map_err(|failure| bad_request("invalid_sector", format!("Secteur invalide (sector) : {failure}")))?;
    let respondent = member_by_login(&state, &organisation_id, &request.respondent, "respondent").await?;
    let substitute = match request.substitute.as_deref().map(str::trim).filter(|login| !login.is_empty()) {
        Some(login) => Some(member_by_login(&state, &organisation_id, login, "substitute").await?),
        None => None,
    };
    let designation = Designation {
        organisation_id: organisation_id.clone(),
        unit: unit.clone(),
        sector,
        respondent: respondent.user_id,
        substitute: substitute.as_ref().map(|member| member.user_id),
    };
    let by = user.attribution();
    let status = match state.store().designate_respondent(&by, &designation).await {
        Ok(_) => StatusCode::CREATED,
        Err(StoreError::AlreadyExists { .. }) => {
            state
                .store()
                .change_designation(&by, &organisation_id, &unit, Some(designation.respondent), Some(designation.substitute))
                .await
                .map_err(designation_refusal)?;
            StatusCode::OK
        }
        Err(failure) => return Err(designation_refusal(failure)),
    };
    Ok((
        status,
        Json(DesignationBody {
            unit: designation.unit.as_str().to_owned(),
            sector: designation.sector.as_str().to_owned(),
            respondent: PersonBody {
                user_id: respondent.user_id.get(),
                login: respondent.login,
                display_name: respondent.display_name,
            },
            substitute: substitute.map(|member| PersonBody {
                user_id: member.user_id.get(),
                login: member.login,
                display_name: member.display_name,
            }),
        }),
    ))
}

/// A refused designation or absence: the store's sentence says why (a respondent without
/// the role, a substitute equal to the respondent, a period that overlaps, …).
fn designation_refusal(failure: StoreError) -> Response {
    match failure {
        StoreError::InvalidRequest(message) => error(StatusCode::UNPROCESSABLE_ENTITY, "refused", message),
        other => store_error(other),
    }
}

#[derive(Deserialize)]
struct AbsenceRequest {
    login: String,
    starts_at: String,
    ends_at: String,
    #[serde(default)]
    reason: String,
}

fn timestamp(text: &str, field: &str) -> Result<Timestamp, Response> {
    text.trim().parse().map_err(|_| {
        bad_request("invalid_time", format!("Date invalide ({field}) : RFC 3339 attendu (2026-03-02T09:00:00-05:00), reçu « {text} »."))
    })
}

/// `POST /organisations/{id}/absences`.
async fn post_absence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<AbsenceRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AbsenceBody>), Response> {
    user.require(&state, Permission::DesignateRespondent).map_err(auth_error)?;
    let (organisation_id, _profile) = own_organisation(&state, &user, &id)?;
    let Json(request) = body.map_err(body_error)?;
    let member = member_by_login(&state, &organisation_id, &request.login, "login").await?;
    let period = Period::new(timestamp(&request.starts_at, "starts_at")?, timestamp(&request.ends_at, "ends_at")?)
        .map_err(|failure| bad_request("invalid_period", format!("Période invalide (starts_at, ends_at) : {failure}")))?;
    let absence = state
        .store()
        .record_absence(&user.attribution(), &organisation_id, member.user_id, period, request.reason.trim())
        .await
        .map_err(designation_refusal)?;
    // An absence already in force hands the person's open cases to the substitute at once
    // as the respondents page does: the periodic pass runs only with an SMTP relay.
    state
        .store()
        .reassign_for_absences(&user.attribution(), &organisation_id, jiff::Timestamp::now())
        .await
        .map_err(designation_refusal)?;
    let members = HashMap::from([(member.user_id, &member)]);
    Ok((StatusCode::CREATED, Json(absence_body(&absence, &members))))
}

// ------------------------------------------------------------------------ commitments

#[derive(Debug, Default, Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct CommitmentsBody {
    rows: Vec<CommitmentRowBody>,
}

#[derive(Serialize)]
struct CommitmentRowBody {
    sector: Option<String>,
    stage: String,
    week: String,
    cases: u32,
    on_time: u32,
    late: u32,
    open_overdue: u32,
    median_lateness_business_seconds: Option<i64>,
}

/// `GET /organisations/{id}/commitments`.
async fn get_commitments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<CommitmentsBody> {
    user.require(&state, Permission::ReadReports).map_err(auth_error)?;
    let (organisation_id, profile) = own_organisation(&state, &user, &id)?;
    let from = day_start(&profile, &query.from, "from", false)?;
    let to = day_start(&profile, &query.to, "to", false)?;
    let calendar = crate::pages::inbox::calendar_for(&state, &organisation_id, &profile).await.map_err(|failure| {
        tracing::error!(?failure, "business calendar of the organisation");
        error(StatusCode::INTERNAL_SERVER_ERROR, "calendar_error", "Le calendrier de l'organisme n'a pas pu être établi.")
    })?;
    let rows = state.store().commitment_report(&organisation_id, &calendar, from, to).await.map_err(store_error)?;
    let rows = rows
        .into_iter()
        .map(|row| CommitmentRowBody {
            sector: row.sector,
            stage: row.stage,
            week: row.week,
            cases: row.cases,
            on_time: row.on_time,
            late: row.late,
            open_overdue: row.open_overdue,
            median_lateness_business_seconds: row.median_lateness_business_seconds,
        })
        .collect();
    Ok(Json(CommitmentsBody { rows }))
}

// ------------------------------------------------------------------------ audit

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<u64>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct AuditBody {
    entries: Vec<AuditEntryBody>,
    chain: ChainBody,
    /// The `before` of the next page, `None` on the last one.
    next_before: Option<u64>,
}

#[derive(Serialize)]
struct ChainBody {
    intact: bool,
    entries: Option<u64>,
    broken_at: Option<u64>,
    detail: Option<String>,
}

#[derive(Serialize)]
struct AuditEntryBody {
    sequence: u64,
    at: String,
    actor: String,
    action: String,
    entity_kind: &'static str,
    entity_id: String,
    rule: Option<String>,
    /// Whether `before`/`after` were left out (roles without `read_personal_info`).
    changes_hidden: bool,
    before: Option<Value>,
    after: Option<Value>,
}

fn parse_json(text: Option<&str>) -> Option<Value> {
    text.map(|text| serde_json::from_str(text).unwrap_or(Value::String(text.to_owned())))
}

/// `GET /audit`.
async fn get_audit(State(state): State<AppState>, user: CurrentUser, Query(query): Query<AuditQuery>) -> ApiResult<AuditBody> {
    user.require(&state, Permission::ReadAudit).map_err(auth_error)?;
    let (_, profile) = own_organisation(&state, &user, user.organisation_id.as_str())?;
    let filter = AuditFilter {
        actor_contains: non_empty(&query.actor),
        action: non_empty(&query.action),
        entity_kind: non_empty(&query.entity),
        entity_id: non_empty(&query.entity_id),
        from: day_start(&profile, &query.from, "from", false)?,
        // "Until" a day includes that day, as on the page.
        to: day_start(&profile, &query.to, "to", true)?,
    };
    let limit = limit_of(query.limit);
    let store = state.store();
    let (entries, verification) =
        tokio::try_join!(store.search_audit(&filter, query.before, limit), store.verify_audit_chain()).map_err(store_error)?;
    let chain = match verification {
        AuditVerification::Intact { entries } => ChainBody { intact: true, entries: Some(entries), broken_at: None, detail: None },
        AuditVerification::Broken(chain_break) => {
            ChainBody { intact: false, entries: None, broken_at: Some(chain_break.sequence), detail: Some(chain_break.detail) }
        }
    };
    let next_before = (entries.len() == limit as usize).then(|| entries.last().map(|last| last.sequence)).flatten();
    // Changes may quote a citizen (a verdict's evidence): as on the page, they stay with
    // the roles that may read personal information.
    let show_changes = user.may(&state, Permission::ReadPersonalInfo);
    let entries = entries
        .into_iter()
        .map(|entry| AuditEntryBody {
            sequence: entry.sequence,
            at: entry.at.to_string(),
            actor: entry.event.attribution.actor.to_audit_text(),
            action: entry.event.action.as_str().to_owned(),
            entity_kind: entry.event.entity_kind.code(),
            entity_id: entry.event.entity_id.clone(),
            rule: entry.event.attribution.rule.clone(),
            changes_hidden: !show_changes,
            before: if show_changes { parse_json(entry.event.before_json.as_deref()) } else { None },
            after: if show_changes { parse_json(entry.event.after_json.as_deref()) } else { None },
        })
        .collect();
    Ok(Json(AuditBody { entries, chain, next_before }))
}
