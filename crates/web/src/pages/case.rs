//! The case page (`GET /cas/{id}`) and its forms. The page shows the citizen's words with
//! the evidence marked, the thread around them, the author's history, the verdict explained
//! with its clauses, the suggested route with its reasons and knowledge-base page, the
//! deadlines, the replies and proposed answers, and the case's full history from the audit
//! log. Each form is shown only to roles allowed to use it, and each `POST` checks the CSRF
//! token, the permission and the organisation again before calling the store, then
//! redirects back with a confirmation. A respondent sees only the cases assigned to them.

use super::inbox::{calendar_for, countdown_to, local_time, own_cases_only};
use super::{Layout, PageError, redirect_with, store_refusal, text};
use crate::AppState;
use crate::auth::{AuthError, CsrfForm, CurrentUser};
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use domain::entities::{Case, CaseId, UserId};
use domain::profile::{Permission, Profile};
use domain::triage::{Route, UsualProcessKind};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::case_actions::{AnswerStatus, ModerationAction, ReplyStatus, ReviewDecision};
use store::inbox::InboxRow;

/// How many messages of the thread and of the author's history the page shows.
const CONTEXT_LIMIT: u32 = 20;

pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

pub(crate) struct ThreadMessage {
    author: String,
    received: String,
    received_iso: String,
    segments: Vec<text::Segment>,
    case_id: Option<i64>,
}

pub(crate) struct EvidenceView {
    label: String,
    words: String,
    masked: bool,
}

pub(crate) struct ClauseView {
    id: String,
    wording: String,
}

pub(crate) struct StageView {
    stage: String,
    due: String,
    state: String,
    late: bool,
}

pub(crate) struct AnswerView {
    id: i64,
    text: String,
    status: String,
    pending: bool,
    proposed_by: String,
    comment: String,
}

pub(crate) struct ReplyView {
    id: i64,
    text: String,
    draft: bool,
    status: String,
    prepared_by: String,
}

pub(crate) struct HistoryView {
    at: String,
    at_iso: String,
    actor: String,
    action: String,
    rule: String,
}

pub(crate) struct AuthorCaseView {
    case_id: i64,
    received: String,
    route: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    layout: Layout,
    case_id: i64,
    csrf: String,
    urgent: bool,
    urgent_label: String,
    status: String,
    segments: Vec<text::Segment>,
    author: String,
    network: String,
    account: String,
    received: String,
    received_iso: String,
    masked: bool,
    countdown: String,
    late: bool,
    due: String,
    stages: Vec<StageView>,
    verdict_action: String,
    categories: String,
    explanation: String,
    evidence: Vec<EvidenceView>,
    clauses: Vec<ClauseView>,
    suggested_route: String,
    route: String,
    route_confirmed: bool,
    reasons: Vec<String>,
    alternatives: Vec<String>,
    knowledge_page: Option<(String, String)>,
    assignee: String,
    thread: Vec<ThreadMessage>,
    author_cases: Vec<AuthorCaseView>,
    author_warnings: u32,
    author_blocked: bool,
    block_proposed: bool,
    answers: Vec<AnswerView>,
    replies: Vec<ReplyView>,
    history: Vec<HistoryView>,
    may_triage: bool,
    may_moderate: bool,
    may_block: bool,
    may_supply_answer: bool,
    may_reply: bool,
    route_choices: Vec<Choice>,
    members: Vec<Choice>,
    clause_choices: Vec<Choice>,
    reply_prefill: String,
    has_draft: bool,
}

/// The stable route ids a person can choose, with their labels: plain families, each usual
/// process, the respondent of each sector, the minister with and without mention.
fn route_choices(profile: &Profile, current: Option<&str>, lang: Lang) -> Vec<Choice> {
    let mut choices: Vec<(String, String)> = Vec::new();
    for id in Route::IDS {
        let label = text::route_label(id, lang).to_owned();
        match id {
            "usual_process" => {
                for kind in UsualProcessKind::ALL {
                    choices.push((format!("usual_process:{}", kind.id()), format!("{label} — {}", usual_process_label(kind, lang))));
                }
            }
            "respondent" => {
                choices.push((id.to_owned(), label.clone()));
                for sector in profile.sectors() {
                    choices.push((format!("respondent:{}", sector.id), format!("{label} — {}", sector.name)));
                }
            }
            "minister" => {
                choices.push((id.to_owned(), label.clone()));
                choices.push(("minister:mentioned".to_owned(), format!("{label} — {}", lang.t("route.minister_mentioned"))));
            }
            _ => choices.push((id.to_owned(), label)),
        }
    }
    choices
        .into_iter()
        .map(|(value, label)| Choice { selected: current == Some(value.as_str()), value, label })
        .collect()
}

