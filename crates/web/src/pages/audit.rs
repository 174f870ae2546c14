//! The audit page (`/journal`, `read_audit`): the hash-chained log searched by actor,
//! action, entity and date range, newest first, paged by sequence number, with the result
//! of verifying the whole chain.

use super::inbox::local_time;
use super::{Layout, PageError, query_value};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::Uri;
use domain::audit::AuditVerification;
use domain::profile::{Permission, Profile};
use serde::Deserialize;
use store::inbox::AuditFilter;

const PAGE_SIZE: u32 = 50;

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    acteur: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entite: String,
    #[serde(default)]
    identifiant: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    #[serde(default)]
    avant: String,
}

pub(crate) struct EntryView {
    sequence: u64,
    at: String,
    at_iso: String,
    actor: String,
    action: String,
    entity: String,
    rule: String,
    change: String,
}

pub(crate) struct KindChoice {
    value: &'static str,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    layout: Layout,
    intact: bool,
    verification: String,
    entries: Vec<EntryView>,
    actor: String,
    action: String,
    kinds: Vec<KindChoice>,
    identifier: String,
    from: String,
    to: String,
    next_href: Option<String>,
}

const ENTITY_KINDS: [&str; 8] = ["organisation", "account", "message_batch", "message", "case", "user", "post", "other"];

fn day_start(profile: &Profile, text: &str, lang: Lang, next_day: bool) -> Result<Option<jiff::Timestamp>, PageError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || PageError::BadRequest(lang.t("commitments.bad_date").to_owned());
    let mut date: jiff::civil::Date = text.parse().map_err(|_| bad())?;
    if next_day {
        date = date.tomorrow().map_err(|_| bad())?;
    }
    date.to_zoned(profile.time_zone().clone()).map(|zoned| Some(zoned.timestamp())).map_err(|_| bad())
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// `GET /journal`.
pub(crate) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, PageError> {
    user.require(&state, Permission::ReadAudit)?;
    let profile = super::profile_of(&state, &user)?;
    let filter = AuditFilter {
        actor_contains: non_empty(&query.acteur),
        action: non_empty(&query.action),
        entity_kind: non_empty(&query.entite),
        entity_id: non_empty(&query.identifiant),
        from: day_start(&profile, &query.du, lang, false)?,
        // "Until" a day includes that day.
        to: day_start(&profile, &query.au, lang, true)?,
    };
    let before = match non_empty(&query.avant) {
        Some(text) => Some(text.parse::<u64>().map_err(|_| PageError::BadRequest(lang.t("inbox.bad_filter").to_owned()))?),
        None => None,
    };
    let store = state.store();
    let (entries, verification) = tokio::try_join!(store.search_audit(&filter, before, PAGE_SIZE), store.verify_audit_chain())?;
    let (intact, verification) = match verification {
        AuditVerification::Intact { entries } => (true, format!("{} {entries}.", lang.t("audit.intact"))),
        AuditVerification::Broken(chain_break) => (
            false,
            format!("{} {} : {}", lang.t("audit.broken"), chain_break.sequence, chain_break.detail),
        ),
    };
    let next_href = (entries.len() == PAGE_SIZE as usize).then(|| entries.last().map(|last| last.sequence)).flatten().map(|last| {
        let mut pairs: Vec<(&str, String)> = [
            ("acteur", &query.acteur),
            ("action", &query.action),
            ("entite", &query.entite),
            ("identifiant", &query.identifiant),
            ("du", &query.du),
            ("au", &query.au),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| (key, value.clone()))
        .collect();
        pairs.push(("avant", last.to_string()));
        if let Some(code) = query_value(&uri, "lang") {
            pairs.push(("lang", code));
        }
        format!("/journal?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    });
    let show_changes = user.may(&state, Permission::ReadPersonalInfo);
    let entries = entries
        .iter()
        .map(|entry| EntryView {
            sequence: entry.sequence,
            at: local_time(&profile, entry.at),
            at_iso: entry.at.to_string(),
            actor: entry.event.attribution.actor.to_audit_text(),
            action: entry.event.action.as_str().to_owned(),
            entity: format!("{} {}", entry.event.entity_kind.code(), entry.event.entity_id),
            rule: entry.event.attribution.rule.clone().unwrap_or_default(),
            // Changes may quote a citizen (a verdict's evidence): personal information
            // stays with the roles that may read it.
            change: if show_changes { entry.event.after_json.clone().unwrap_or_default() } else { lang.t("audit.change_hidden").to_owned() },
        })
        .collect();
    Ok(AuditPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, lang.t("audit.title").to_owned()),
        intact,
        verification,
        entries,
        actor: query.acteur.clone(),
        action: query.action.clone(),
        kinds: ENTITY_KINDS.iter().map(|kind| KindChoice { value: kind, selected: query.entite == *kind }).collect(),
        identifier: query.identifiant.clone(),
        from: query.du.clone(),
        to: query.au.clone(),
        next_href,
    })
}
