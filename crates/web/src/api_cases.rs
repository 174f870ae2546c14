//! The JSON API of one case (`/api/v1/cases/{id}` and its actions): read the case with its
//! message, verdict, suggestion, deadlines, assignments, replies, proposed answers, the
//! author's history and the audit trail; confirm or change the route, hide, unhide or delete
//! the message, warn or block the author, prepare, edit and confirm replies, propose and
//! review answers, assign. Each action checks the profile permission it needs (route and
//! assignment: `triage`; moderation and warnings: `moderate`; block: `block_author`;
//! replies and reviews: `reply`; proposed answers: `supply_answer`; reading: `read_cases`)
//! and the person's organisation.
//!
//! Personal information: for a role without `read_personal_info`, the characters of
//! the personal-information evidence spans are replaced by `•` in the response only; the
//! store keeps the citizen's words as received.
//!
//! Shapes (times are RFC 3339, UTC):
//! - `GET /cases/{id}` → `{"case", "message", "verdict", "suggestion", "deadlines",
//!   "assignments", "moderation_actions", "replies", "answers", "author_history",
//!   "history"}` (see [`CaseDetail`]);
//! - `POST /cases/{id}/route {"route"}` → the case detail;
//! - `POST /cases/{id}/moderation {"action": "hide"|"unhide"|"delete", "clause"?}` →
//!   `{"id", "action", "clause", "decided_by", "decided_at", "outbox_id"}`;
//! - `POST /cases/{id}/warnings {"clause"?, "text"?}` → `{"warning_id",
//!   "warnings_on_account", "block_proposed"}`;
//! - `POST /cases/{id}/block {"reason"}` → the block;
//! - `POST /cases/{id}/replies {"text"?}` → a reply draft (the profile's template when no
//!   text); `POST /replies/{id} {"text"}` edits a draft; `POST /replies/{id}/confirm` puts
//!   it in the outbox (the only way a reply leaves);
//! - `POST /cases/{id}/answers {"text"}` → a proposed answer; `POST /answers/{id}/review
//!   {"decision": "approve"|"request_changes", "comment"?}` → the answer;
//! - `POST /cases/{id}/assign {"login"}` → `{"id", "case_id", "user_id", "login",
//!   "assigned_at"}`.

// Handlers return axum's `Response` as their error: it is built once and moved out.
#![allow(clippy::result_large_err)]

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::audit::AuditEntry;
use domain::entities::{CaseId, Login};
use domain::profile::Permission;
use pipeline::PipelineError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::case_actions::{
    BlockedAuthor, ModerationAction, ModerationDecision, ProposedAnswer, Reply, ReviewDecision,
};
use store::StoreError;

use crate::auth::{AuthError, CurrentUser};
use crate::AppState;

/// The routes of this module, merged under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/route", post(post_route))
        .route("/cases/{id}/moderation", post(post_moderation))
        .route("/cases/{id}/warnings", post(post_warning))
        .route("/cases/{id}/block", post(post_block))
        .route("/cases/{id}/replies", post(post_reply))
        .route("/cases/{id}/answers", post(post_answer))
        .route("/cases/{id}/assign", post(post_assign))
        .route("/replies/{id}", post(post_edit_reply))
        .route("/replies/{id}/confirm", post(post_confirm_reply))
        .route("/answers/{id}/review", post(post_review))
}

// ------------------------------------------------------------------------ errors

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
}

pub(crate) fn error(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error: ErrorDetail { code, message: message.into() } })).into_response()
}

pub(crate) fn auth_error(refusal: AuthError) -> Response {
    refusal.into_response()
}

pub(crate) fn store_error(failure: StoreError) -> Response {
    match &failure {
        StoreError::NotFound { .. } => error(StatusCode::NOT_FOUND, "not_found", "Cet élément n'existe pas."),
        StoreError::InvalidRequest(message) => error(StatusCode::BAD_REQUEST, "invalid_request", message.clone()),
        StoreError::AlreadyExists { .. } => {
            error(StatusCode::CONFLICT, "already_exists", "Cette décision est déjà enregistrée.")
        }
        _ => {
            // Internal detail goes to the log, never to the client.
            tracing::error!(error = %failure, "store error");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                failure.code(),
                "Erreur de la base de données ; l'opération n'a pas été effectuée.",
            )
        }
    }
}

