//! The versioned JSON API (`/api/v1`). The wire shapes are defined here and filled by hand
//! from domain types, so a refactoring of the domain never changes the contract silently.
//! Errors are `{"error": {"code": "snake_case", "message": "French sentence"}}`.

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::audit::AuditVerification;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/organisations", get(list_organisations))
        .route("/organisations/{id}", get(get_organisation))
        .route("/organisations/{id}/holidays", get(list_holidays))
        .route("/organisations/{id}/messages", get(list_messages))
        .route("/audit/verify", get(verify_audit))
}

/// An API error: a stable code for programs and a French sentence for people.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(error: store::StoreError) -> ApiError {
        // Internal detail goes to the log, never to the client.
        tracing::error!(%error, "store error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: error.code(),
            message: "Erreur de la base de données ; l'opération n'a pas été effectuée.".to_owned(),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: &self.message } };
        (self.status, Json(body)).into_response()
    }
}

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    backend: &'static str,
    organisations: usize,
}

async fn health(State(state): State<AppState>) -> Json<HealthBody> {
    let backend = match state.store().backend() {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    };
    Json(HealthBody { status: "ok", backend, organisations: state.organisations().len() })
}

#[derive(Serialize)]
struct OrganisationSummary {
    id: String,
    name: String,
    abbreviation: String,
    kind: &'static str,
    time_zone: String,
}

async fn list_organisations(State(state): State<AppState>) -> Json<Vec<OrganisationSummary>> {
    let summaries = state
        .organisations()
        .iter()
        .map(|entry| {
            let identity = entry.profile.identity();
            OrganisationSummary {
                id: entry.id.clone(),
                name: identity.name.clone(),
                abbreviation: identity.abbreviation.clone(),
                kind: identity.kind.id(),
                time_zone: entry.profile.time_zone_name().to_owned(),
            }
        })
        .collect();
    Json(summaries)
}

#[derive(Serialize)]
struct OrganisationDetail {
    id: String,
    name: String,
    abbreviation: String,
    time_zone: String,
    business_hours: Vec<DayHours>,
    clauses: Vec<ClauseBody>,
    commitments: Vec<CommitmentBody>,
}

#[derive(Serialize)]
struct DayHours {
    weekday: &'static str,
    windows: Vec<String>,
}

#[derive(Serialize)]
struct ClauseBody {
    id: String,
    category: &'static str,
    wording: String,
    source: String,
}

#[derive(Serialize)]
struct CommitmentBody {
    id: String,
    label: String,
    stages: Vec<StageBody>,
}

#[derive(Serialize)]
struct StageBody {
    id: String,
    label: String,
    budget: String,
    carrier: &'static str,
}

