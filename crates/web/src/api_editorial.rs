//! The editorial calendar's JSON API under `/api/v1`: entries and their
//! per-network variants, decisions on the approval chain's steps, withdrawal, postponement
//! (propose, then confirm), the publishing checks of every variant, the import of a press
//! release into proposed variants, and the iCalendar (per-user token, subscribable from
//! Outlook) and CSV exports. The chain's rules are `domain::editorial`'s, the network rules
//! the `publishing` crate's; this module checks who asks, converts JSON by hand, and calls.
//! The export builders are public so the command line produces the same files.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::editorial::{
    CalendarEvent, ChainActor, ChainError, ChainState, Decision, DecisionKind, EntryContent,
    EntryId, EntryStatus, LiveVideoAssessment, Media, PostponeRequest, ScheduledItem,
    SuggestionDocumentation, Variant,
};
use domain::entities::{Network, OrganisationId, UserId};
use domain::profile::{ContentType, EditorialRules, Permission, Profile, StepKind};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};
use store::editorial::{ConfirmedMove, EntryRange, NewDecision, StoredEntry};

use crate::AppState;
use crate::auth::{AuthError, CurrentUser};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations/{id}/entries",
            get(list_entries).post(create_entry),
        )
        .route(
            "/entries/{id}",
            get(get_entry).put(update_entry).delete(withdraw_entry),
        )
        .route("/entries/{id}/decisions", post(decide_step))
        .route("/entries/{id}/withdraw", post(withdraw_entry))
        .route("/entries/{id}/postpone", post(postpone_one))
        .route("/entries/{id}/checks", get(entry_checks))
        .route("/organisations/{id}/postpone", post(postpone_period))
        .route(
            "/organisations/{id}/press-releases",
            post(import_press_release),
        )
        .route(
            "/organisations/{id}/calendar-token",
            post(create_calendar_token),
        )
        .route("/organisations/{id}/calendar.ics", get(calendar_ics))
        .route("/organisations/{id}/calendar.csv", get(calendar_csv))
}

// ------------------------------------------------------------------ errors

/// An error of this API: `{"error": {"code", "message"}}` with a French message.
#[derive(Debug)]
pub struct EditorialApiError {
    status: StatusCode,
    code: String,
    message: String,
    details: Option<Value>,
}

impl EditorialApiError {
    fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }

    fn bad_request(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The French message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<store::StoreError> for EditorialApiError {
    fn from(error: store::StoreError) -> Self {
        match error {
            store::StoreError::InvalidRequest(message) => {
                Self::conflict("invalid_request", message)
            }
            store::StoreError::NotFound { .. } => Self::not_found("Publication introuvable."),
            other => {
                tracing::error!(error = %other, "store error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    other.code(),
                    "Erreur de la base de données ; l'opération n'a pas été effectuée.",
                )
            }
        }
    }
}

impl From<ChainError> for EditorialApiError {
    fn from(error: ChainError) -> Self {
        let status = if error.is_forbidden() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::CONFLICT
        };
        Self::new(status, error.code(), error.to_string())
    }
}

/// Refusals of the auth layer keep their own shape and status.
pub enum Refusal {
    Auth(AuthError),
    Api(EditorialApiError),
}

impl From<AuthError> for Refusal {
    fn from(error: AuthError) -> Self {
        Refusal::Auth(error)
    }
}

impl From<EditorialApiError> for Refusal {
    fn from(error: EditorialApiError) -> Self {
        Refusal::Api(error)
    }
}

impl From<ChainError> for Refusal {
    fn from(error: ChainError) -> Self {
        Refusal::Api(error.into())
    }
}

impl From<store::StoreError> for Refusal {
    fn from(error: store::StoreError) -> Self {
        Refusal::Api(error.into())
    }
}

impl IntoResponse for EditorialApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(details) = self.details {
            error["details"] = details;
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Auth(error) => error.into_response(),
            Refusal::Api(error) => error.into_response(),
        }
    }
}

type ApiResult = Result<Response, Refusal>;

// ------------------------------------------------------------------ shared helpers

/// The organisation's profile and editorial rules, for someone of that organisation.
fn organisation_rules<'s>(
    state: &'s AppState,
    user: &CurrentUser,
    organisation_id: &str,
) -> Result<(&'s Profile, &'s EditorialRules), Refusal> {
    user.require_organisation(organisation_id)?;
    let entry = state
        .organisation(organisation_id)
        .ok_or_else(|| EditorialApiError::not_found("Organisme introuvable."))?;
    let rules = entry.profile.editorial().ok_or_else(|| {
        EditorialApiError::conflict(
            "no_editorial_rules",
            "Le profil de cet organisme n'a pas de section [editorial].",
        )
    })?;
    Ok((entry.profile.as_ref(), rules))
}

async fn load_entry<'s>(
    state: &'s AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(StoredEntry, &'s Profile, &'s EditorialRules), Refusal> {
    let entry = state
        .store()
        .get_entry(EntryId::new(id))
        .await
        .map_err(EditorialApiError::from)?
        .ok_or_else(|| EditorialApiError::not_found("Publication introuvable."))?;
    let (profile, rules) = organisation_rules(state, user, entry.content.organisation_id.as_str())?;
    Ok((entry, profile, rules))
}

fn parse_time(field: &str, text: &str) -> Result<Timestamp, EditorialApiError> {
    text.parse::<Timestamp>().map_err(|_| {
        EditorialApiError::bad_request("bad_time", format!("« {field} » : date et heure RFC 3339 attendues (p. ex. 2026-06-01T14:00:00-04:00), reçu « {text} »"))
    })
}

fn may_see_calendar(state: &AppState, user: &CurrentUser) -> bool {
    [
        Permission::SuggestPublication,
        Permission::DraftPublication,
        Permission::ApprovePublication,
        Permission::ValidatePublication,
        Permission::Publish,
        Permission::ManageCalendar,
    ]
    .into_iter()
    .any(|permission| user.may(state, permission))
}