fn pipeline_error(failure: PipelineError) -> Response {
    match failure {
        PipelineError::Store(failure) => store_error(failure),
        PipelineError::Refused { code, message } if code == "case_not_found" => {
            error(StatusCode::NOT_FOUND, code, message)
        }
        PipelineError::Refused { code, message } => error(StatusCode::UNPROCESSABLE_ENTITY, code, message),
        PipelineError::Profile { .. } => {
            tracing::error!(error = %failure, "profile error");
            error(StatusCode::INTERNAL_SERVER_ERROR, "profile_error", failure.to_string())
        }
    }
}

pub(crate) fn body_error(rejection: JsonRejection) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        format!("Corps de la requête invalide : {}", rejection.body_text()),
    )
}

type ApiResult<T> = Result<Json<T>, Response>;

fn parse_id(raw: &str, what: &str) -> Result<i64, Response> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "not_found", format!("{what} « {raw} » n'existe pas."))
    })
}

/// Loads a case, checks the person's organisation and the permission.
async fn authorised_case(
    state: &AppState,
    user: &CurrentUser,
    raw_id: &str,
    permission: Permission,
) -> Result<domain::entities::Case, Response> {
    user.require(state, permission).map_err(auth_error)?;
    let case_id = CaseId::new(parse_id(raw_id, "Le dossier")?);
    let case = state
        .store()
        .get_case(case_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("Le dossier {raw_id} n'existe pas.")))?;
    user.require_organisation(case.organisation_id.as_str()).map_err(auth_error)?;
    Ok(case)
}

// ------------------------------------------------------------------------ shapes

/// Everything the case page shows.
#[derive(Serialize)]
pub struct CaseDetail {
    case: CaseBody,
    message: MessageBody,
    verdict: Option<Value>,
    suggestion: Option<Value>,
    deadlines: Option<Value>,
    assignments: Vec<Value>,
    moderation_actions: Vec<Value>,
    replies: Vec<ReplyBody>,
    answers: Vec<AnswerBody>,
    author_history: Value,
    history: Vec<HistoryEntry>,
}