fn usual_process_label(kind: UsualProcessKind, lang: Lang) -> &'static str {
    match kind {
        UsualProcessKind::Complaint => lang.t("usual.complaint"),
        UsualProcessKind::Wrongdoing => lang.t("usual.wrongdoing"),
        UsualProcessKind::EmployeeComplaint => lang.t("usual.employee_complaint"),
        UsualProcessKind::Media => lang.t("usual.media"),
        UsualProcessKind::AccessRequest => lang.t("usual.access_request"),
        UsualProcessKind::HumanResources => lang.t("usual.human_resources"),
        UsualProcessKind::PersonalCase => lang.t("usual.personal_case"),
    }
}

/// The case, if it belongs to the person's organisation and they may see it.
async fn visible_case(state: &AppState, user: &CurrentUser, id: i64) -> Result<Case, PageError> {
    user.require(state, Permission::ReadCases)?;
    let case = state.store().get_case(CaseId::new(id)).await?.ok_or(PageError::NotFound)?;
    // Another organisation's case does not exist, as far as this person can tell.
    if case.organisation_id != user.organisation_id {
        return Err(PageError::NotFound);
    }
    if own_cases_only(state, user) && case.assignee != Some(user.user_id) {
        return Err(PageError::Auth(AuthError::forbidden(
            user.surface(),
            "Ce dossier n'est pas assigné à votre unité.".to_owned(),
        )));
    }
    Ok(case)
}

/// A web address safe to put in `href`: only `http` and `https`.
fn safe_link(url: &str) -> Option<String> {
    let trimmed = url.trim();
    let lower = trimmed.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| trimmed.to_owned())
}

/// `{"url","title","score"}` of the knowledge-base page, when its address is a web one.
fn knowledge_page(json: Option<&str>) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json?).ok()?;
    let url = safe_link(value.get("url")?.as_str()?)?;
    let title = value.get("title").and_then(|title| title.as_str()).unwrap_or(&url).to_owned();
    Some((url, title))
}

/// The reasons of a suggestion (`[{"code","text_fr"}]`): the triage's own French sentences
/// (which name the words, the page, the sector), or on an English screen the English
/// sentence of each reason's code.
fn reasons(json: &str, lang: Lang) -> Vec<String> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(json) else { return Vec::new() };
    items
        .iter()
        .filter_map(|item| match lang {
            Lang::Fr => item.get("text_fr").and_then(|text| text.as_str()).map(str::to_owned),
            Lang::En => item.get("code").and_then(|code| code.as_str()).map(|code| reason_in(code, lang)),
        })
        .collect()
}

/// The sentence of one triage reason code in `lang`.
fn reason_in(code: &str, lang: Lang) -> String {
    let key = format!("reason.{code}");
    match lang.t(&key) {
        // A code the table does not know (a newer engine): say a reason exists, untranslated.
        missing if missing == key => lang.t("case.reasons").to_owned(),
        sentence => sentence.to_owned(),
    }
}

/// A verdict said from its categories and urgent kind, for a screen in a language the
/// engine's French explanation is not in.
fn english_explanation(categories: &[String], urgent_kind: Option<&str>, lang: Lang) -> String {
    let mut sentence = String::new();
    if let Some(kind) = urgent_kind {
        sentence.push_str(&format!("{} {}. ", lang.t("explain.urgent"), text::category_label(kind, lang)));
    }
    let breaches: Vec<&str> =
        categories.iter().filter(|category| Some(category.as_str()) != urgent_kind).map(|category| text::category_label(category, lang)).collect();
    if breaches.is_empty() {
        if urgent_kind.is_none() {
            sentence.push_str(lang.t("explain.clean"));
        }
    } else {
        sentence.push_str(&format!("{} {}.", lang.t("explain.breach"), breaches.join(", ")));
    }
    sentence.trim_end().to_owned()
}