fn require_calendar_reader(state: &AppState, user: &CurrentUser) -> Result<(), Refusal> {
    if may_see_calendar(state, user) {
        Ok(())
    } else {
        Err(user
            .require(state, Permission::ManageCalendar)
            .err()
            .map(Refusal::from)
            .unwrap_or_else(|| {
                Refusal::Api(EditorialApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Accès refusé.",
                ))
            }))
    }
}

// ------------------------------------------------------------------ JSON in

#[derive(Debug, Deserialize)]
pub struct ImageInput {
    pub reference: String,
    #[serde(default)]
    pub alt_text: String,
}

#[derive(Debug, Deserialize)]
pub struct VideoInput {
    pub reference: String,
    #[serde(default)]
    pub subtitles: bool,
    #[serde(default)]
    pub live: bool,
}

#[derive(Debug, Deserialize)]
pub struct VariantInput {
    pub network: String,
    pub message: String,
    #[serde(default)]
    pub hashtags: Vec<String>,
    pub link: Option<String>,
    pub image: Option<ImageInput>,
    pub video: Option<VideoInput>,
    #[serde(default)]
    pub mentions: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct EntryInput {
    pub title: String,
    pub scheduled_at: Option<String>,
    pub content_type: Option<String>,
    pub campaign: Option<String>,
    pub sector: Option<String>,
    pub geolocation: Option<String>,
    pub budget: Option<String>,
    pub documentation: Option<String>,
    #[serde(default)]
    pub already_validated: bool,
    pub live_video_criteria: Option<Vec<bool>>,
    #[serde(default)]
    pub variants: Vec<VariantInput>,
}

fn blank_to_none(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Builds an entry's content from its JSON (also used by the pages' forms), adding the
/// profile's UTM tags to links through the publishing rules.
pub fn entry_content(
    organisation_id: &OrganisationId,
    rules: &EditorialRules,
    input: EntryInput,
) -> Result<EntryContent, EditorialApiError> {
    let content_type = match input
        .content_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => ContentType::Regular,
        Some(text) => ContentType::parse(text).ok_or_else(|| {
            EditorialApiError::bad_request(
                "unknown_content_type",
                format!(
                    "type de contenu inconnu « {text} » (permis : {})",
                    ContentType::ids()
                ),
            )
        })?,
    };
    let scheduled_at = match blank_to_none(input.scheduled_at) {
        Some(text) => Some(parse_time("scheduled_at", &text)?),
        None => None,
    };
    let documentation = match blank_to_none(input.documentation) {
        Some(text) => Some(
            SuggestionDocumentation::parse(
                &text,
                rules.suggestion_max_characters,
                rules.suggestion_max_words,
            )
            .map_err(|error| EditorialApiError::bad_request(error.code(), error.to_string()))?,
        ),
        None => None,
    };
    let live_video = match input.live_video_criteria {
        Some(flags) => Some(
            LiveVideoAssessment::from_slice(&flags)
                .map_err(|error| EditorialApiError::bad_request(error.code(), error.to_string()))?,
        ),
        None => None,
    };
    let campaign = blank_to_none(input.campaign);
    let mut variants = Vec::with_capacity(input.variants.len());
    for variant in input.variants {
        let network = Network::parse(variant.network.trim()).map_err(|_| {
            EditorialApiError::bad_request(
                "unknown_network",
                format!(
                    "réseau inconnu « {} » (permis : {})",
                    variant.network,
                    publishing::Network::valid_ids()
                ),
            )
        })?;
        if variant.network.trim() != BLOG_NETWORK
            && variant.network.parse::<publishing::Network>().is_err()
        {
            return Err(EditorialApiError::bad_request(
                "unknown_network",
                format!(
                    "réseau inconnu « {} » (permis : {})",
                    variant.network,
                    publishing::Network::valid_ids()
                ),
            ));
        }
        let media = match (variant.image, variant.video) {
            (Some(_), Some(_)) => {
                return Err(EditorialApiError::bad_request(
                    "two_media",
                    "une variante porte une image ou une vidéo, pas les deux",
                ));
            }
            (Some(image), None) => Some(Media::Image {
                reference: image.reference,
                alt_text: image.alt_text,
            }),
            (None, Some(video)) => Some(Media::Video {
                reference: video.reference,
                subtitles: video.subtitles,
                live: video.live,
            }),
            (None, None) => None,
        };
        let link = blank_to_none(variant.link).map(|link| match &rules.utm {
            Some(convention) => {
                let (source, medium, campaign_tag) = domain::editorial::link_with_utm(
                    convention,
                    &network,
                    campaign.as_deref(),
                    content_type,
                );
                publishing::add_utm(
                    &link,
                    &publishing::UtmConvention {
                        source,
                        medium,
                        campaign: campaign_tag,
                    },
                )
            }
            None => link,
        });
        variants.push(Variant {
            network,
            message: variant.message,
            hashtags: variant
                .hashtags
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            link,
            media,
            mentions: variant
                .mentions
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        });
    }
    let content = EntryContent {
        organisation_id: organisation_id.clone(),
        title: input.title.trim().to_owned(),
        scheduled_at,
        content_type,
        campaign,
        sector: blank_to_none(input.sector),
        geolocation: blank_to_none(input.geolocation),
        budget: blank_to_none(input.budget),
        documentation,
        already_validated: input.already_validated,
        live_video,
        variants,
    };
    content
        .check()
        .map_err(|error| EditorialApiError::bad_request(error.code(), error.to_string()))?;
    Ok(content)
}

// ------------------------------------------------------------------ checks

/// A publishing problem as the API gives it: its code, the French sentence (`message`, the
/// default locale) and the English one (`message_en`).
fn problem_json(problem: &publishing::Problem) -> Value {
    json!({"code": problem.code.id(), "message": problem.message_fr, "message_en": problem.message_en})
}

/// The network id of a blog variant (S3 Annexe A): checked for its word count, not a length.
pub const BLOG_NETWORK: &str = "blog";