#[derive(Serialize)]
struct CaseBody {
    id: i64,
    organisation_id: String,
    message_id: i64,
    route: Option<String>,
    status: &'static str,
    assignee_user_id: Option<i64>,
    opened_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct MessageBody {
    id: i64,
    network: String,
    account_id: i64,
    external_id: String,
    thread: Option<String>,
    author_external_id: String,
    author_name: String,
    kind: &'static str,
    /// The citizen's words (personal information masked for roles without
    /// `read_personal_info`).
    text: String,
    received_at: String,
}

#[derive(Serialize)]
struct ReplyBody {
    id: i64,
    case_id: i64,
    text: String,
    status: &'static str,
    answer_id: Option<i64>,
    prepared_by: String,
    prepared_at: String,
    confirmed_by: Option<String>,
    confirmed_at: Option<String>,
    outbox_id: Option<i64>,
}

impl From<Reply> for ReplyBody {
    fn from(reply: Reply) -> ReplyBody {
        ReplyBody {
            id: reply.id,
            case_id: reply.case_id.get(),
            text: reply.text,
            status: reply.status.code(),
            answer_id: reply.answer_id,
            prepared_by: reply.prepared_by,
            prepared_at: reply.prepared_at.to_string(),
            confirmed_by: reply.confirmed_by,
            confirmed_at: reply.confirmed_at.map(|at| at.to_string()),
            outbox_id: reply.outbox_id,
        }
    }
}

#[derive(Serialize)]
struct AnswerBody {
    id: i64,
    case_id: i64,
    text: String,
    status: &'static str,
    proposed_by: String,
    proposed_at: String,
    reviewed_by: Option<String>,
    reviewed_at: Option<String>,
    review_comment: Option<String>,
}

impl From<ProposedAnswer> for AnswerBody {
    fn from(answer: ProposedAnswer) -> AnswerBody {
        AnswerBody {
            id: answer.id,
            case_id: answer.case_id.get(),
            text: answer.text,
            status: answer.status.code(),
            proposed_by: answer.proposed_by,
            proposed_at: answer.proposed_at.to_string(),
            reviewed_by: answer.reviewed_by,
            reviewed_at: answer.reviewed_at.map(|at| at.to_string()),
            review_comment: answer.review_comment,
        }
    }
}

fn decision_json(decision: &ModerationDecision) -> Value {
    serde_json::json!({
        "id": decision.id,
        "case_id": decision.case_id.get(),
        "message_id": decision.message_id.get(),
        "action": decision.action.code(),
        "clause": decision.clause,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.to_string(),
        "outbox_id": decision.outbox_id,
    })
}

fn block_json(block: &BlockedAuthor) -> Value {
    serde_json::json!({
        "id": block.id,
        "organisation_id": block.organisation_id.as_str(),
        "network": block.network,
        "author_external_id": block.author_external_id,
        "account_id": block.account_id.get(),
        "case_id": block.case_id.get(),
        "reason": block.reason,
        "blocked_by": block.blocked_by,
        "blocked_at": block.blocked_at.to_string(),
        "outbox_id": block.outbox_id,
    })
}

#[derive(Serialize)]
struct HistoryEntry {
    sequence: u64,
    at: String,
    actor: String,
    action: String,
    rule: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
}

// ------------------------------------------------------------------------ personal information

/// The character ranges of personal-information evidence in a stored evidence array.
pub(crate) fn personal_spans(evidence: &Value) -> Vec<(usize, usize)> {
    evidence
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|item| item.get("category").and_then(Value::as_str) == Some("personal_info"))
                .filter_map(|item| {
                    let start = usize::try_from(item.get("start")?.as_u64()?).ok()?;
                    let end = usize::try_from(item.get("end")?.as_u64()?).ok()?;
                    Some((start, end))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The text with the characters of `spans` (character offsets) replaced by `•`, for the
/// response only.
pub(crate) fn mask_spans(text: &str, spans: &[(usize, usize)]) -> String {
    text.chars()
        .enumerate()
        .map(|(index, character)| {
            let inside = spans.iter().any(|(start, end)| (*start..*end).contains(&index));
            if inside && !character.is_whitespace() { '•' } else { character }
        })
        .collect()
}

/// Masks, anywhere in a JSON value, the `matched` words of personal-information evidence
/// (audit entries and verdicts quote them).
fn mask_matched(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let personal = map.get("category").and_then(Value::as_str) == Some("personal_info");
            for (key, inner) in map.iter_mut() {
                if personal && key == "matched" {
                    if let Value::String(matched) = inner {
                        *matched = bullets(matched);
                    }
                } else {
                    mask_matched(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_matched),
        _ => {}
    }
}

/// The words of the personal-information spans of a text (character offsets).
fn personal_words(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let mut words: Vec<String> = spans
        .iter()
        .map(|(start, end)| text.chars().skip(*start).take(end.saturating_sub(*start)).collect::<String>())
        .filter(|word| !word.trim().is_empty())
        .collect();
    // Longest first, so a span inside another is not masked half-way.
    words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
    words.dedup();
    words
}

fn bullets(word: &str) -> String {
    word.chars().map(|c| if c.is_whitespace() { c } else { '•' }).collect()
}

/// Masks every copy of the personal words in every string of a response (explanations and
/// audit entries quote the citizen's words).
fn mask_strings(value: &mut Value, words: &[String]) {
    match value {
        Value::String(text) => {
            for word in words {
                if text.contains(word.as_str()) {
                    *text = text.replace(word.as_str(), &bullets(word));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask_strings(item, words)),
        Value::Object(map) => map.values_mut().for_each(|item| mask_strings(item, words)),
        _ => {}
    }
}

fn parse_json(text: Option<&str>) -> Option<Value> {
    text.map(|text| serde_json::from_str(text).unwrap_or(Value::String(text.to_owned())))
}

fn history_entry(entry: AuditEntry, mask: bool) -> HistoryEntry {
    let mut before = parse_json(entry.event.before_json.as_deref());
    let mut after = parse_json(entry.event.after_json.as_deref());
    if mask {
        before.iter_mut().for_each(mask_matched);
        after.iter_mut().for_each(mask_matched);
    }
    HistoryEntry {
        sequence: entry.sequence,
        at: entry.at.to_string(),
        actor: entry.event.attribution.actor.to_audit_text(),
        action: entry.event.action.as_str().to_owned(),
        rule: entry.event.attribution.rule,
        before,
        after,
    }
}

// ------------------------------------------------------------------------ read

async fn case_detail(state: &AppState, user: &CurrentUser, case: domain::entities::Case) -> Result<Value, Response> {
    let store = state.store();
    let mask = !user.may(state, Permission::ReadPersonalInfo);
    let message = store
        .get_message(case.message_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", "Le message du dossier n'existe pas."))?;
    let verdict = store.get_verdict(case.message_id).await.map_err(store_error)?;
    let evidence: Value = verdict
        .as_ref()
        .and_then(|verdict| serde_json::from_str(&verdict.evidence_json).ok())
        .unwrap_or(Value::Array(Vec::new()));
    let received = &message.received;
    let text = if mask { mask_spans(&received.text, &personal_spans(&evidence)) } else { received.text.clone() };
    let verdict = verdict.map(|verdict| {
        let mut evidence = evidence.clone();
        if mask {
            mask_matched(&mut evidence);
        }
        serde_json::json!({
            "action": verdict.action,
            "categories": verdict.categories,
            "urgent": verdict.urgent,
            "clauses": verdict.clauses,
            "evidence": evidence,
            "language": verdict.language,
            "explanation": verdict.explanation,
            "substance_remains": verdict.substance_remains,
            "engine_version": verdict.engine_version,
        })
    });
    let suggestion = store.get_suggestion(case.id).await.map_err(store_error)?.map(|stored| {
        let suggestion = &stored.suggestion;
        serde_json::json!({
            "route": suggestion.route,
            "route_family": suggestion.route_family,
            "target_id": suggestion.target_id,
            "reasons": serde_json::from_str::<Value>(&suggestion.reasons_json).unwrap_or_default(),
            "alternatives": serde_json::from_str::<Value>(&suggestion.alternatives_json).unwrap_or_default(),
            "reply_expected": suggestion.reply_expected,
            "suggested_page": suggestion.suggested_page_json.as_deref().and_then(|page| serde_json::from_str::<Value>(page).ok()),
            "suggested_at": stored.suggested_at.to_string(),
            "confirmation": stored.confirmation.as_ref().map(|confirmation| serde_json::json!({
                "route": confirmation.route,
                "by": confirmation.by,
                "at": confirmation.at.to_string(),
            })),
        })
    });
    let deadlines = store.get_deadlines(case.id).await.map_err(store_error)?.map(|deadlines| {
        serde_json::json!({
            "commitment_id": deadlines.commitment_id,
            "clock_start": deadlines.clock_start.to_string(),
            "stages": deadlines.stages.iter().map(|stage| serde_json::json!({
                "stage": stage.stage,
                "starts": stage.starts.to_string(),
                "planned_due": stage.planned_due.to_string(),
                "ended_at": stage.ended_at.map(|at| at.to_string()),
            })).collect::<Vec<_>>(),
            "first_response_due": deadlines.first_response_due.to_string(),
            "committed_due": deadlines.committed_due.to_string(),
        })
    });
    let assignments = store
        .list_assignments(case.id)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|assignment| {
            serde_json::json!({
                "id": assignment.id.get(),
                "user_id": assignment.user_id.get(),
                "assigned_at": assignment.assigned_at.to_string(),
            })
        })
        .collect();
    let moderation_actions =
        store.case_moderation_actions(case.id).await.map_err(store_error)?.iter().map(decision_json).collect();
    let replies = store.case_replies(case.id).await.map_err(store_error)?.into_iter().map(ReplyBody::from).collect();
    let answers = store.case_answers(case.id).await.map_err(store_error)?.into_iter().map(AnswerBody::from).collect();
    let author = store
        .author_history(&case.organisation_id, received.network.as_str(), received.author.external_id.as_str())
        .await
        .map_err(store_error)?;
    let author_history = serde_json::json!({
        "cases": author.cases.iter().map(|earlier| serde_json::json!({
            "case_id": earlier.case_id.get(),
            "message_id": earlier.message_id.get(),
            "received_at": earlier.received_at.to_string(),
            "route": earlier.route,
        })).collect::<Vec<_>>(),
        "warnings": author.warnings,
        "blocked": author.blocked,
    });
    let history = store
        .case_audit(case.id)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|entry| history_entry(entry, mask))
        .collect();
    let words = if mask { personal_words(&received.text, &personal_spans(&evidence)) } else { Vec::new() };
    let detail = CaseDetail {
        case: CaseBody {
            id: case.id.get(),
            organisation_id: case.organisation_id.to_string(),
            message_id: case.message_id.get(),
            route: case.route.as_ref().map(ToString::to_string),
            status: case.status.code(),
            assignee_user_id: case.assignee.map(|user| user.get()),
            opened_at: case.opened_at.to_string(),
            updated_at: case.updated_at.to_string(),
        },
        message: MessageBody {
            id: message.id.get(),
            network: received.network.to_string(),
            account_id: received.account_id.get(),
            external_id: received.external_id.to_string(),
            thread: received.thread.as_ref().map(ToString::to_string),
            author_external_id: received.author.external_id.to_string(),
            author_name: received.author.display_name.clone(),
            kind: received.kind.code(),
            text,
            received_at: received.received_at.to_string(),
        },
        verdict,
        suggestion,
        deadlines,
        assignments,
        moderation_actions,
        replies,
        answers,
        author_history,
        history,
    };
    let mut value = serde_json::to_value(detail).map_err(|failure| {
        tracing::error!(error = %failure, "case serialisation");
        error(StatusCode::INTERNAL_SERVER_ERROR, "serialisation_failed", "Le dossier n'a pas pu être produit.")
    })?;
    if mask {
        mask_strings(&mut value, &words);
    }
    Ok(value)
}

async fn get_case(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> ApiResult<Value> {
    let case = authorised_case(&state, &user, &id, Permission::ReadCases).await?;
    Ok(Json(case_detail(&state, &user, case).await?))
}

// ------------------------------------------------------------------------ actions

#[derive(Deserialize)]
struct RouteRequest {
    route: String,
}

async fn post_route(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<RouteRequest>, JsonRejection>,
) -> ApiResult<Value> {
    let case = authorised_case(&state, &user, &id, Permission::Triage).await?;
    let Json(request) = body.map_err(body_error)?;
    let changed = state
        .pipeline()
        .change_route(&user.attribution(), case.id, &request.route)
        .await
        .map_err(pipeline_error)?;
    Ok(Json(case_detail(&state, &user, changed).await?))
}

#[derive(Deserialize)]
struct ModerationRequest {
    action: String,
    clause: Option<String>,
}

/// Checks a clause id against the case's profile.
fn check_clause(state: &AppState, case: &domain::entities::Case, clause: Option<&str>) -> Result<(), Response> {
    let Some(clause) = clause else { return Ok(()) };
    let known = state
        .organisation(case.organisation_id.as_str())
        .is_some_and(|entry| entry.profile.clause(clause).is_some());
    if known {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "clause_unknown",
            format!("Le profil ne contient pas la clause « {clause} »."),
        ))
    }
}

async fn post_moderation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<ModerationRequest>, JsonRejection>,
) -> ApiResult<Value> {
    let case = authorised_case(&state, &user, &id, Permission::Moderate).await?;
    let Json(request) = body.map_err(body_error)?;
    let action = ModerationAction::parse(&request.action).ok_or_else(|| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "moderation_action_invalid",
            format!("Action « {} » inconnue : hide, unhide ou delete.", request.action),
        )
    })?;
    let clause = request.clause.as_deref().map(str::trim).filter(|clause| !clause.is_empty());
    check_clause(&state, &case, clause)?;
    let decision = state
        .store()
        .record_moderation_action(&user.attribution(), case.id, action, clause)
        .await
        .map_err(store_error)?;
    Ok(Json(decision_json(&decision)))
}

#[derive(Deserialize, Default)]
struct WarningRequest {
    clause: Option<String>,
    text: Option<String>,
}

async fn post_warning(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<WarningRequest>, JsonRejection>,
) -> ApiResult<Value> {
    let case = authorised_case(&state, &user, &id, Permission::Moderate).await?;
    let request = match body {
        Ok(Json(request)) => request,
        Err(JsonRejection::MissingJsonContentType(_)) => WarningRequest::default(),
        Err(rejection) => return Err(body_error(rejection)),
    };
    let clause = request.clause.as_deref().map(str::trim).filter(|clause| !clause.is_empty());
    let text = request.text.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let outcome = state
        .pipeline()
        .warn_author(&user.attribution(), case.id, clause, text)
        .await
        .map_err(pipeline_error)?;
    Ok(Json(serde_json::json!({
        "warning_id": outcome.warning_id,
        "warnings_on_account": outcome.warnings_on_account,
        "block_proposed": outcome.block_proposed,
    })))
}

#[derive(Deserialize)]
struct BlockRequest {
    reason: String,
}

async fn post_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<BlockRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), Response> {
    let case = authorised_case(&state, &user, &id, Permission::BlockAuthor).await?;
    let Json(request) = body.map_err(body_error)?;
    if request.reason.trim().is_empty() {
        return Err(error(StatusCode::UNPROCESSABLE_ENTITY, "reason_missing", "Indiquez le motif du blocage."));
    }
    let block = state
        .store()
        .block_author(&user.attribution(), case.id, request.reason.trim())
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(block_json(&block))))
}