fn alternatives(json: &str, lang: Lang) -> Vec<String> {
    let Ok(routes) = serde_json::from_str::<Vec<String>>(json) else { return Vec::new() };
    routes.iter().map(|route| text::route_label(route, lang).to_owned()).collect()
}

/// The default reply: the profile's template for the route, with the author, the link and
/// the clause filled in.
fn reply_prefill(profile: &Profile, row: &InboxRow, route: Option<&str>, link: Option<&str>) -> String {
    let Some(route) = route else { return String::new() };
    let (family, detail) = route.split_once(':').map_or((route, None), |(family, detail)| (family, Some(detail)));
    let Some(route_id) = domain::profile::RouteId::parse(family) else { return String::new() };
    let kind = detail.and_then(domain::profile::UsualProcessKind::parse);
    let Some(template) = profile.template(route_id, kind) else { return String::new() };
    let clause = row.clauses.first().and_then(|id| profile.clause(id)).map(|clause| clause.wording.clone()).unwrap_or_default();
    let mut values: BTreeMap<&str, &str> = BTreeMap::new();
    values.insert("author", &row.author_display_name);
    values.insert("network", &row.network);
    if let Some(link) = link {
        values.insert("link", link);
    }
    if !clause.is_empty() {
        values.insert("clause", &clause);
    }
    profile.fill_template(template, &values)
}