/// A blog post's checks: 200–500 words, French, images with alternative text.
fn blog_checks(variant: &Variant, tone: String) -> Value {
    let text = variant.full_text();
    let mut problems: Vec<Value> = publishing::check_blog_post(&text)
        .iter()
        .chain(publishing::check_french(&text).iter())
        .map(problem_json)
        .collect();
    if let Some(Media::Image { alt_text, .. }) = &variant.media
        && alt_text.trim().is_empty()
    {
        problems.push(json!({
            "code": "missing_alt_text",
            "message": "L'image du billet n'a pas de texte alternatif.",
            "message_en": "The post's image has no alternative text.",
        }));
    }
    json!({
        "network": BLOG_NETWORK,
        "length": publishing::word_count(&text),
        "limit": publishing::BLOG_MAX_WORDS,
        "unit": "mots",
        "valid": problems.is_empty(),
        "problems": problems,
        "tone": tone,
    })
}

/// The warning that a blog has gone quiet, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlogWarning {
    pub french: String,
    pub english: String,
}

/// When the organisation has blog rules and its blog has gone a week without a published
/// post (or never had one), the warning to show (R-57, S3 Annexe A).
pub fn blog_warning(profile: &Profile, entries: &[StoredEntry], now: Timestamp) -> Option<BlogWarning> {
    profile.blog()?;
    let last = entries
        .iter()
        .filter(|entry| entry.status == EntryStatus::Published)
        .filter(|entry| {
            entry
                .content
                .variants
                .iter()
                .any(|v| v.network.as_str() == BLOG_NETWORK)
        })
        .map(|entry| entry.content.scheduled_at.unwrap_or(entry.updated_at))
        .filter(|at| *at <= now)
        .max();
    match last {
        Some(last) if !publishing::blog_overdue(last, now) => None,
        Some(last) => {
            let day = last.to_zoned(profile.time_zone().clone()).strftime("%Y-%m-%d").to_string();
            Some(BlogWarning {
                french: format!(
                    "Le blogue n'a pas eu de billet depuis le {day} : il devrait être mis à jour au moins une fois par semaine, ou le site Web devrait indiquer qu'il est en pause (S3, annexe A)."
                ),
                english: format!(
                    "The blog has had no post since {day}: it should be updated at least once a week, or the website should say it is paused (S3, Annexe A)."
                ),
            })
        }
        None => Some(BlogWarning {
            french: "Aucun billet de blogue n'a encore été diffusé : le blogue devrait être mis à jour au moins une fois par semaine (S3, annexe A).".to_owned(),
            english: "No blog post has been published yet: the blog should be updated at least once a week (S3, Annexe A).".to_owned(),
        }),
    }
}

/// The publishing checks of one variant: length as the network counts it, media
/// accessibility, French; plus the entry's live-video majority.
pub fn variant_checks(variant: &Variant, entry: &EntryContent, rules: &EditorialRules) -> Value {
    let mut problems: Vec<Value> = Vec::new();
    let tone = tone_for(rules, &variant.network);
    if variant.network.as_str() == BLOG_NETWORK {
        return blog_checks(variant, tone);
    }
    let Ok(network) = variant.network.as_str().parse::<publishing::Network>() else {
        problems.push(json!({
            "code": "unknown_network",
            "message": format!("Le réseau « {} » n'est pas vérifiable.", variant.network),
            "message_en": format!("The network “{}” cannot be checked.", variant.network),
        }));
        return json!({"network": variant.network.as_str(), "valid": false, "problems": problems, "tone": tone});
    };
    let text = variant.full_text();
    let check = publishing::check_text(network, &text, &publishing::CheckOptions::default());
    for problem in &check.problems {
        problems.push(problem_json(problem));
    }
    let media: Vec<publishing::Media> = variant
        .media
        .iter()
        .map(|media| match media {
            Media::Image { alt_text, .. } => publishing::Media::Image {
                alt_text: Some(alt_text.clone()),
            },
            Media::Video { subtitles, .. } => publishing::Media::Video {
                has_subtitles: *subtitles,
            },
        })
        .collect();
    for problem in &publishing::check_media(network, &media) {
        problems.push(problem_json(problem));
    }
    if matches!(variant.media, Some(Media::Video { live: true, .. })) {
        let met: Vec<publishing::LiveVideoCriterion> = entry
            .live_video
            .map(|assessment| {
                publishing::LiveVideoCriterion::ALL
                    .into_iter()
                    .zip(assessment.criteria())
                    .filter_map(|(criterion, met)| met.then_some(criterion))
                    .collect()
            })
            .unwrap_or_default();
        if !publishing::live_video_allowed(&met)
            || !entry
                .live_video
                .is_some_and(|a| a.meets(rules.live_video_min_criteria))
        {
            problems.push(json!({
                "code": "live_video_below_majority",
                "message": format!("Un direct doit satisfaire une majorité des critères de l'annexe 6 ({} sur 10 notés).", met.len()),
                "message_en": format!("A live video must meet a majority of Annexe 6's criteria ({} of 10 recorded).", met.len()),
            }));
        }
    }
    json!({
        "network": variant.network.as_str(),
        "length": check.length,
        "limit": check.limit,
        "unit": check.unit.label_fr(),
        "valid": problems.is_empty(),
        "problems": problems,
        "tone": tone,
    })
}

/// The tone guidance for a network: the organisation's words when its profile has them,
/// else the publishing rules' (S2 Annexe 1, R-55).
pub fn tone_for(rules: &EditorialRules, network: &Network) -> String {
    if let Some(profile::ToneGuidanceRef { audience, tone }) =
        profile::tone(rules, network.as_str())
    {
        return format!("{audience} {tone}");
    }
    network
        .as_str()
        .parse::<publishing::Network>()
        .map(|network| publishing::tone_guidance(network).to_owned())
        .unwrap_or_default()
}