#[derive(Deserialize, Default)]
struct ReplyRequest {
    text: Option<String>,
}

async fn post_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<ReplyRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<ReplyBody>), Response> {
    let case = authorised_case(&state, &user, &id, Permission::Reply).await?;
    let request = match body {
        Ok(Json(request)) => request,
        Err(JsonRejection::MissingJsonContentType(_)) => ReplyRequest::default(),
        Err(rejection) => return Err(body_error(rejection)),
    };
    let reply = state
        .pipeline()
        .prepare_reply(&user.attribution(), case.id, request.text.as_deref())
        .await
        .map_err(pipeline_error)?;
    Ok((StatusCode::CREATED, Json(ReplyBody::from(reply))))
}

/// Loads a reply and checks its case's organisation and the `reply` permission.
async fn authorised_reply(state: &AppState, user: &CurrentUser, raw_id: &str) -> Result<Reply, Response> {
    user.require(state, Permission::Reply).map_err(auth_error)?;
    let reply_id = parse_id(raw_id, "La réponse")?;
    let reply = state
        .store()
        .get_reply(reply_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("La réponse {raw_id} n'existe pas.")))?;
    authorised_case(state, user, &reply.case_id.get().to_string(), Permission::Reply).await?;
    Ok(reply)
}

#[derive(Deserialize)]
struct EditReplyRequest {
    text: String,
}