/// `GET /cas/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<CasePage, PageError> {
    let case = visible_case(&state, &user, id).await?;
    let profile = super::profile_of(&state, &user)?;
    let store = state.store();
    let row = store.inbox_row(case.id).await?.ok_or(PageError::NotFound)?;
    let message = store.get_message(case.message_id).await?.ok_or(PageError::NotFound)?;
    let (suggestion, deadlines, thread, history, answers, replies, audit, members) = tokio::try_join!(
        store.get_suggestion(case.id),
        store.get_deadlines(case.id),
        store.thread_messages(&message, CONTEXT_LIMIT),
        store.author_history(&case.organisation_id, message.received.network.as_str(), message.received.author.external_id.as_str()),
        store.case_answers(case.id),
        store.case_replies(case.id),
        store.case_audit(case.id),
        store.organisation_members(&case.organisation_id),
    )?;
    let calendar = calendar_for(&state, &case.organisation_id, &profile).await?;
    let now = Timestamp::now();
    let mask = !user.may(&state, Permission::ReadPersonalInfo);
    let evidence = text::parse_evidence(row.evidence_json.as_deref());

    // The thread's other messages, each masked by its own verdict's evidence.
    let mut thread_views = Vec::with_capacity(thread.len());
    for other in &thread {
        let other_evidence = if mask {
            store.get_verdict(other.id).await?.map(|verdict| text::parse_evidence(Some(&verdict.evidence_json))).unwrap_or_default()
        } else {
            Vec::new()
        };
        let case_id = store.find_case_for_message(other.id).await?.map(|case| case.id.get());
        thread_views.push(ThreadMessage {
            author: other.received.author.display_name.clone(),
            received: local_time(&profile, other.received.received_at),
            received_iso: other.received.received_at.to_string(),
            segments: text::highlight(&other.received.text, &other_evidence, mask, lang),
            case_id,
        });
    }

    let (countdown, late, due) = match row.due {
        Some(due) => {
            let (countdown, late) = countdown_to(&calendar, now, due, lang);
            (countdown, late, local_time(&profile, due))
        }
        None => (lang.t("inbox.no_deadline").to_owned(), false, String::new()),
    };
    let stages = deadlines
        .as_ref()
        .map(|plan| {
            plan.stages
                .iter()
                .map(|stage| {
                    let (state, late) = match stage.ended_at {
                        Some(ended) => {
                            let late = ended > stage.planned_due;
                            let words = if late { lang.t("case.stage_ended_late") } else { lang.t("case.stage_ended_on_time") };
                            (format!("{words} ({})", local_time(&profile, ended)), late)
                        }
                        None => countdown_to(&calendar, now, stage.planned_due, lang),
                    };
                    StageView { stage: stage_label(&stage.stage, lang).to_owned(), due: local_time(&profile, stage.planned_due), state, late }
                })
                .collect()
        })
        .unwrap_or_default();

    let mut explanation = match lang {
        // The engine explains itself in French (R-14's audience); an English screen gets the
        // same verdict said from its categories, so the two languages never share a screen.
        Lang::En if row.explanation.is_some() => english_explanation(&row.categories, row.urgent_kind.as_deref(), lang),
        _ => row.explanation.clone().unwrap_or_default(),
    };
    if mask {
        explanation = text::mask_quotes(&explanation, &evidence);
    }
    let evidence_views = evidence
        .iter()
        .map(|span| {
            let masked = mask && span.category == text::PERSONAL_INFO;
            EvidenceView {
                label: text::category_label(&span.category, lang).to_owned(),
                words: if masked { std::iter::repeat_n(text::MASK, span.matched.chars().count()).collect() } else { span.matched.clone() },
                masked,
            }
        })
        .collect();
    let clauses = row
        .clauses
        .iter()
        .map(|id| ClauseView { id: id.clone(), wording: profile.clause(id).map(|clause| clause.wording.clone()).unwrap_or_default() })
        .collect();

    let current_route = suggestion
        .as_ref()
        .map(|stored| stored.confirmation.as_ref().map_or(stored.suggestion.route.clone(), |confirmation| confirmation.route.clone()));
    let knowledge = suggestion.as_ref().and_then(|stored| knowledge_page(stored.suggestion.suggested_page_json.as_deref()));
    let warnings_before_block = profile.moderation_settings().warnings_before_block;
    // A threshold of 0 means the profile allows a block at once.
    let block_proposed = !history.blocked && history.warnings >= warnings_before_block;
    let has_draft = replies.iter().any(|reply| reply.status == ReplyStatus::Draft);
    let reply_prefill = if user.may(&state, Permission::Reply) {
        match state.pipeline().default_reply_text(case.id).await {
            Ok(text) => text,
            Err(_) => reply_prefill(&profile, &row, current_route.as_deref(), knowledge.as_ref().map(|(url, _)| url.as_str())),
        }
    } else {
        String::new()
    };
    let csrf = user.csrf_token.clone().unwrap_or_default();
    let layout = Layout::new(&state, lang, Some(&user), &uri, format!("{} {}", lang.t("inbox.case"), case.id.get()));

    Ok(CasePage {
        case_id: case.id.get(),
        csrf,
        urgent: row.urgent,
        urgent_label: row.urgent_kind.as_deref().map(|kind| text::category_label(kind, lang).to_owned()).unwrap_or_default(),
        status: text::status_label(row.status.code(), lang).to_owned(),
        segments: text::highlight(&row.text, &evidence, mask, lang),
        author: row.author_display_name.clone(),
        network: row.network.clone(),
        account: row.account_handle.clone(),
        received: local_time(&profile, row.received_at),
        received_iso: row.received_at.to_string(),
        masked: mask,
        countdown,
        late,
        due,
        stages,
        verdict_action: row.verdict_action.as_deref().map(|action| text::action_label(action, lang).to_owned()).unwrap_or_default(),
        categories: row.categories.iter().map(|category| text::category_label(category, lang)).collect::<Vec<_>>().join(", "),
        explanation,
        evidence: evidence_views,
        clauses,
        suggested_route: suggestion.as_ref().map(|stored| route_text(&stored.suggestion.route, &profile, lang)).unwrap_or_default(),
        route: current_route.as_deref().map(|route| route_text(route, &profile, lang)).unwrap_or_else(|| {
            row.route.as_deref().map(|route| text::route_label(route, lang).to_owned()).unwrap_or_else(|| lang.t("inbox.no_route").to_owned())
        }),
        route_confirmed: row.route_confirmed,
        reasons: suggestion.as_ref().map(|stored| reasons(&stored.suggestion.reasons_json, lang)).unwrap_or_default(),
        alternatives: suggestion.as_ref().map(|stored| alternatives(&stored.suggestion.alternatives_json, lang)).unwrap_or_default(),
        knowledge_page: knowledge.clone(),
        assignee: row.assignee.as_ref().map(|(_, name)| name.clone()).unwrap_or_else(|| lang.t("inbox.unassigned").to_owned()),
        thread: thread_views,
        author_cases: history
            .cases
            .iter()
            .filter(|earlier| earlier.case_id != case.id)
            .map(|earlier| AuthorCaseView {
                case_id: earlier.case_id.get(),
                received: local_time(&profile, earlier.received_at),
                route: earlier.route.as_deref().map(|route| text::route_label(route, lang).to_owned()).unwrap_or_default(),
            })
            .collect(),
        author_warnings: history.warnings,
        author_blocked: history.blocked,
        block_proposed,
        answers: answers
            .iter()
            .map(|answer| AnswerView {
                id: answer.id,
                text: answer.text.clone(),
                status: answer_status_label(answer.status, lang).to_owned(),
                pending: answer.status == AnswerStatus::Proposed,
                proposed_by: answer.proposed_by.clone(),
                comment: answer.review_comment.clone().unwrap_or_default(),
            })
            .collect(),
        replies: replies
            .iter()
            .map(|reply| ReplyView {
                id: reply.id,
                text: reply.text.clone(),
                draft: reply.status == ReplyStatus::Draft,
                status: if reply.status == ReplyStatus::Draft { lang.t("case.reply_draft") } else { lang.t("case.reply_confirmed") }.to_owned(),
                prepared_by: reply.prepared_by.clone(),
            })
            .collect(),
        history: audit
            .iter()
            .map(|entry| HistoryView {
                at: local_time(&profile, entry.at),
                at_iso: entry.at.to_string(),
                actor: entry.event.attribution.actor.to_audit_text(),
                action: entry.event.action.as_str().to_owned(),
                rule: entry.event.attribution.rule.clone().unwrap_or_default(),
            })
            .collect(),
        may_triage: user.may(&state, Permission::Triage),
        may_moderate: user.may(&state, Permission::Moderate),
        may_block: user.may(&state, Permission::BlockAuthor),
        may_supply_answer: user.may(&state, Permission::SupplyAnswer),
        may_reply: user.may(&state, Permission::Reply),
        route_choices: route_choices(&profile, current_route.as_deref(), lang),
        members: members
            .iter()
            .map(|member| Choice {
                selected: case.assignee == Some(member.user_id),
                value: member.user_id.get().to_string(),
                label: format!("{} ({})", member.display_name, text::role_label(&member.role, lang)),
            })
            .collect(),
        clause_choices: profile
            .netiquette()
            .clauses
            .iter()
            .map(|clause| Choice {
                selected: row.clauses.first() == Some(&clause.id),
                value: clause.id.clone(),
                label: format!("{} — {}", clause.id, text::category_label(clause.category.id(), lang)),
            })
            .collect(),
        reply_prefill,
        has_draft,
        layout,
    })
}