mod profile {
    //! The profile's tone guidance by network id (the profile and the publishing crate
    //! name networks with the same ids).
    pub struct ToneGuidanceRef<'a> {
        pub audience: &'a str,
        pub tone: &'a str,
    }

    pub fn tone<'a>(
        rules: &'a domain::profile::EditorialRules,
        network: &str,
    ) -> Option<ToneGuidanceRef<'a>> {
        rules
            .tone
            .iter()
            .find(|guidance| guidance.network.id() == network)
            .map(|guidance| ToneGuidanceRef {
                audience: &guidance.audience,
                tone: &guidance.tone,
            })
    }
}

/// Every variant's checks, and whether all pass.
pub fn entry_checks_json(entry: &EntryContent, rules: &EditorialRules) -> (bool, Vec<Value>) {
    let checks: Vec<Value> = entry
        .variants
        .iter()
        .map(|variant| variant_checks(variant, entry, rules))
        .collect();
    let valid = checks
        .iter()
        .all(|check| check["valid"] == Value::Bool(true));
    (valid, checks)
}

// ------------------------------------------------------------------ JSON out

fn media_json(media: &Option<Media>) -> Value {
    match media {
        None => Value::Null,
        Some(Media::Image {
            reference,
            alt_text,
        }) => json!({"kind": "image", "reference": reference, "alt_text": alt_text}),
        Some(Media::Video {
            reference,
            subtitles,
            live,
        }) => {
            json!({"kind": "video", "reference": reference, "subtitles": subtitles, "live": live})
        }
    }
}

/// An entry as JSON, with its chain's steps.
pub fn entry_json(entry: &StoredEntry, rules: &EditorialRules) -> Value {
    let content = &entry.content;
    let chain = rules.chain(content.content_type);
    json!({
        "id": entry.id.get(),
        "organisation_id": content.organisation_id.as_str(),
        "title": content.title,
        "scheduled_at": content.scheduled_at.map(|at| at.to_string()),
        "content_type": content.content_type.id(),
        "campaign": content.campaign,
        "sector": content.sector,
        "geolocation": content.geolocation,
        "budget": content.budget,
        "documentation": content.documentation.as_ref().map(SuggestionDocumentation::as_str),
        "already_validated": content.already_validated,
        "live_video_criteria": content.live_video.map(|a| a.criteria().to_vec()),
        "status": entry.status.code(),
        "step": entry.status.step(),
        "status_label": entry.status.label_fr(chain),
        "drafted_by": entry.drafted_by.map(UserId::get),
        "created_by": entry.created_by.get(),
        "created_at": entry.created_at.to_string(),
        "updated_at": entry.updated_at.to_string(),
        "chain": chain.steps.iter().map(|step| json!({
            "id": step.id,
            "kind": step.kind.id(),
            "label": step.label,
            "carriers": step.carriers.iter().map(|r| r.id()).collect::<Vec<_>>(),
            "collaborators": step.collaborators.iter().map(|r| r.id()).collect::<Vec<_>>(),
            "external_validator": step.external_validator,
            "skipped_when_already_validated": step.skipped_when_already_validated,
        })).collect::<Vec<_>>(),
        "variants": content.variants.iter().map(|variant| json!({
            "network": variant.network.as_str(),
            "message": variant.message,
            "hashtags": variant.hashtags,
            "link": variant.link,
            "media": media_json(&variant.media),
            "mentions": variant.mentions,
            "text": variant.full_text(),
        })).collect::<Vec<_>>(),
    })
}

// ------------------------------------------------------------------ entries

#[derive(Debug, Default, Deserialize)]
pub struct EntryFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub network: Option<String>,
    pub sector: Option<String>,
    pub campaign: Option<String>,
    pub step: Option<String>,
}

/// Whether an entry passes the calendar's filters (network, sector, campaign, step).
pub fn passes_filter(entry: &StoredEntry, filter: &EntryFilter) -> bool {
    let wanted = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(network) = wanted(&filter.network)
        && !entry
            .content
            .variants
            .iter()
            .any(|variant| variant.network.as_str() == network)
    {
        return false;
    }
    if let Some(sector) = wanted(&filter.sector)
        && entry.content.sector.as_deref() != Some(sector.as_str())
    {
        return false;
    }
    if let Some(campaign) = wanted(&filter.campaign)
        && entry.content.campaign.as_deref() != Some(campaign.as_str())
    {
        return false;
    }
    if let Some(step) = wanted(&filter.step) {
        let matches = match entry.status.step() {
            Some(current) => current == step,
            None => entry.status.code() == step,
        };
        if !matches {
            return false;
        }
    }
    true
}

async fn list_entries(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
    Query(filter): Query<EntryFilter>,
) -> ApiResult {
    let (_, rules) = organisation_rules(&state, &user, &organisation)?;
    require_calendar_reader(&state, &user)?;
    let organisation_id = user.organisation_id.clone();
    let range = EntryRange {
        from: filter
            .from
            .as_deref()
            .map(|t| parse_time("from", t))
            .transpose()?,
        to: filter
            .to
            .as_deref()
            .map(|t| parse_time("to", t))
            .transpose()?,
        include_unscheduled: filter.from.is_none() && filter.to.is_none(),
    };
    let entries = state
        .store()
        .list_entries(&organisation_id, &range)
        .await
        .map_err(EditorialApiError::from)?;
    let body: Vec<Value> = entries
        .iter()
        .filter(|e| passes_filter(e, &filter))
        .map(|e| entry_json(e, rules))
        .collect();
    let everything = state
        .store()
        .list_entries(
            &organisation_id,
            &EntryRange {
                from: None,
                to: None,
                include_unscheduled: true,
            },
        )
        .await
        .map_err(EditorialApiError::from)?;
    let (profile, _) = organisation_rules(&state, &user, &organisation)?;
    let warning = blog_warning(profile, &everything, Timestamp::now());
    Ok(Json(json!({
        "entries": body,
        "blog_warning": warning.as_ref().map(|w| &w.french),
        "blog_warning_en": warning.as_ref().map(|w| &w.english),
    }))
    .into_response())
}