async fn post_edit_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<EditReplyRequest>, JsonRejection>,
) -> ApiResult<ReplyBody> {
    let reply = authorised_reply(&state, &user, &id).await?;
    let Json(request) = body.map_err(body_error)?;
    let edited = state
        .store()
        .edit_reply(&user.attribution(), reply.id, &request.text)
        .await
        .map_err(store_error)?;
    Ok(Json(ReplyBody::from(edited)))
}

async fn post_confirm_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<ReplyBody> {
    let reply = authorised_reply(&state, &user, &id).await?;
    let confirmed = state.store().confirm_reply(&user.attribution(), reply.id).await.map_err(store_error)?;
    Ok(Json(ReplyBody::from(confirmed)))
}

#[derive(Deserialize)]
struct AnswerRequest {
    text: String,
}

async fn post_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AnswerBody>), Response> {
    let case = authorised_case(&state, &user, &id, Permission::SupplyAnswer).await?;
    // A respondent answers the cases handed to them, not their colleagues'.
    if case.assignee.is_some_and(|assignee| assignee != user.user_id) && !user.may(&state, Permission::Triage) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Ce dossier est confié à une autre personne : seule elle peut proposer la réponse.",
        ));
    }
    let Json(request) = body.map_err(body_error)?;
    let answer = state
        .store()
        .propose_answer(&user.attribution(), case.id, &request.text)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(AnswerBody::from(answer))))
}