/// A full route (`respondent:dcom`) in words, with the sector's or process's name.
fn route_text(route: &str, profile: &Profile, lang: Lang) -> String {
    let label = text::route_label(route, lang);
    match route.split_once(':') {
        Some(("respondent", sector)) => match profile.sectors().iter().find(|candidate| candidate.id == sector) {
            Some(found) => format!("{label} — {}", found.name),
            None => format!("{label} — {sector}"),
        },
        Some(("usual_process", kind)) => match UsualProcessKind::ALL.iter().find(|candidate| candidate.id() == kind) {
            Some(found) => format!("{label} — {}", usual_process_label(*found, lang)),
            None => label.to_owned(),
        },
        Some(("minister", "mentioned")) => format!("{label} — {}", lang.t("route.minister_mentioned")),
        Some((_, detail)) => format!("{label} — {detail}"),
        None => label.to_owned(),
    }
}

fn stage_label(stage: &str, lang: Lang) -> &str {
    match stage {
        "triage" => lang.t("stage.triage"),
        "sector" => lang.t("stage.sector"),
        "review" => lang.t("stage.review"),
        "response" => lang.t("stage.response"),
        other => other,
    }
}

fn answer_status_label(status: AnswerStatus, lang: Lang) -> &'static str {
    match status {
        AnswerStatus::Proposed => lang.t("case.answer_proposed"),
        AnswerStatus::Approved => lang.t("case.answer_approved"),
        AnswerStatus::ChangesRequested => lang.t("case.answer_changes_requested"),
    }
}

/// A pipeline error as the page error a person should see.
fn pipeline_refusal(error: pipeline::PipelineError) -> PageError {
    match error {
        pipeline::PipelineError::Store(error) => store_refusal(error),
        pipeline::PipelineError::Refused { message, .. } => PageError::BadRequest(message),
        other => PageError::Store(store::StoreError::InvalidRequest(other.to_string())),
    }
}