async fn get_organisation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OrganisationDetail>, ApiError> {
    let entry = state
        .organisation(&id)
        .ok_or_else(|| ApiError::not_found(format!("Aucune organisation « {id} » sur cette installation.")))?;
    let profile = &entry.profile;
    let hours = profile.business_hours();
    let business_hours = domain::calendar::WEEKDAYS_MONDAY_FIRST
        .iter()
        .map(|weekday| DayHours {
            weekday: domain::calendar::weekday_id(*weekday),
            windows: hours.windows(*weekday).iter().map(ToString::to_string).collect(),
        })
        .collect();
    let clauses = profile
        .netiquette()
        .clauses
        .iter()
        .map(|clause| ClauseBody {
            id: clause.id.clone(),
            category: clause.category.id(),
            wording: clause.wording.clone(),
            source: clause.source.to_string(),
        })
        .collect();
    let commitments = profile
        .commitments()
        .iter()
        .map(|commitment| CommitmentBody {
            id: commitment.id.clone(),
            label: commitment.label.clone(),
            stages: commitment
                .stages
                .iter()
                .map(|stage| StageBody {
                    id: stage.id.clone(),
                    label: stage.label.clone(),
                    budget: domain::profile::format_budget(&stage.budget),
                    carrier: stage.carrier.id(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(OrganisationDetail {
        id: entry.id.clone(),
        name: profile.identity().name.clone(),
        abbreviation: profile.identity().abbreviation.clone(),
        time_zone: profile.time_zone_name().to_owned(),
        business_hours,
        clauses,
        commitments,
    }))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i16>,
}

#[derive(Serialize)]
struct HolidayBody {
    date: String,
    name: String,
}

async fn list_holidays(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Json<Vec<HolidayBody>>, ApiError> {
    let entry = state
        .organisation(&id)
        .ok_or_else(|| ApiError::not_found(format!("Aucune organisation « {id} » sur cette installation.")))?;
    let year = match query.year {
        Some(year) if (1900..=2200).contains(&year) => year,
        Some(year) => {
            return Err(ApiError::bad_request(
                "invalid_year",
                format!("Année {year} hors de la plage 1900–2200."),
            ));
        }
        None => jiff::Zoned::now().year(),
    };
    let holidays = entry
        .profile
        .holidays()
        .observed(year)
        .into_iter()
        .map(|holiday| HolidayBody { date: holiday.date.to_string(), name: holiday.name })
        .collect();
    Ok(Json(holidays))
}

#[derive(Deserialize)]
struct MessagesQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct MessageBody {
    id: i64,
    network: String,
    external_id: String,
    thread: Option<String>,
    author: String,
    /// Exactly as received; JSON escaping keeps it inert.
    text: String,
    kind: &'static str,
    received_at: String,
    verdict: Option<VerdictBody>,
    case: Option<CaseBody>,
}

#[derive(Serialize)]
struct VerdictBody {
    action: String,
    categories: Vec<String>,
    urgent: Option<String>,
    clauses: Vec<String>,
    evidence: serde_json::Value,
    language: String,
    explanation: String,
}

#[derive(Serialize)]
struct CaseBody {
    id: i64,
    status: &'static str,
    suggested_route: Option<String>,
    reasons: serde_json::Value,
    first_response_due: Option<String>,
    stages: Vec<CaseStageBody>,
}

#[derive(Serialize)]
struct CaseStageBody {
    stage: String,
    due: String,
}

/// The organisation's messages, oldest first, each with its verdict and its case (route
/// suggestion and deadlines). Paged with `after` (a message id) and `limit` (at most 500).
async fn list_messages(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<MessagesQuery>,
) -> Result<Response, ApiError> {
    // The access table already required `read_cases`; only the person's own organisation.
    if let Err(refusal) = user.require_organisation(&id) {
        return Ok(refusal.into_response());
    }
    let entry = state
        .organisation(&id)
        .ok_or_else(|| ApiError::not_found(format!("Aucune organisation « {id} » sur cette installation.")))?;
    let organisation_id = domain::entities::OrganisationId::parse(&entry.id)
        .map_err(|_| ApiError::not_found(format!("Aucune organisation « {id} » sur cette installation.")))?;
    let zone = entry.profile.time_zone().clone();
    let rfc3339 = |timestamp: jiff::Timestamp| {
        timestamp.to_zoned(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    };
    let page = store::MessagePage {
        after: query.after.map(domain::entities::MessageId::new),
        limit: query.limit.unwrap_or(50).clamp(1, 500),
    };
    let store = state.store();
    let mut bodies = Vec::new();
    for message in store.list_messages(&organisation_id, page).await? {
        let verdict = store.get_verdict(message.id).await?.map(|verdict| VerdictBody {
            action: verdict.action,
            categories: verdict.categories,
            urgent: verdict.urgent,
            clauses: verdict.clauses,
            evidence: serde_json::from_str(&verdict.evidence_json).unwrap_or_default(),
            language: verdict.language,
            explanation: verdict.explanation,
        });
        let case = match store.find_case_for_message(message.id).await? {
            Some(case) => {
                let suggestion = store.get_suggestion(case.id).await?;
                let deadlines = store.get_deadlines(case.id).await?;
                Some(CaseBody {
                    id: case.id.get(),
                    status: case.status.code(),
                    suggested_route: suggestion.as_ref().map(|stored| stored.suggestion.route.clone()),
                    reasons: suggestion
                        .as_ref()
                        .and_then(|stored| serde_json::from_str(&stored.suggestion.reasons_json).ok())
                        .unwrap_or_default(),
                    first_response_due: deadlines.as_ref().map(|plan| rfc3339(plan.first_response_due)),
                    stages: deadlines
                        .map(|plan| {
                            plan.stages
                                .into_iter()
                                .map(|stage| CaseStageBody { stage: stage.stage, due: rfc3339(stage.planned_due) })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            }
            None => None,
        };
        let received = message.received;
        bodies.push(MessageBody {
            id: message.id.get(),
            network: received.network.as_str().to_owned(),
            external_id: received.external_id.as_str().to_owned(),
            thread: received.thread.map(|thread| thread.as_str().to_owned()),
            author: received.author.display_name,
            text: received.text,
            kind: received.kind.code(),
            received_at: rfc3339(received.received_at),
            verdict,
            case,
        });
    }
    Ok(Json(bodies).into_response())
}

#[derive(Serialize)]
struct AuditVerifyBody {
    status: &'static str,
    entries: Option<u64>,
    first_bad_sequence: Option<u64>,
    reason: Option<&'static str>,
    detail: Option<String>,
}

async fn verify_audit(State(state): State<AppState>) -> Result<Json<AuditVerifyBody>, ApiError> {
    let body = match state.store().verify_audit_chain().await? {
        AuditVerification::Intact { entries } => AuditVerifyBody {
            status: "intact",
            entries: Some(entries),
            first_bad_sequence: None,
            reason: None,
            detail: None,
        },
        AuditVerification::Broken(chain_break) => AuditVerifyBody {
            status: "broken",
            entries: None,
            first_bad_sequence: Some(chain_break.sequence),
            reason: Some(chain_break.kind.code()),
            detail: Some(chain_break.detail),
        },
    };
    Ok(Json(body))
}