#[derive(Deserialize)]
struct ReviewRequest {
    decision: String,
    comment: Option<String>,
}

async fn post_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> ApiResult<AnswerBody> {
    user.require(&state, Permission::Reply).map_err(auth_error)?;
    let answer_id = parse_id(&id, "La réponse proposée")?;
    let answer = state
        .store()
        .get_answer(answer_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found", format!("La réponse proposée {id} n'existe pas.")))?;
    authorised_case(&state, &user, &answer.case_id.get().to_string(), Permission::Reply).await?;
    let Json(request) = body.map_err(body_error)?;
    let decision = ReviewDecision::parse(&request.decision).ok_or_else(|| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "review_decision_invalid",
            format!("Décision « {} » inconnue : approve ou request_changes.", request.decision),
        )
    })?;
    let comment = request.comment.as_deref().map(str::trim).filter(|comment| !comment.is_empty());
    let reviewed = state
        .store()
        .review_answer(&user.attribution(), answer.id, decision, comment)
        .await
        .map_err(store_error)?;
    Ok(Json(AnswerBody::from(reviewed)))
}

#[derive(Deserialize)]
struct AssignRequest {
    login: String,
}

async fn post_assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<AssignRequest>, JsonRejection>,
) -> ApiResult<Value> {
    let case = authorised_case(&state, &user, &id, Permission::Triage).await?;
    let Json(request) = body.map_err(body_error)?;
    let unknown = || {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "user_unknown",
            format!("Aucun utilisateur « {} » dans cet organisme.", request.login),
        )
    };
    let login = Login::parse(request.login.trim()).map_err(|_| unknown())?;
    let assignee = state.store().get_user_by_login(&login).await.map_err(store_error)?.ok_or_else(unknown)?;
    if assignee.organisation_id != case.organisation_id {
        return Err(unknown());
    }
    let assignment = state
        .store()
        .assign_case(&user.attribution(), case.id, assignee.id)
        .await
        .map_err(store_error)?;
    Ok(Json(serde_json::json!({
        "id": assignment.id.get(),
        "case_id": case.id.get(),
        "user_id": assignee.id.get(),
        "login": assignee.login.as_str(),
        "assigned_at": assignment.assigned_at.to_string(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_information_is_masked_by_characters_not_bytes() {
        let evidence = serde_json::json!([
            {"category": "personal_info", "start": 8, "end": 20, "matched": "418 555-0199"},
            {"category": "insult", "start": 0, "end": 3, "matched": "abc"},
        ]);
        let text = "Élodie: 418 555-0199 merci";
        assert_eq!(mask_spans(text, &personal_spans(&evidence)), "Élodie: ••• •••••••• merci");
        let mut value = evidence.clone();
        mask_matched(&mut value);
        assert_eq!(value[0]["matched"], "••• ••••••••");
        assert_eq!(value[1]["matched"], "abc");
    }
}