fn case_path(id: i64) -> String {
    format!("/cas/{id}")
}

fn bad_form(message: &str) -> PageError {
    PageError::BadRequest(message.to_owned())
}

// ---------------------------------------------------------------------------- forms

#[derive(Deserialize)]
pub(crate) struct RouteForm {
    route: String,
}

/// `POST /cas/{id}/acheminement`: confirm or change the route (`triage`).
pub(crate) async fn change_route(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RouteForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Triage)?;
    let case = visible_case(&state, &user, id).await?;
    // The pipeline checks the route against the profile and re-plans what depends on it
    // (deadlines, the sector respondent's assignment) in the same transaction.
    state.pipeline().change_route(&user.attribution(), case.id, form.route.trim()).await.map_err(pipeline_refusal)?;
    Ok(redirect_with(&case_path(id), "route_changed"))
}

#[derive(Deserialize)]
pub(crate) struct AssignForm {
    user_id: i64,
}

/// `POST /cas/{id}/assignation`: assign or transfer to a person of the organisation.
pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Triage)?;
    let case = visible_case(&state, &user, id).await?;
    state.store().assign_case(&user.attribution(), case.id, UserId::new(form.user_id)).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "assigned"))
}

#[derive(Deserialize)]
pub(crate) struct ModerationForm {
    action: String,
    #[serde(default)]
    clause: String,
}

/// `POST /cas/{id}/moderation`: hide, show again or delete the comment on the network.
pub(crate) async fn moderate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ModerationForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Moderate)?;
    let case = visible_case(&state, &user, id).await?;
    let action = ModerationAction::parse(&form.action).ok_or_else(|| bad_form("Action de modération inconnue."))?;
    let clause = known_clause(&state, &user, &form.clause)?;
    state
        .store()
        .record_moderation_action(&user.attribution(), case.id, action, clause.as_deref())
        .await
        .map_err(store_refusal)?;
    let code = match action {
        ModerationAction::Hide => "hidden",
        ModerationAction::Unhide => "unhidden",
        ModerationAction::Delete => "deleted",
    };
    Ok(redirect_with(&case_path(id), code))
}

/// An empty clause is none; any other must be one of the profile's.
fn known_clause(state: &AppState, user: &CurrentUser, clause: &str) -> Result<Option<String>, PageError> {
    let clause = clause.trim();
    if clause.is_empty() {
        return Ok(None);
    }
    let profile = super::profile_of(state, user)?;
    match profile.clause(clause) {
        Some(found) => Ok(Some(found.id.clone())),
        None => Err(bad_form("Article de nétiquette inconnu.")),
    }
}

#[derive(Deserialize)]
pub(crate) struct WarnForm {
    #[serde(default)]
    clause: String,
    #[serde(default)]
    text: String,
}

/// `POST /cas/{id}/avertissement`: warn the author; a block is proposed at the threshold.
pub(crate) async fn warn(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<WarnForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Moderate)?;
    let case = visible_case(&state, &user, id).await?;
    let clause = known_clause(&state, &user, &form.clause)?;
    let text = Some(form.text.trim()).filter(|text| !text.is_empty());
    let outcome = state
        .pipeline()
        .warn_author(&user.attribution(), case.id, clause.as_deref(), text)
        .await
        .map_err(pipeline_refusal)?;
    Ok(redirect_with(&case_path(id), if outcome.block_proposed { "warned_block_proposed" } else { "warned" }))
}

#[derive(Deserialize)]
pub(crate) struct BlockForm {
    reason: String,
}

/// `POST /cas/{id}/blocage`: block the author on the receiving account (a confirmed decision).
pub(crate) async fn block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::BlockAuthor)?;
    let case = visible_case(&state, &user, id).await?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(bad_form("Indiquez le motif du blocage."));
    }
    state.store().block_author(&user.attribution(), case.id, reason).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "blocked"))
}

#[derive(Deserialize)]
pub(crate) struct TextForm {
    text: String,
}

/// `POST /cas/{id}/reponse-proposee`: a respondent proposes an answer (`supply_answer`).
pub(crate) async fn propose_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TextForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::SupplyAnswer)?;
    let case = visible_case(&state, &user, id).await?;
    if form.text.trim().is_empty() {
        return Err(bad_form("La réponse proposée est vide."));
    }
    state.store().propose_answer(&user.attribution(), case.id, &form.text).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "answer_proposed"))
}