async fn create_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
    Json(input): Json<EntryInput>,
) -> ApiResult {
    let (_, rules) = organisation_rules(&state, &user, &organisation)?;
    if !user.may(&state, Permission::DraftPublication) {
        user.require(&state, Permission::SuggestPublication)?;
    }
    let content = entry_content(&user.organisation_id, rules, input)?;
    let status = domain::editorial::start(rules.chain(content.content_type), user.role)?;
    let stored = state
        .store()
        .create_entry(&user.attribution(), &content, &status, user.user_id)
        .await
        .map_err(EditorialApiError::from)?;
    Ok((StatusCode::CREATED, Json(entry_json(&stored, rules))).into_response())
}

async fn get_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let (entry, _, rules) = load_entry(&state, &user, id).await?;
    require_calendar_reader(&state, &user)?;
    let decisions = state
        .store()
        .list_decisions(entry.id)
        .await
        .map_err(EditorialApiError::from)?;
    let postponements = state
        .store()
        .list_postponements(entry.id)
        .await
        .map_err(EditorialApiError::from)?;
    let mut body = entry_json(&entry, rules);
    body["decisions"] = decisions
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "step": d.step, "decision": d.decision, "decided_by": d.decided_by.get(),
                "decided_by_name": d.decided_by_name, "role": d.role, "comment": d.comment,
                "external_validator": d.external_validator, "decided_at": d.decided_at.to_string(),
            })
        })
        .collect();
    body["postponements"] = postponements
        .iter()
        .map(|p| json!({"from": p.from.map(|t| t.to_string()), "to": p.to.to_string(), "reason": p.reason, "decided_at": p.decided_at.to_string()}))
        .collect();
    let (_, checks) = entry_checks_json(&entry.content, rules);
    body["checks"] = Value::Array(checks);
    Ok(Json(body).into_response())
}

async fn update_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<EntryInput>,
) -> ApiResult {
    let (entry, _, rules) = load_entry(&state, &user, id).await?;
    user.require(&state, Permission::DraftPublication)?;
    let chain = rules.chain(entry.content.content_type);
    let editable = entry
        .status
        .step()
        .and_then(|step| chain.step(step))
        .is_some_and(|step| step.kind <= StepKind::Drafting);
    if !editable {
        return Err(EditorialApiError::conflict("not_editable", "Seule une publication en rédaction se modifie ; demandez des modifications à l'étape en cours.").into());
    }
    let content = entry_content(&user.organisation_id, rules, input)?;
    let stored = state
        .store()
        .update_entry(&user.attribution(), entry.id, &entry.status, &content)
        .await
        .map_err(EditorialApiError::from)?;
    Ok(Json(entry_json(&stored, rules)).into_response())
}