#[derive(Deserialize)]
pub(crate) struct ReviewForm {
    answer_id: i64,
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST /cas/{id}/revision`: the communications team approves a proposed answer or asks
/// for changes.
pub(crate) async fn review_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Reply)?;
    let case = visible_case(&state, &user, id).await?;
    let answer = state.store().get_answer(form.answer_id).await?.ok_or(PageError::NotFound)?;
    if answer.case_id != case.id {
        return Err(PageError::NotFound);
    }
    let decision = ReviewDecision::parse(&form.decision).ok_or_else(|| bad_form("Décision inconnue."))?;
    let comment = Some(form.comment.trim()).filter(|comment| !comment.is_empty());
    state.store().review_answer(&user.attribution(), answer.id, decision, comment).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "answer_reviewed"))
}

/// `POST /cas/{id}/reponse`: prepare a reply draft (nothing is sent).
pub(crate) async fn prepare_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<TextForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Reply)?;
    let case = visible_case(&state, &user, id).await?;
    if form.text.trim().is_empty() {
        return Err(bad_form("La réponse est vide."));
    }
    state.store().prepare_reply(&user.attribution(), case.id, &form.text).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "reply_prepared"))
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    reply_id: i64,
}

/// `POST /cas/{id}/reponse/confirmation`: the separate confirmation that sends a draft.
pub(crate) async fn confirm_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::Reply)?;
    let case = visible_case(&state, &user, id).await?;
    let reply = state.store().get_reply(form.reply_id).await?.ok_or(PageError::NotFound)?;
    if reply.case_id != case.id {
        return Err(PageError::NotFound);
    }
    state.store().confirm_reply(&user.attribution(), reply.id).await.map_err(store_refusal)?;
    Ok(redirect_with(&case_path(id), "reply_sent"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::str::FromStr;

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(safe_link(" https://www.quebec.ca/x "), Some("https://www.quebec.ca/x".to_owned()));
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,<script>"), None);
        assert_eq!(knowledge_page(Some(r#"{"url":"javascript:alert(1)","title":"x"}"#)), None);
        assert_eq!(
            knowledge_page(Some(r#"{"url":"https://a.ca/p","title":"<b>Page</b>","score":1.0}"#)),
            Some(("https://a.ca/p".to_owned(), "<b>Page</b>".to_owned()))
        );
    }

    #[test]
    fn every_route_choice_parses_as_a_route() {
        let profile = Profile::preset("mamh").unwrap();
        let choices = route_choices(&profile, Some("respondent:dcom"), Lang::Fr);
        assert!(choices.len() > Route::IDS.len());
        for choice in &choices {
            let parsed = Route::from_str(&choice.value).unwrap();
            assert_eq!(parsed.to_string(), choice.value);
        }
        assert_eq!(choices.iter().filter(|choice| choice.selected).count(), 1);
    }
}

#[cfg(test)]
mod english_tests {
    use super::*;

    #[test]
    fn every_triage_reason_code_has_a_sentence_in_both_languages() {
        for code in domain::triage::ReasonCode::ALL {
            for lang in [Lang::Fr, Lang::En] {
                let key = format!("reason.{}", code.id());
                assert_ne!(lang.t(&key), key, "{key} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn an_english_screen_gets_english_reasons_and_verdict() {
        let json = r#"[{"code":"question_for_sector","text_fr":"S2 § 8.2, dernière puce (R-28) : la question"},{"code":"not_a_code","text_fr":"x"}]"#;
        assert_eq!(reasons(json, Lang::Fr), ["S2 § 8.2, dernière puce (R-28) : la question", "x"]);
        let english = reasons(json, Lang::En);
        assert!(english[0].starts_with("The question fits no other case"), "{english:?}");
        assert_eq!(english[1], "Reasons");
        let verdict = english_explanation(&["abusive".to_owned(), "threat".to_owned()], Some("threat"), Lang::En);
        assert_eq!(verdict, "Urgent message: threat of violence. The message breaks the netiquette: abusive, vulgar or violent.");
        assert_eq!(english_explanation(&[], None, Lang::En), "Nothing in this message breaks the netiquette.");
    }
}