/// The text each network receives when the entry is published, by network id: LinkedIn's
/// API reads reserved characters as markup, so its text goes out escaped (the connector
/// sends the outbox's `text` as is).
pub fn published_texts(content: &EntryContent) -> BTreeMap<String, String> {
    content
        .variants
        .iter()
        .map(|variant| {
            let typed = variant.full_text();
            let sent = if variant.network.as_str() == publishing::Network::LinkedIn.id() {
                publishing::escape_linkedin(&typed)
            } else {
                typed
            };
            (variant.network.as_str().to_owned(), sent)
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct DecisionInput {
    pub step: String,
    pub decision: String,
    pub comment: Option<String>,
}

/// Applies a decision for the signed-in person: the chain's rules, the checks before the
/// draft moves on and before publication, then the store. Shared with the pages.
pub async fn apply_decision(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    input: DecisionInput,
) -> Result<StoredEntry, Refusal> {
    let (entry, _, rules) = load_entry(state, user, id).await?;
    let kind = DecisionKind::parse(input.decision.trim()).ok_or_else(|| {
        EditorialApiError::bad_request(
            "unknown_decision",
            format!(
                "décision inconnue « {} » (permises : approve, request_changes, refuse)",
                input.decision
            ),
        )
    })?;
    let chain = rules.chain(entry.content.content_type);
    let step_kind = chain.step(&input.step).map(|step| step.kind);
    if let Some(step_kind) = step_kind {
        // Defence in depth: the role must also hold the step's permission (R-42 for publishing).
        user.require(state, step_kind.permission())?;
    }
    let live_below = entry.content.is_live()
        && !entry
            .content
            .live_video
            .is_some_and(|assessment| assessment.meets(rules.live_video_min_criteria));
    let chain_state = ChainState {
        status: entry.status.clone(),
        drafted_by: entry.drafted_by,
        already_validated: entry.content.already_validated,
        live_video_below_majority: live_below,
    };
    let comment = blank_to_none(input.comment);
    let transition = domain::editorial::decide(
        chain,
        &chain_state,
        ChainActor {
            user_id: user.user_id,
            role: user.role,
        },
        &Decision {
            step: input.step.clone(),
            kind,
            comment: comment.clone(),
        },
    )?;
    // Rules checked before anything is scheduled or published.
    if kind == DecisionKind::Approve
        && matches!(step_kind, Some(StepKind::Drafting | StepKind::Publication))
    {
        let (valid, checks) = entry_checks_json(&entry.content, rules);
        if !valid || entry.content.variants.is_empty() {
            let mut error = EditorialApiError::conflict(
                "checks_failed",
                if entry.content.variants.is_empty() {
                    "La publication n'a aucune variante.".to_owned()
                } else {
                    "Des variantes ne respectent pas les règles des réseaux; corrigez-les avant de poursuivre.".to_owned()
                },
            );
            error.details = Some(Value::Array(checks));
            return Err(error.into());
        }
    }
    let decision = NewDecision {
        entry_id: entry.id,
        expected_status: entry.status.clone(),
        step: input.step,
        decision: kind.code().to_owned(),
        decided_by: user.user_id,
        role: user.role.id().to_owned(),
        comment,
        external_validator: transition.external_validator.clone(),
        new_status: transition.status.clone(),
        drafted_by: transition.drafted_by,
        publish: transition.publish,
        published_texts: if transition.publish {
            published_texts(&entry.content)
        } else {
            BTreeMap::new()
        },
    };
    let mut by = user.attribution();
    by.rule = Some(if transition.publish {
        "R-42".to_owned()
    } else {
        "R-51".to_owned()
    });
    Ok(state
        .store()
        .record_decision(&by, &decision)
        .await
        .map_err(EditorialApiError::from)?)
}

async fn decide_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> ApiResult {
    let stored = apply_decision(&state, &user, id, input).await?;
    let (_, rules) = organisation_rules(&state, &user, stored.content.organisation_id.as_str())?;
    Ok(Json(entry_json(&stored, rules)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawInput {
    pub comment: Option<String>,
}

/// Withdraws an entry for the signed-in person. Shared with the pages.
pub async fn apply_withdrawal(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    comment: Option<String>,
) -> Result<StoredEntry, Refusal> {
    let (entry, _, rules) = load_entry(state, user, id).await?;
    let chain = rules.chain(entry.content.content_type);
    let status = domain::editorial::withdraw(
        chain,
        &entry.status,
        user.role,
        user.may(state, Permission::ManageCalendar),
    )?;
    let decision = NewDecision {
        entry_id: entry.id,
        expected_status: entry.status.clone(),
        step: entry.status.step().unwrap_or("").to_owned(),
        decision: "withdraw".to_owned(),
        decided_by: user.user_id,
        role: user.role.id().to_owned(),
        comment: blank_to_none(comment),
        external_validator: None,
        new_status: status,
        drafted_by: entry.drafted_by,
        publish: false,
        published_texts: BTreeMap::new(),
    };
    let mut by = user.attribution();
    by.rule = Some("R-53".to_owned());
    Ok(state
        .store()
        .record_decision(&by, &decision)
        .await
        .map_err(EditorialApiError::from)?)
}

async fn withdraw_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Option<Json<WithdrawInput>>,
) -> ApiResult {
    let comment = body.and_then(|Json(input)| input.comment);
    let stored = apply_withdrawal(&state, &user, id, comment).await?;
    let (_, rules) = organisation_rules(&state, &user, stored.content.organisation_id.as_str())?;
    Ok(Json(entry_json(&stored, rules)).into_response())
}

async fn entry_checks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult {
    let (entry, _, rules) = load_entry(&state, &user, id).await?;
    require_calendar_reader(&state, &user)?;
    let (valid, checks) = entry_checks_json(&entry.content, rules);
    Ok(
        Json(json!({"entry_id": entry.id.get(), "valid": valid, "variants": checks}))
            .into_response(),
    )
}

// ------------------------------------------------------------------ postponement

#[derive(Debug, Deserialize)]
pub struct MoveInput {
    pub entry_id: i64,
    pub from: Option<String>,
    pub to: String,
}

#[derive(Debug, Deserialize)]
pub struct PostponeInput {
    /// No new time before this (default: now).
    pub not_before: Option<String>,
    /// Minimum minutes between two publications on one network (default 60).
    pub spacing_minutes: Option<i64>,
    /// For a period: the entries scheduled in `[from, to)` move.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The proposed moves, sent back to confirm them.
    pub moves: Option<Vec<MoveInput>>,
    pub reason: Option<String>,
}

/// Proposes new times for `ids`: the next free slots within business hours, order and
/// spacing kept. Shared with the pages.
pub async fn propose_postponement(
    state: &AppState,
    profile: &Profile,
    organisation_id: &OrganisationId,
    ids: &[EntryId],
    not_before: Timestamp,
    spacing_minutes: i64,
) -> Result<Vec<domain::editorial::PlannedMove>, EditorialApiError> {
    let entries = state
        .store()
        .list_entries(
            organisation_id,
            &EntryRange {
                from: None,
                to: None,
                include_unscheduled: false,
            },
        )
        .await?;
    let mut scheduled = Vec::new();
    for entry in entries
        .iter()
        .filter(|e| !e.status.is_final() || ids.contains(&e.id))
    {
        let Some(at) = entry.content.scheduled_at else {
            continue;
        };
        if entry.content.variants.is_empty() {
            scheduled.push(ScheduledItem {
                entry_id: entry.id,
                account: "*".to_owned(),
                at,
            });
        }
        for variant in &entry.content.variants {
            scheduled.push(ScheduledItem {
                entry_id: entry.id,
                account: variant.network.as_str().to_owned(),
                at,
            });
        }
    }
    // The planner keeps one item per entry: the first variant's network carries the entry;
    // spacing against the other networks of multi-network entries is checked through them.
    let mut per_entry: Vec<ScheduledItem> = Vec::new();
    for item in scheduled {
        if !per_entry
            .iter()
            .any(|existing| existing.entry_id == item.entry_id && existing.account == item.account)
        {
            per_entry.push(item);
        }
    }
    let mut moves: Vec<domain::editorial::PlannedMove> = Vec::new();
    let calendar = domain::deadlines::business_calendar(profile, Vec::new())
        .map_err(|error| EditorialApiError::conflict("calendar_error", error.to_string()))?;
    // Plan each network's items, then merge: an entry on several networks takes the latest.
    let networks: std::collections::BTreeSet<String> =
        per_entry.iter().map(|i| i.account.clone()).collect();
    let mut proposed: BTreeMap<EntryId, (Timestamp, Timestamp)> = BTreeMap::new();
    for network in networks {
        let items: Vec<ScheduledItem> = per_entry
            .iter()
            .filter(|i| i.account == network)
            .cloned()
            .collect();
        let to_move: Vec<EntryId> = ids
            .iter()
            .copied()
            .filter(|id| items.iter().any(|i| i.entry_id == *id))
            .collect();
        if to_move.is_empty() {
            continue;
        }
        let request = PostponeRequest {
            to_move,
            not_before,
            spacing: SignedDuration::from_mins(spacing_minutes.clamp(1, 24 * 60)),
            grid: SignedDuration::from_mins(15),
        };
        let planned = domain::editorial::plan_postponement(&items, &request, &calendar)
            .map_err(|error| EditorialApiError::conflict(error.code(), error.to_string()))?;
        for planned_move in planned {
            let slot = proposed
                .entry(planned_move.entry_id)
                .or_insert((planned_move.from, planned_move.to));
            slot.1 = slot.1.max(planned_move.to);
        }
    }
    for id in ids {
        if let Some((from, to)) = proposed.get(id) {
            moves.push(domain::editorial::PlannedMove {
                entry_id: *id,
                from: *from,
                to: *to,
            });
        }
    }
    moves.sort_by_key(|m| (m.from, m.entry_id));
    Ok(moves)
}

fn moves_json(moves: &[domain::editorial::PlannedMove]) -> Value {
    Value::Array(
        moves
            .iter()
            .map(|m| json!({"entry_id": m.entry_id.get(), "from": m.from.to_string(), "to": m.to.to_string()}))
            .collect(),
    )
}

/// Applies confirmed moves. Shared with the pages.
pub async fn confirm_postponement(
    state: &AppState,
    user: &CurrentUser,
    moves: Vec<MoveInput>,
    reason: Option<String>,
) -> Result<Vec<StoredEntry>, Refusal> {
    let reason = blank_to_none(reason).ok_or_else(|| {
        EditorialApiError::bad_request(
            "reason_required",
            "Indiquez la raison du report (p. ex. l'actualité urgente).",
        )
    })?;
    let mut confirmed = Vec::with_capacity(moves.len());
    for m in moves {
        confirmed.push(ConfirmedMove {
            entry_id: EntryId::new(m.entry_id),
            from: m
                .from
                .as_deref()
                .map(|t| parse_time("from", t))
                .transpose()?,
            to: parse_time("to", &m.to)?,
        });
    }
    let mut by = user.attribution();
    by.rule = Some("R-53".to_owned());
    Ok(state
        .store()
        .postpone_entries(
            &by,
            &user.organisation_id,
            &confirmed,
            &reason,
            user.user_id,
        )
        .await
        .map_err(EditorialApiError::from)?)
}

async fn postpone_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(input): Json<PostponeInput>,
) -> ApiResult {
    let (entry, profile, _) = load_entry(&state, &user, id).await?;
    user.require(&state, Permission::ManageCalendar)?;
    if let Some(moves) = input.moves {
        let moved = confirm_postponement(&state, &user, moves, input.reason).await?;
        return Ok(Json(json!({"confirmed": true, "entries": moved.iter().map(|e| e.id.get()).collect::<Vec<_>>()})).into_response());
    }
    if entry.content.scheduled_at.is_none() {
        return Err(EditorialApiError::conflict(
            "not_scheduled",
            "Cette publication n'a pas de date à reporter.",
        )
        .into());
    }
    let not_before = match input.not_before.as_deref() {
        Some(text) => parse_time("not_before", text)?,
        None => Timestamp::now(),
    };
    let moves = propose_postponement(
        &state,
        profile,
        &user.organisation_id,
        &[entry.id],
        not_before,
        input.spacing_minutes.unwrap_or(60),
    )
    .await?;
    Ok(Json(json!({"confirmed": false, "moves": moves_json(&moves)})).into_response())
}

async fn postpone_period(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
    Json(input): Json<PostponeInput>,
) -> ApiResult {
    let (profile, _) = organisation_rules(&state, &user, &organisation)?;
    user.require(&state, Permission::ManageCalendar)?;
    if let Some(moves) = input.moves {
        let moved = confirm_postponement(&state, &user, moves, input.reason).await?;
        return Ok(Json(json!({"confirmed": true, "entries": moved.iter().map(|e| e.id.get()).collect::<Vec<_>>()})).into_response());
    }
    let (Some(from), Some(to)) = (input.from.as_deref(), input.to.as_deref()) else {
        return Err(EditorialApiError::bad_request(
            "period_required",
            "Indiquez la période à libérer (« from » et « to »).",
        )
        .into());
    };
    let (from, to) = (parse_time("from", from)?, parse_time("to", to)?);
    let entries = state
        .store()
        .list_entries(
            &user.organisation_id,
            &EntryRange {
                from: Some(from),
                to: Some(to),
                include_unscheduled: false,
            },
        )
        .await
        .map_err(EditorialApiError::from)?;
    let ids: Vec<EntryId> = entries
        .iter()
        .filter(|e| !e.status.is_final())
        .map(|e| e.id)
        .collect();
    let not_before = match input.not_before.as_deref() {
        Some(text) => parse_time("not_before", text)?,
        None => to,
    };
    let moves = propose_postponement(
        &state,
        profile,
        &user.organisation_id,
        &ids,
        not_before,
        input.spacing_minutes.unwrap_or(60),
    )
    .await?;
    Ok(Json(json!({"confirmed": false, "moves": moves_json(&moves)})).into_response())
}

// ------------------------------------------------------------------ press releases

#[derive(Debug, Deserialize)]
pub struct PressReleaseInput {
    pub html: Option<String>,
    pub text: Option<String>,
    pub url: Option<String>,
}

/// The variants proposed from a press release: title on X, lead on Facebook, link.
pub fn press_release_variants(input: &PressReleaseInput) -> Result<Value, EditorialApiError> {
    let url = input
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let release = match (&input.html, &input.text) {
        (Some(html), None) => publishing::parse_press_release_html(html, url),
        (None, Some(text)) => publishing::parse_press_release_text(text).map(|mut release| {
            if release.url.is_none() {
                release.url = url.map(str::to_owned);
            }
            release
        }),
        _ => {
            return Err(EditorialApiError::bad_request(
                "html_or_text",
                "Fournissez « html » ou « text » (un seul des deux).",
            ));
        }
    }
    .map_err(|error| EditorialApiError::bad_request(error.code(), error.message_fr()))?;
    let variants = publishing::variants_from_press_release(&release);
    Ok(json!({
        "title": release.title,
        "lead": release.lead,
        "url": release.url,
        "content_type": "press_release",
        "variants": variants.iter().map(|variant| {
            let check = publishing::check_text(variant.network, &variant.text, &publishing::CheckOptions::default());
            json!({
                "network": variant.network.id(),
                "message": variant.text,
                "length": check.length,
                "limit": check.limit,
                "valid": check.valid(),
                "problems": check.problems.iter().map(problem_json).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    }))
}

async fn import_press_release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
    Json(input): Json<PressReleaseInput>,
) -> ApiResult {
    organisation_rules(&state, &user, &organisation)?;
    user.require(&state, Permission::DraftPublication)?;
    Ok(Json(press_release_variants(&input)?).into_response())
}

// ------------------------------------------------------------------ exports

/// The iCalendar of an organisation's scheduled entries (withdrawn and refused ones left
/// out). `base_url` makes each event link back to its entry's page when given.
pub fn build_calendar_ics(
    profile: &Profile,
    entries: &[StoredEntry],
    base_url: Option<&str>,
    now: Timestamp,
) -> String {
    let rules = profile.editorial();
    let events: Vec<CalendarEvent> = entries
        .iter()
        .filter(|entry| {
            matches!(
                entry.status,
                EntryStatus::AtStep { .. } | EntryStatus::Published
            )
        })
        .filter_map(|entry| {
            let start = entry.content.scheduled_at?;
            let status = rules
                .map(|r| entry.status.label_fr(r.chain(entry.content.content_type)))
                .unwrap_or_default();
            let networks: Vec<&str> = entry
                .content
                .variants
                .iter()
                .map(|v| v.network.as_str())
                .collect();
            let mut description = format!("{status}\n");
            for variant in &entry.content.variants {
                description.push_str(&format!("{} : {}\n", variant.network, variant.full_text()));
            }
            Some(CalendarEvent {
                uid: format!(
                    "entry-{}@{}.balise",
                    entry.id, entry.content.organisation_id
                ),
                start,
                duration: SignedDuration::from_mins(15),
                summary: format!("[{}] {}", networks.join(", "), entry.content.title),
                description,
                url: base_url.map(|base| {
                    format!(
                        "{}/calendrier/publications/{}",
                        base.trim_end_matches('/'),
                        entry.id
                    )
                }),
            })
        })
        .collect();
    domain::editorial::calendar_to_ics(
        &format!(
            "{} — calendrier de contenus",
            profile.identity().abbreviation
        ),
        &events,
        now,
    )
}

/// The CSV export with Annexe 5's columns.
pub fn build_calendar_csv(profile: &Profile, entries: &[StoredEntry]) -> String {
    let rows: Vec<(EntryContent, String)> = entries
        .iter()
        .map(|entry| {
            let status = profile
                .editorial()
                .map(|rules| {
                    entry
                        .status
                        .label_fr(rules.chain(entry.content.content_type))
                })
                .unwrap_or_else(|| entry.status.code().to_owned());
            (entry.content.clone(), status)
        })
        .collect();
    domain::editorial::entries_to_csv(&rows, profile.time_zone())
}

async fn create_calendar_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
) -> ApiResult {
    organisation_rules(&state, &user, &organisation)?;
    require_calendar_reader(&state, &user)?;
    let secret = crate::auth::secrets::random_token().map_err(|error| {
        EditorialApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "random_failed",
            error.to_string(),
        )
    })?;
    let hash = crate::auth::secrets::token_hash(&secret);
    state
        .store()
        .create_feed_token(
            &user.attribution(),
            user.user_id,
            &user.organisation_id,
            &hash,
        )
        .await
        .map_err(EditorialApiError::from)?;
    let path = format!("/api/v1/organisations/{organisation}/calendar.ics?token={secret}");
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": secret, "path": path})),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    pub token: Option<String>,
}

/// The feed: opened by a per-user token (Outlook sends no cookie), whose holder must still
/// belong to the organisation and may still read the calendar.
async fn calendar_ics(
    State(state): State<AppState>,
    Path(organisation): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, EditorialApiError> {
    // A feed address is a secret: without a valid token it does not exist (404), which also
    // keeps calendar clients from prompting for a password they could not give.
    let refused = || {
        EditorialApiError::new(
            StatusCode::NOT_FOUND,
            "feed_token_invalid",
            "Jeton d'abonnement absent, inconnu ou révoqué.",
        )
    };
    let token = query
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(refused)?;
    let (user_id, organisation_id) = state
        .store()
        .find_feed_token(&crate::auth::secrets::token_hash(token))
        .await?
        .ok_or_else(refused)?;
    if organisation_id.as_str() != organisation {
        return Err(refused());
    }
    let entry = state
        .organisation(&organisation)
        .ok_or_else(|| EditorialApiError::not_found("Organisme introuvable."))?;
    tracing::debug!(user = %user_id, "calendar feed read");
    let entries = state
        .store()
        .list_entries(
            &organisation_id,
            &EntryRange {
                from: None,
                to: None,
                include_unscheduled: false,
            },
        )
        .await?;
    let body = build_calendar_ics(&entry.profile, &entries, None, Timestamp::now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"calendrier.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}

async fn calendar_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(organisation): Path<String>,
) -> ApiResult {
    let (profile, _) = organisation_rules(&state, &user, &organisation)?;
    require_calendar_reader(&state, &user)?;
    let entries = state
        .store()
        .list_entries(
            &user.organisation_id,
            &EntryRange {
                from: None,
                to: None,
                include_unscheduled: true,
            },
        )
        .await
        .map_err(EditorialApiError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"calendrier.csv\"",
            ),
        ],
        build_calendar_csv(profile, &entries),
    )
        .into_response())
}
