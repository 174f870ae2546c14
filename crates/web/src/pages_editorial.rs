//! The editorial calendar's pages: `/calendrier` in month, week and list
//! views with filters (network, sector, campaign, step), the approvals inbox of the signed-in
//! person, a new entry form, and the entry page — its per-network variants with the tone
//! guidance of S2 Annexe 1 beside each and the problems the publishing checks find, the
//! chain's steps with who did what, and the forms (decision, withdrawal, postponement) shown
//! only to people who hold the role. The rules are the API's shared functions; this module
//! renders and reads forms. Its strings are the `editorial.*` keys of the string table
//! (`i18n_strings.rs`); what the profile names (chains, steps, tone) shows as written there.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::editorial::{EntryStatus, Media};
use domain::profile::{EditorialRules, Permission, Profile, StepKind};
use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use store::editorial::{EntryRange, StoredEntry};

use crate::AppState;
use crate::api_editorial::{
    self, DecisionInput, EntryFilter, EntryInput, ImageInput, MoveInput, Refusal, VariantInput,
    VideoInput,
};
use crate::auth::{AuthError, CsrfForm, CurrentUser, Surface};
use crate::i18n::Lang;
use crate::pages::{Layout, PageError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendrier", get(calendar_page))
        .route("/calendrier/approbations", get(approvals_page))
        .route(
            "/calendrier/nouvelle",
            get(new_entry_page).post(create_entry),
        )
        .route("/calendrier/publications/{id}", get(entry_page))
        .route(
            "/calendrier/publications/{id}/modifier",
            get(edit_entry_page).post(update_entry),
        )
        .route("/calendrier/publications/{id}/decision", post(decide))
        .route("/calendrier/publications/{id}/retrait", post(withdraw))
        .route(
            "/calendrier/publications/{id}/report",
            post(propose_postponement),
        )
        .route(
            "/calendrier/publications/{id}/report/confirmation",
            post(confirm_postponement),
        )
        .route(
            "/calendrier/report",
            get(period_postponement_page).post(propose_period_postponement),
        )
        .route(
            "/calendrier/report/confirmation",
            post(confirm_period_postponement),
        )
        .route("/calendrier/abonnement", post(subscribe))
        .route(
            "/calendrier/communique",
            get(press_release_page).post(press_release_proposal),
        )
}

// ------------------------------------------------------------------ strings


/// This page's strings in one language.
#[derive(Clone, Copy)]
pub(crate) struct Texts {
    lang: Lang,
}

impl Texts {
    /// The string of `key` (an `editorial.*`, `month.*` or `weekday.*` key of the table).
    pub(crate) fn t(&self, key: &'static str) -> &'static str {
        self.lang.t(key)
    }
}

// ------------------------------------------------------------------ helpers

fn refusal(error: Refusal) -> PageError {
    match error {
        Refusal::Auth(error) => PageError::Auth(error),
        Refusal::Api(error) => match error.status().as_u16() {
            403 => PageError::Auth(AuthError::forbidden(
                Surface::Page,
                error.message().to_owned(),
            )),
            404 => PageError::NotFound,
            _ => PageError::BadRequest(error.message().to_owned()),
        },
    }
}

fn rules_of(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(std::sync::Arc<Profile>, EditorialRules), PageError> {
    let profile = crate::pages::profile_of(state, user)?;
    let rules = profile.editorial().cloned().ok_or_else(|| {
        PageError::BadRequest(Lang::of_current_request().t("editorial.no_editorial_rules").to_owned())
    })?;
    Ok((profile, rules))
}

fn local(profile: &Profile, at: Timestamp) -> DateTime {
    at.to_zoned(profile.time_zone().clone()).datetime()
}

fn local_text(profile: &Profile, at: Option<Timestamp>, texts: Texts) -> String {
    match at {
        Some(at) => local(profile, at).strftime("%Y-%m-%d %H:%M").to_string(),
        None => texts.t("editorial.unscheduled").to_owned(),
    }
}

/// A `datetime-local` value (`2026-06-02T10:00`) read in the organisation's time zone.
fn parse_local(profile: &Profile, text: &str) -> Result<Timestamp, PageError> {
    let civil: DateTime = text.trim().parse().map_err(|_| {
        PageError::BadRequest(Lang::of_current_request().t("editorial.bad_date_time").to_owned())
    })?;
    civil
        .to_zoned(profile.time_zone().clone())
        .map(|zoned| zoned.timestamp())
        .map_err(|error| PageError::BadRequest(error.to_string()))
}

fn role_names(roles: &[domain::profile::Role], texts: Texts) -> String {
    roles
        .iter()
        .map(|role| crate::pages::text::role_label(role.id(), texts.lang))
        .collect::<Vec<_>>()
        .join(", ")
}

fn may_see(state: &AppState, user: &CurrentUser) -> bool {
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

fn require_reader(state: &AppState, user: &CurrentUser) -> Result<(), PageError> {
    if may_see(state, user) {
        Ok(())
    } else {
        Err(user
            .require(state, Permission::ManageCalendar)
            .err()
            .map(PageError::Auth)
            .unwrap_or(PageError::NotFound))
    }
}

/// One entry as a row of the calendar views.
pub(crate) struct EntryRow {
    pub id: i64,
    pub when: String,
    pub time: String,
    pub title: String,
    pub networks: String,
    pub status: String,
    pub sector: String,
    pub campaign: String,
}

fn entry_row(
    profile: &Profile,
    rules: &EditorialRules,
    entry: &StoredEntry,
    texts: Texts,
) -> EntryRow {
    EntryRow {
        id: entry.id.get(),
        when: local_text(profile, entry.content.scheduled_at, texts),
        time: entry
            .content
            .scheduled_at
            .map(|at| local(profile, at).strftime("%H:%M").to_string())
            .unwrap_or_default(),
        title: entry.content.title.clone(),
        networks: entry
            .content
            .variants
            .iter()
            .map(|v| v.network.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        status: status_label(&entry.status, rules.chain(entry.content.content_type), texts),
        sector: entry.content.sector.clone().unwrap_or_default(),
        campaign: entry.content.campaign.clone().unwrap_or_default(),
    }
}

// ------------------------------------------------------------------ calendar

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CalendarQuery {
    vue: Option<String>,
    date: Option<String>,
    reseau: Option<String>,
    secteur: Option<String>,
    campagne: Option<String>,
    etape: Option<String>,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) struct DayCell {
    pub label: String,
    pub in_period: bool,
    pub entries: Vec<EntryRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "editorial/calendar.html")]
pub(crate) struct CalendarPage {
    layout: Layout,
    x: Texts,
    view: String,
    period_label: String,
    previous_href: String,
    next_href: String,
    date: String,
    networks: Vec<Choice>,
    sectors: Vec<Choice>,
    steps: Vec<Choice>,
    campaign: String,
    weekday_names: Vec<&'static str>,
    weeks: Vec<Vec<DayCell>>,
    days: Vec<DayCell>,
    rows: Vec<EntryRow>,
    csv_href: String,
    csrf: String,
    may_create: bool,
    may_postpone: bool,
    blog_warning: Option<String>,
}

/// The weekdays' keys, Monday first.
const WEEKDAY_KEYS: [&str; 7] = [
    "weekday.monday",
    "weekday.tuesday",
    "weekday.wednesday",
    "weekday.thursday",
    "weekday.friday",
    "weekday.saturday",
    "weekday.sunday",
];
/// The months' keys, January first.
const MONTH_KEYS: [&str; 12] = [
    "month.january",
    "month.february",
    "month.march",
    "month.april",
    "month.may",
    "month.june",
    "month.july",
    "month.august",
    "month.september",
    "month.october",
    "month.november",
    "month.december",
];

/// Annexe 6's ten live-video criteria, in the order of
/// `domain::editorial::LIVE_VIDEO_CRITERIA_FR` (the order the stored flags follow).
const CRITERION_KEYS: [&str; 10] = [
    "editorial.criterion_nature",
    "editorial.criterion_collaboration",
    "editorial.criterion_discoverability",
    "editorial.criterion_accessibility",
    "editorial.criterion_consistency",
    "editorial.criterion_targeting",
    "editorial.criterion_durability",
    "editorial.criterion_conversation",
    "editorial.criterion_interactivity",
    "editorial.criterion_authenticity",
];

/// An entry's status for people: the step it waits at (the profile's label), or its end.
fn status_label(status: &EntryStatus, chain: &domain::profile::ApprovalChainDefinition, texts: Texts) -> String {
    match status {
        EntryStatus::AtStep { step } => format!(
            "{} {}",
            texts.t("editorial.status_waiting"),
            chain.step(step).map_or(step.as_str(), |s| s.label.as_str())
        ),
        EntryStatus::Published => texts.t("editorial.status_published").to_owned(),
        EntryStatus::Withdrawn => texts.t("editorial.status_withdrawn").to_owned(),
        EntryStatus::Refused => texts.t("editorial.status_refused").to_owned(),
    }
}

/// A length unit of the publishing checks (they name it in French) in the page's language.
fn length_unit(unit_fr: &str, texts: Texts) -> &str {
    match unit_fr {
        "caractères pondérés" => texts.t("editorial.unit_weighted_characters"),
        "caractères" => texts.t("editorial.unit_characters"),
        "octets" => texts.t("editorial.unit_bytes"),
        "mots" => texts.t("editorial.unit_words"),
        other => other,
    }
}

/// A network's name in the form: the blog's is a word of the page's language.
fn network_name(id: &'static str, texts: Texts) -> &'static str {
    match id {
        "facebook" => "Facebook",
        "x" => "X",
        "linkedin" => "LinkedIn",
        "blog" => texts.t("editorial.blog"),
        other => other,
    }
}

fn monday_of(date: Date) -> Date {
    let offset = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(offset.days()).unwrap_or(date)
}

fn choices(
    values: impl IntoIterator<Item = (String, String)>,
    selected: Option<&str>,
    texts: Texts,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: texts.t("editorial.any").to_owned(),
        selected: selected.is_none_or(str::is_empty),
    }];
    out.extend(values.into_iter().map(|(value, label)| Choice {
        selected: selected == Some(value.as_str()),
        value,
        label,
    }));
    out
}

async fn calendar_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Query(query): Query<CalendarQuery>,
) -> Result<CalendarPage, PageError> {
    require_reader(&state, &user)?;
    let (profile, rules) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let view = match query.vue.as_deref() {
        Some("semaine") => "semaine",
        Some("liste") => "liste",
        _ => "mois",
    };
    let today = Timestamp::now()
        .to_zoned(profile.time_zone().clone())
        .date();
    let anchor = query
        .date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or(today);
    let (start, end, previous, next) = match view {
        "semaine" => {
            let monday = monday_of(anchor);
            let next_monday = monday.checked_add(7.days()).unwrap_or(monday);
            (
                monday,
                next_monday,
                monday.checked_sub(7.days()).unwrap_or(monday),
                next_monday,
            )
        }
        _ => {
            let first = anchor.first_of_month();
            let next_first = first.checked_add(1.month()).unwrap_or(first);
            (
                first,
                next_first,
                first.checked_sub(1.month()).unwrap_or(first),
                next_first,
            )
        }
    };
    let to_instant = |date: Date| {
        date.to_zoned(profile.time_zone().clone())
            .map(|z| z.timestamp())
            .ok()
    };
    let range = EntryRange {
        from: to_instant(start),
        to: to_instant(end),
        include_unscheduled: view == "liste",
    };
    let filter = EntryFilter {
        from: None,
        to: None,
        network: query.reseau.clone(),
        sector: query.secteur.clone(),
        campaign: query.campagne.clone(),
        step: query.etape.clone(),
    };
    let entries: Vec<StoredEntry> = state
        .store()
        .list_entries(&user.organisation_id, &range)
        .await?
        .into_iter()
        .filter(|entry| api_editorial::passes_filter(entry, &filter))
        .collect();
    let blog_warning = match profile.blog() {
        Some(_) => {
            let everything = state
                .store()
                .list_entries(
                    &user.organisation_id,
                    &EntryRange {
                        from: None,
                        to: None,
                        include_unscheduled: true,
                    },
                )
                .await?;
            api_editorial::blog_warning(&profile, &everything, Timestamp::now())
                .map(|warning| if lang.is_en() { warning.english } else { warning.french })
        }
        None => None,
    };
    let mut by_day: BTreeMap<Date, Vec<EntryRow>> = BTreeMap::new();
    let mut rows = Vec::new();
    for entry in &entries {
        let row = entry_row(&profile, &rules, entry, texts);
        if let Some(at) = entry.content.scheduled_at {
            by_day
                .entry(local(&profile, at).date())
                .or_default()
                .push(entry_row(&profile, &rules, entry, texts));
        }
        rows.push(row);
    }
    let day_label = |date: Date| {
        format!(
            "{} {}",
            texts.t(WEEKDAY_KEYS[date.weekday().to_monday_zero_offset() as usize]),
            date.day()
        )
    };
    let mut weeks = Vec::new();
    let mut days = Vec::new();
    if view == "mois" {
        let mut monday = monday_of(start);
        while monday < end {
            let mut week = Vec::with_capacity(7);
            for offset in 0..7 {
                let date = monday.checked_add(offset.days()).unwrap_or(monday);
                week.push(DayCell {
                    label: date.day().to_string(),
                    in_period: date >= start && date < end,
                    entries: if date >= start && date < end {
                        by_day.remove(&date).unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                });
            }
            weeks.push(week);
            monday = monday.checked_add(7.days()).unwrap_or(end);
        }
    } else if view == "semaine" {
        for offset in 0..7 {
            let date = start.checked_add(offset.days()).unwrap_or(start);
            days.push(DayCell {
                label: day_label(date),
                in_period: true,
                entries: by_day.remove(&date).unwrap_or_default(),
            });
        }
    }
    let period_label = match view {
        "semaine" => format!("{} – {}", start, end.checked_sub(1.day()).unwrap_or(end)),
        _ => format!(
            "{} {}",
            texts.t(MONTH_KEYS[usize::from(start.month().unsigned_abs()).saturating_sub(1) % 12]),
            start.year()
        ),
    };
    let keep = |date: Date| {
        let mut pairs = vec![
            ("vue".to_owned(), view.to_owned()),
            ("date".to_owned(), date.to_string()),
        ];
        for (key, value) in [
            ("reseau", &query.reseau),
            ("secteur", &query.secteur),
            ("campagne", &query.campagne),
            ("etape", &query.etape),
        ] {
            if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
                pairs.push((key.to_owned(), value.clone()));
            }
        }
        format!(
            "/calendrier?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let mut step_values: Vec<(String, String)> = Vec::new();
    for chain in &rules.chains {
        for step in &chain.steps {
            if !step_values.iter().any(|(id, _)| *id == step.id) {
                step_values.push((step.id.clone(), step.label.clone()));
            }
        }
    }
    step_values.extend([
        ("published".to_owned(), texts.t("editorial.status_published").to_owned()),
        ("withdrawn".to_owned(), texts.t("editorial.status_withdrawn").to_owned()),
        ("refused".to_owned(), texts.t("editorial.status_refused").to_owned()),
    ]);
    let network_values = publishing::Network::ALL
        .iter()
        .map(|n| (n.id().to_owned(), n.display_name().to_owned()));
    let sector_values = profile
        .sectors()
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()));
    Ok(CalendarPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, texts.t("editorial.title").to_owned()),
        x: texts,
        view: view.to_owned(),
        period_label,
        previous_href: keep(previous),
        next_href: keep(next),
        date: anchor.to_string(),
        networks: choices(network_values, query.reseau.as_deref(), texts),
        sectors: choices(sector_values, query.secteur.as_deref(), texts),
        steps: choices(step_values, query.etape.as_deref(), texts),
        campaign: query.campagne.clone().unwrap_or_default(),
        weekday_names: WEEKDAY_KEYS.iter().map(|key| texts.t(key)).collect(),
        weeks,
        days,
        rows,
        csv_href: format!(
            "/api/v1/organisations/{}/calendar.csv",
            user.organisation_id
        ),
        csrf: user.csrf_token.clone().unwrap_or_default(),
        may_create: user.may(&state, Permission::SuggestPublication)
            || user.may(&state, Permission::DraftPublication),
        may_postpone: user.may(&state, Permission::ManageCalendar),
        blog_warning,
    })
}

// ------------------------------------------------------------------ approvals inbox

#[derive(Template, WebTemplate)]
#[template(path = "editorial/approvals.html")]
pub(crate) struct ApprovalsPage {
    layout: Layout,
    x: Texts,
    rows: Vec<EntryRow>,
}

async fn approvals_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
) -> Result<ApprovalsPage, PageError> {
    require_reader(&state, &user)?;
    let (profile, rules) = rules_of(&state, &user)?;
    let texts = Texts { lang };
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
        .await?;
    let rows = entries
        .iter()
        .filter(|entry| {
            let chain = rules.chain(entry.content.content_type);
            let Some(step) = entry.status.step().and_then(|id| chain.step(id)) else {
                return false;
            };
            let judges = matches!(step.kind, StepKind::Approval | StepKind::Validation);
            step.carriers.contains(&user.role)
                && !(judges && entry.drafted_by == Some(user.user_id))
        })
        .map(|entry| entry_row(&profile, &rules, entry, texts))
        .collect();
    Ok(ApprovalsPage {
        layout: Layout::new(
            &state,
            lang,
            Some(&user),
            &uri,
            texts.t("editorial.approvals").to_owned(),
        ),
        x: texts,
        rows,
    })
}

// ------------------------------------------------------------------ new entry

/// A network the entry form offers (its name comes from [`network_name`]).
#[derive(Clone, Copy)]
pub(crate) struct NetworkField {
    pub id: &'static str,
}

const FORM_NETWORKS: [NetworkField; 4] = [
    NetworkField { id: "facebook" },
    NetworkField { id: "x" },
    NetworkField { id: "linkedin" },
    NetworkField { id: "blog" },
];

#[derive(Template, WebTemplate)]
#[template(path = "editorial/new.html")]
pub(crate) struct NewEntryPage {
    layout: Layout,
    x: Texts,
    csrf: String,
    /// Where the form posts: the new entry route, or an entry's edit route.
    action: String,
    submit_label: &'static str,
    /// When editing: the content type is kept (the entry's step belongs to its chain).
    locked_content_type: Option<Choice>,
    values: EntryFormValues,
    content_types: Vec<Choice>,
    sectors: Vec<Choice>,
    networks: Vec<NetworkValues>,
    criteria: Vec<(usize, &'static str, bool)>,
}

/// The entry-level values a form shows (empty for a new entry).
#[derive(Default)]
pub(crate) struct EntryFormValues {
    pub title: String,
    pub scheduled_at: String,
    pub campaign: String,
    pub budget: String,
    pub geolocation: String,
    pub documentation: String,
    pub already_validated: bool,
}

/// One network's fieldset and the variant's values in it.
pub(crate) struct NetworkValues {
    pub id: &'static str,
    pub name: &'static str,
    pub message: String,
    pub hashtags: String,
    pub link: String,
    pub image: String,
    pub alt: String,
    pub video: String,
    pub subtitles: bool,
    pub live: bool,
    pub mentions: String,
}

impl NetworkValues {
    fn of(field: NetworkField, variant: Option<&domain::editorial::Variant>, texts: Texts) -> Self {
        let (image, alt, video, subtitles, live) = match variant.and_then(|v| v.media.as_ref()) {
            Some(Media::Image {
                reference,
                alt_text,
            }) => (
                reference.clone(),
                alt_text.clone(),
                String::new(),
                false,
                false,
            ),
            Some(Media::Video {
                reference,
                subtitles,
                live,
            }) => (
                String::new(),
                String::new(),
                reference.clone(),
                *subtitles,
                *live,
            ),
            None => Default::default(),
        };
        NetworkValues {
            id: field.id,
            name: network_name(field.id, texts),
            message: variant.map(|v| v.message.clone()).unwrap_or_default(),
            hashtags: variant.map(|v| v.hashtags.join(" ")).unwrap_or_default(),
            link: variant.and_then(|v| v.link.clone()).unwrap_or_default(),
            image,
            alt,
            video,
            subtitles,
            live,
            mentions: variant.map(|v| v.mentions.join(" ")).unwrap_or_default(),
        }
    }
}

async fn new_entry_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
) -> Result<NewEntryPage, PageError> {
    let (profile, rules) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let content_types = rules
        .chains
        .iter()
        .map(|chain| Choice {
            value: chain.content_type.id().to_owned(),
            label: chain.label.clone(),
            selected: chain.content_type.id() == "regular",
        })
        .collect();
    let sectors = choices(
        profile
            .sectors()
            .iter()
            .map(|s| (s.id.clone(), s.name.clone())),
        None,
        texts,
    );
    Ok(NewEntryPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, texts.t("editorial.new").to_owned()),
        x: texts,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        action: "/calendrier/nouvelle".to_owned(),
        submit_label: texts.t("editorial.create"),
        locked_content_type: None,
        values: EntryFormValues::default(),
        content_types,
        sectors,
        networks: FORM_NETWORKS
            .into_iter()
            .map(|field| NetworkValues::of(field, None, texts))
            .collect(),
        criteria: CRITERION_KEYS
            .iter()
            .enumerate()
            .map(|(index, key)| (index, texts.t(key), false))
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewEntryForm {
    title: String,
    #[serde(default)]
    scheduled_at: String,
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    geolocation: String,
    #[serde(default)]
    documentation: String,
    #[serde(flatten)]
    variants: BTreeMap<String, String>,
}

/// Reads the entry form (new or edit) into the API's input.
fn entry_input_from_form(profile: &Profile, form: NewEntryForm) -> Result<EntryInput, PageError> {
    let field = |network: &str, name: &str| {
        form.variants
            .get(&format!("{network}_{name}"))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut variants = Vec::new();
    for network in FORM_NETWORKS {
        let message = field(network.id, "message");
        if message.is_empty() {
            continue;
        }
        let image = field(network.id, "image");
        let video = field(network.id, "video");
        let checked = |name: &str| !field(network.id, name).is_empty();
        variants.push(VariantInput {
            network: network.id.to_owned(),
            message,
            hashtags: field(network.id, "hashtags")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            link: Some(field(network.id, "link")),
            image: (!image.is_empty()).then(|| ImageInput {
                reference: image,
                alt_text: field(network.id, "alt"),
            }),
            video: (!video.is_empty()).then(|| VideoInput {
                reference: video,
                subtitles: checked("subtitles"),
                live: checked("live"),
            }),
            mentions: field(network.id, "mentions")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        });
    }
    // Annexe 6's criteria are recorded when the person assessed a live video.
    let flags: Vec<bool> = (0..10)
        .map(|index| {
            form.variants
                .get(&format!("criterion_{index}"))
                .is_some_and(|v| !v.is_empty())
        })
        .collect();
    let any_live = FORM_NETWORKS
        .iter()
        .any(|network| !field(network.id, "live").is_empty());
    let criteria = (any_live || flags.iter().any(|met| *met)).then_some(flags);
    let scheduled_at = match form.scheduled_at.trim() {
        "" => None,
        text => Some(parse_local(profile, text)?.to_string()),
    };
    let input = EntryInput {
        title: form.title,
        scheduled_at,
        content_type: Some(form.content_type),
        campaign: Some(form.campaign),
        sector: Some(form.sector),
        geolocation: Some(form.geolocation),
        budget: Some(form.budget),
        documentation: Some(form.documentation),
        already_validated: form
            .variants
            .get("already_validated")
            .is_some_and(|v| !v.is_empty()),
        live_video_criteria: criteria,
        variants,
    };
    Ok(input)
}

async fn create_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewEntryForm>,
) -> Result<Response, PageError> {
    let (profile, rules) = rules_of(&state, &user)?;
    let input = entry_input_from_form(&profile, form)?;
    if !user.may(&state, Permission::DraftPublication) {
        user.require(&state, Permission::SuggestPublication)?;
    }
    let content = api_editorial::entry_content(&user.organisation_id, &rules, input)
        .map_err(|error| PageError::BadRequest(error.message().to_owned()))?;
    let status = domain::editorial::start(rules.chain(content.content_type), user.role)
        .map_err(|error| refusal(Refusal::from(error)))?;
    let stored = state
        .store()
        .create_entry(&user.attribution(), &content, &status, user.user_id)
        .await?;
    Ok(Redirect::to(&format!("/calendrier/publications/{}", stored.id)).into_response())
}

// ------------------------------------------------------------------ editing an entry

/// Loads an entry the signed-in person may edit: at suggestion or drafting, and they created
/// it or they draft. Refusals say why.
async fn editable_entry(
    state: &AppState,
    user: &CurrentUser,
    rules: &EditorialRules,
    id: i64,
) -> Result<StoredEntry, PageError> {
    let entry = state
        .store()
        .get_entry(domain::editorial::EntryId::new(id))
        .await?
        .ok_or(PageError::NotFound)?;
    user.require_organisation(entry.content.organisation_id.as_str())?;
    if entry.created_by != user.user_id {
        user.require(state, Permission::DraftPublication)?;
    }
    let chain = rules.chain(entry.content.content_type);
    let editable = entry
        .status
        .step()
        .and_then(|step| chain.step(step))
        .is_some_and(|step| step.kind <= StepKind::Drafting);
    if !editable {
        return Err(PageError::BadRequest(
            Lang::of_current_request().t("editorial.not_editable").to_owned(),
        ));
    }
    Ok(entry)
}

fn may_edit(
    state: &AppState,
    user: &CurrentUser,
    rules: &EditorialRules,
    entry: &StoredEntry,
) -> bool {
    let chain = rules.chain(entry.content.content_type);
    let at_drafting = entry
        .status
        .step()
        .and_then(|step| chain.step(step))
        .is_some_and(|step| step.kind <= StepKind::Drafting);
    at_drafting
        && (entry.created_by == user.user_id || user.may(state, Permission::DraftPublication))
}

async fn edit_entry_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<NewEntryPage, PageError> {
    let (profile, rules) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let entry = editable_entry(&state, &user, &rules, id).await?;
    let content = &entry.content;
    let chain = rules.chain(content.content_type);
    let sectors = choices(
        profile
            .sectors()
            .iter()
            .map(|s| (s.id.clone(), s.name.clone())),
        content.sector.as_deref(),
        texts,
    );
    let live = content.live_video.map(|l| l.criteria()).unwrap_or_default();
    Ok(NewEntryPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, texts.t("editorial.edit").to_owned()),
        x: texts,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        action: format!("/calendrier/publications/{id}/modifier"),
        submit_label: texts.t("editorial.save"),
        locked_content_type: Some(Choice {
            value: content.content_type.id().to_owned(),
            label: chain.label.clone(),
            selected: true,
        }),
        values: EntryFormValues {
            title: content.title.clone(),
            scheduled_at: content
                .scheduled_at
                .map(|at| local(&profile, at).strftime("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            campaign: content.campaign.clone().unwrap_or_default(),
            budget: content.budget.clone().unwrap_or_default(),
            geolocation: content.geolocation.clone().unwrap_or_default(),
            documentation: content
                .documentation
                .as_ref()
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            already_validated: content.already_validated,
        },
        content_types: Vec::new(),
        sectors,
        networks: FORM_NETWORKS
            .into_iter()
            .map(|field| {
                let variant = content
                    .variants
                    .iter()
                    .find(|v| v.network.as_str() == field.id);
                NetworkValues::of(field, variant, texts)
            })
            .collect(),
        criteria: CRITERION_KEYS
            .iter()
            .enumerate()
            .map(|(index, key)| (index, texts.t(key), live.get(index).copied().unwrap_or(false)))
            .collect(),
    })
}

async fn update_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<NewEntryForm>,
) -> Result<Response, PageError> {
    let (profile, rules) = rules_of(&state, &user)?;
    let entry = editable_entry(&state, &user, &rules, id).await?;
    let mut input = entry_input_from_form(&profile, form)?;
    // The entry's step belongs to its chain: the content type stays.
    input.content_type = Some(entry.content.content_type.id().to_owned());
    // Variants on networks the form does not show (added through the API) are kept as they are.
    for variant in &entry.content.variants {
        if FORM_NETWORKS
            .iter()
            .any(|field| field.id == variant.network.as_str())
        {
            continue;
        }
        let (image, video) = match &variant.media {
            Some(Media::Image {
                reference,
                alt_text,
            }) => (
                Some(ImageInput {
                    reference: reference.clone(),
                    alt_text: alt_text.clone(),
                }),
                None,
            ),
            Some(Media::Video {
                reference,
                subtitles,
                live,
            }) => (
                None,
                Some(VideoInput {
                    reference: reference.clone(),
                    subtitles: *subtitles,
                    live: *live,
                }),
            ),
            None => (None, None),
        };
        input.variants.push(VariantInput {
            network: variant.network.as_str().to_owned(),
            message: variant.message.clone(),
            hashtags: variant.hashtags.clone(),
            link: variant.link.clone(),
            image,
            video,
            mentions: variant.mentions.clone(),
        });
    }
    let content = api_editorial::entry_content(&user.organisation_id, &rules, input)
        .map_err(|error| PageError::BadRequest(error.message().to_owned()))?;
    state
        .store()
        .update_entry(&user.attribution(), entry.id, &entry.status, &content)
        .await?;
    Ok(Redirect::to(&format!("/calendrier/publications/{id}")).into_response())
}

// ------------------------------------------------------------------ entry page

pub(crate) struct ProblemView {
    pub code: String,
    pub message: String,
}

pub(crate) struct VariantView {
    pub network: String,
    pub anchor: String,
    pub text: String,
    pub link: String,
    pub media: String,
    pub mentions: String,
    pub tone: String,
    pub length: String,
    pub problems: Vec<ProblemView>,
}

pub(crate) struct StepView {
    pub id: String,
    pub label: String,
    pub carriers: String,
    pub collaborators: String,
    pub state: &'static str,
    pub external: String,
}

pub(crate) struct DecisionView {
    pub step: String,
    pub decision: String,
    pub who: String,
    pub role: String,
    pub when: String,
    pub comment: String,
    pub external: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "editorial/entry.html")]
pub(crate) struct EntryPage {
    layout: Layout,
    x: Texts,
    id: i64,
    csrf: String,
    status: String,
    when: String,
    content_type: String,
    campaign: String,
    sector: String,
    budget: String,
    geolocation: String,
    documentation: String,
    live_video: String,
    variants: Vec<VariantView>,
    steps: Vec<StepView>,
    decisions: Vec<DecisionView>,
    postponements: Vec<(String, String, String)>,
    decide_step: Option<String>,
    decide_label: String,
    may_request_changes: bool,
    may_refuse: bool,
    may_withdraw: bool,
    may_postpone: bool,
    may_edit: bool,
    not_before: String,
}

async fn entry_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<EntryPage, PageError> {
    require_reader(&state, &user)?;
    let (profile, rules) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let entry = state
        .store()
        .get_entry(domain::editorial::EntryId::new(id))
        .await?
        .ok_or(PageError::NotFound)?;
    user.require_organisation(entry.content.organisation_id.as_str())?;
    let chain = rules.chain(entry.content.content_type);
    let decisions = state.store().list_decisions(entry.id).await?;
    let postponements = state.store().list_postponements(entry.id).await?;
    let current = entry.status.step().and_then(|step| chain.position(step));
    let steps = chain
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| StepView {
            id: step.id.clone(),
            label: step.label.clone(),
            carriers: role_names(&step.carriers, texts),
            collaborators: role_names(&step.collaborators, texts),
            state: match (current, &entry.status) {
                (Some(position), _) if index < position => "done",
                (Some(position), _) if index == position => "current",
                (None, EntryStatus::Published) => "done",
                _ => "pending",
            },
            external: step.external_validator.clone().unwrap_or_default(),
        })
        .collect();
    let variants = entry
        .content
        .variants
        .iter()
        .map(|variant| {
            let check = api_editorial::variant_checks(variant, &entry.content, &rules);
            let problems = check["problems"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|p| ProblemView {
                            code: p["code"].as_str().unwrap_or("").to_owned(),
                            message: p[if lang.is_en() { "message_en" } else { "message" }]
                                .as_str()
                                .unwrap_or("")
                                .to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            VariantView {
                network: variant.network.to_string(),
                anchor: format!("variante-{}", variant.network),
                text: variant.full_text(),
                link: variant.link.clone().unwrap_or_default(),
                media: match &variant.media {
                    None => String::new(),
                    Some(Media::Image {
                        reference,
                        alt_text,
                    }) => format!("{reference} — « {alt_text} »"),
                    Some(Media::Video {
                        reference,
                        subtitles,
                        live,
                    }) => format!(
                        "{reference} — {}{}",
                        if *subtitles {
                            texts.t("editorial.media_subtitled")
                        } else {
                            texts.t("editorial.media_no_subtitles")
                        },
                        if *live {
                            format!(", {}", texts.t("editorial.media_live"))
                        } else {
                            String::new()
                        }
                    ),
                },
                mentions: variant.mentions.join(" "),
                tone: api_editorial::tone_for(&rules, &variant.network),
                length: match (check["length"].as_u64(), check["limit"].as_u64()) {
                    (Some(length), Some(limit)) => format!(
                        "{length} / {limit} {}",
                        length_unit(check["unit"].as_str().unwrap_or(""), texts)
                    ),
                    _ => String::new(),
                },
                problems,
            }
        })
        .collect();
    let step_label = |id: &str| {
        chain
            .step(id)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let decision_label = |code: &str| match code {
        "approve" => texts.t("editorial.decision_approved"),
        "request_changes" => texts.t("editorial.decision_changes_requested"),
        "refuse" => texts.t("editorial.decision_refused"),
        _ => texts.t("editorial.decision_withdrawn"),
    };
    let current_step = entry.status.step().and_then(|id| chain.step(id));
    let decide_step = current_step
        .filter(|step| {
            step.carriers.contains(&user.role) && user.may(&state, step.kind.permission())
        })
        .filter(|step| {
            !(matches!(step.kind, StepKind::Approval | StepKind::Validation)
                && entry.drafted_by == Some(user.user_id))
        })
        .map(|step| step.id.clone());
    let judges = current_step
        .is_some_and(|step| matches!(step.kind, StepKind::Approval | StepKind::Validation));
    let withdraw_allowed = !entry.status.is_final()
        && (chain
            .steps
            .iter()
            .any(|s| s.kind == StepKind::Approval && s.carriers.contains(&user.role))
            || user.may(&state, Permission::ManageCalendar));
    let not_before = Timestamp::now()
        .to_zoned(profile.time_zone().clone())
        .datetime()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    Ok(EntryPage {
        layout: Layout::new(&state, lang, Some(&user), &uri, entry.content.title.clone()),
        x: texts,
        id,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        status: status_label(&entry.status, chain, texts),
        when: local_text(&profile, entry.content.scheduled_at, texts),
        content_type: chain.label.clone(),
        campaign: entry.content.campaign.clone().unwrap_or_default(),
        sector: entry.content.sector.clone().unwrap_or_default(),
        budget: entry.content.budget.clone().unwrap_or_default(),
        geolocation: entry.content.geolocation.clone().unwrap_or_default(),
        documentation: entry
            .content
            .documentation
            .as_ref()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default(),
        live_video: entry
            .content
            .live_video
            .map(|assessment| {
                let met: Vec<&str> = CRITERION_KEYS
                    .iter()
                    .zip(assessment.criteria())
                    .filter(|(_, met)| *met)
                    .map(|(key, _)| texts.t(key))
                    .collect();
                format!(
                    "{} / 10 ({} {}) : {}",
                    assessment.satisfied(),
                    rules.live_video_min_criteria,
                    texts.t("editorial.criteria_required"),
                    met.join(", ")
                )
            })
            .unwrap_or_default(),
        variants,
        steps,
        decisions: decisions
            .iter()
            .map(|d| DecisionView {
                step: step_label(&d.step),
                decision: decision_label(&d.decision).to_owned(),
                who: d.decided_by_name.clone(),
                role: role_names(
                    &domain::profile::Role::parse(&d.role)
                        .into_iter()
                        .collect::<Vec<_>>(),
                    texts,
                ),
                when: local_text(&profile, Some(d.decided_at), texts),
                comment: d.comment.clone().unwrap_or_default(),
                external: d.external_validator.clone().unwrap_or_default(),
            })
            .collect(),
        postponements: postponements
            .iter()
            .map(|p| {
                (
                    local_text(&profile, p.from, texts),
                    local_text(&profile, Some(p.to), texts),
                    p.reason.clone(),
                )
            })
            .collect(),
        decide_label: current_step.map(|s| s.label.clone()).unwrap_or_default(),
        decide_step,
        may_request_changes: judges,
        may_refuse: current_step.is_some_and(|step| step.kind != StepKind::Publication),
        may_withdraw: withdraw_allowed,
        may_postpone: user.may(&state, Permission::ManageCalendar)
            && !entry.status.is_final()
            && entry.content.scheduled_at.is_some(),
        may_edit: may_edit(&state, &user, &rules, &entry),
        not_before,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionForm {
    step: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    api_editorial::apply_decision(
        &state,
        &user,
        id,
        DecisionInput {
            step: form.step,
            decision: form.decision,
            comment: Some(form.comment),
        },
    )
    .await
    .map_err(refusal)?;
    Ok(Redirect::to(&format!("/calendrier/publications/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    comment: String,
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, PageError> {
    api_editorial::apply_withdrawal(&state, &user, id, Some(form.comment))
        .await
        .map_err(refusal)?;
    Ok(Redirect::to(&format!("/calendrier/publications/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PostponeForm {
    not_before: String,
    #[serde(default)]
    spacing: String,
}

pub(crate) struct MoveView {
    pub entry_id: i64,
    pub title: String,
    pub from_text: String,
    pub to_text: String,
    pub from: String,
    pub to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "editorial/postpone.html")]
pub(crate) struct PostponePage {
    layout: Layout,
    x: Texts,
    id: i64,
    csrf: String,
    moves: Vec<MoveView>,
}

async fn propose_postponement(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PostponeForm>,
) -> Result<PostponePage, PageError> {
    user.require(&state, Permission::ManageCalendar)?;
    let (profile, _) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let entry = state
        .store()
        .get_entry(domain::editorial::EntryId::new(id))
        .await?
        .ok_or(PageError::NotFound)?;
    user.require_organisation(entry.content.organisation_id.as_str())?;
    let not_before = parse_local(&profile, &form.not_before)?;
    let spacing = form.spacing.trim().parse::<i64>().unwrap_or(60);
    let moves = api_editorial::propose_postponement(
        &state,
        &profile,
        &user.organisation_id,
        &[entry.id],
        not_before,
        spacing,
    )
    .await
    .map_err(|error| PageError::BadRequest(error.message().to_owned()))?;
    Ok(PostponePage {
        layout: Layout::new(
            &state,
            lang,
            Some(&user),
            &uri,
            texts.t("editorial.proposal").to_owned(),
        ),
        x: texts,
        id,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        moves: moves
            .iter()
            .map(|m| MoveView {
                entry_id: m.entry_id.get(),
                title: entry.content.title.clone(),
                from_text: local_text(&profile, Some(m.from), texts),
                to_text: local_text(&profile, Some(m.to), texts),
                from: m.from.to_string(),
                to: m.to.to_string(),
            })
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    entry_id: i64,
    from: String,
    to: String,
    #[serde(default)]
    reason: String,
}

async fn confirm_postponement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::ManageCalendar)?;
    let moves = vec![MoveInput {
        entry_id: form.entry_id,
        from: Some(form.from),
        to: form.to,
    }];
    api_editorial::confirm_postponement(&state, &user, moves, Some(form.reason))
        .await
        .map_err(refusal)?;
    Ok(Redirect::to(&format!("/calendrier/publications/{id}")).into_response())
}

// ------------------------------------------------------------------ period postponement

#[derive(Template, WebTemplate)]
#[template(path = "editorial/postpone_period.html")]
pub(crate) struct PeriodPostponePage {
    layout: Layout,
    x: Texts,
    csrf: String,
    start: String,
    end: String,
    not_before: String,
    spacing: String,
    proposed: bool,
    moves: Vec<MoveView>,
    /// The proposed moves, carried by the confirmation form as `id|from|to;…`.
    encoded_moves: String,
}

fn period_page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    uri: &Uri,
    form: PeriodForm,
    moves: Option<Vec<MoveView>>,
) -> PeriodPostponePage {
    let texts = Texts { lang };
    let encoded_moves = moves
        .iter()
        .flatten()
        .map(|m| format!("{}|{}|{}", m.entry_id, m.from, m.to))
        .collect::<Vec<_>>()
        .join(";");
    PeriodPostponePage {
        layout: Layout::new(
            state,
            lang,
            Some(user),
            uri,
            texts.t("editorial.postpone_period").to_owned(),
        ),
        x: texts,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        start: form.start,
        end: form.end,
        not_before: form.not_before,
        spacing: if form.spacing.trim().is_empty() {
            "60".to_owned()
        } else {
            form.spacing
        },
        proposed: moves.is_some(),
        moves: moves.unwrap_or_default(),
        encoded_moves,
    }
}

async fn period_postponement_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
) -> Result<PeriodPostponePage, PageError> {
    user.require(&state, Permission::ManageCalendar)?;
    let (profile, _) = rules_of(&state, &user)?;
    let now = Timestamp::now()
        .to_zoned(profile.time_zone().clone())
        .datetime()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let form = PeriodForm {
        start: now.clone(),
        end: String::new(),
        not_before: String::new(),
        spacing: String::new(),
    };
    Ok(period_page(&state, &user, lang, &uri, form, None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PeriodForm {
    start: String,
    end: String,
    #[serde(default)]
    not_before: String,
    #[serde(default)]
    spacing: String,
}

async fn propose_period_postponement(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    CsrfForm(form): CsrfForm<PeriodForm>,
) -> Result<PeriodPostponePage, PageError> {
    user.require(&state, Permission::ManageCalendar)?;
    let (profile, _) = rules_of(&state, &user)?;
    let texts = Texts { lang };
    let start = parse_local(&profile, &form.start)?;
    let end = parse_local(&profile, &form.end)?;
    if end <= start {
        return Err(PageError::BadRequest(texts.t("editorial.period_inverted").to_owned()));
    }
    // Without a "not before", the entries move after the period, as the API does.
    let not_before = match form.not_before.trim() {
        "" => end,
        text => parse_local(&profile, text)?,
    };
    let spacing = form.spacing.trim().parse::<i64>().unwrap_or(60);
    let entries = state
        .store()
        .list_entries(
            &user.organisation_id,
            &EntryRange {
                from: Some(start),
                to: Some(end),
                include_unscheduled: false,
            },
        )
        .await?;
    let movable: Vec<&StoredEntry> = entries.iter().filter(|e| !e.status.is_final()).collect();
    let ids: Vec<domain::editorial::EntryId> = movable.iter().map(|e| e.id).collect();
    let planned = api_editorial::propose_postponement(
        &state,
        &profile,
        &user.organisation_id,
        &ids,
        not_before,
        spacing,
    )
    .await
    .map_err(|error| PageError::BadRequest(error.message().to_owned()))?;
    let moves = planned
        .iter()
        .map(|m| MoveView {
            entry_id: m.entry_id.get(),
            title: movable
                .iter()
                .find(|e| e.id == m.entry_id)
                .map(|e| e.content.title.clone())
                .unwrap_or_default(),
            from_text: local_text(&profile, Some(m.from), texts),
            to_text: local_text(&profile, Some(m.to), texts),
            from: m.from.to_string(),
            to: m.to.to_string(),
        })
        .collect();
    Ok(period_page(&state, &user, lang, &uri, form, Some(moves)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct PeriodConfirmForm {
    moves: String,
    #[serde(default)]
    reason: String,
}

/// Reads the confirmation form's `id|from|to;…` back into moves.
fn decode_moves(encoded: &str) -> Result<Vec<MoveInput>, PageError> {
    encoded
        .split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let mut fields = part.split('|');
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some(id), Some(from), Some(to), None) => Ok(MoveInput {
                    entry_id: id.trim().parse().map_err(|_| {
                        PageError::BadRequest(Lang::of_current_request().t("editorial.bad_move").to_owned())
                    })?,
                    from: Some(from.trim().to_owned()),
                    to: to.trim().to_owned(),
                }),
                _ => Err(PageError::BadRequest(
                    Lang::of_current_request().t("editorial.bad_move").to_owned(),
                )),
            }
        })
        .collect()
}

async fn confirm_period_postponement(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PeriodConfirmForm>,
) -> Result<Response, PageError> {
    user.require(&state, Permission::ManageCalendar)?;
    let moves = decode_moves(&form.moves)?;
    if moves.is_empty() {
        return Err(PageError::BadRequest(
            Lang::of_current_request().t("editorial.nothing_to_postpone").to_owned(),
        ));
    }
    api_editorial::confirm_postponement(&state, &user, moves, Some(form.reason))
        .await
        .map_err(refusal)?;
    Ok(Redirect::to("/calendrier?vue=liste").into_response())
}

// ------------------------------------------------------------------ subscription

#[derive(Template, WebTemplate)]
#[template(path = "editorial/subscription.html")]
pub(crate) struct SubscriptionPage {
    layout: Layout,
    x: Texts,
    address: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmptyForm {}

async fn subscribe(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    CsrfForm(_form): CsrfForm<EmptyForm>,
) -> Result<SubscriptionPage, PageError> {
    require_reader(&state, &user)?;
    let texts = Texts { lang };
    let secret = crate::auth::secrets::random_token()
        .map_err(|error| PageError::BadRequest(error.to_string()))?;
    state
        .store()
        .create_feed_token(
            &user.attribution(),
            user.user_id,
            &user.organisation_id,
            &crate::auth::secrets::token_hash(&secret),
        )
        .await?;
    Ok(SubscriptionPage {
        layout: Layout::new(
            &state,
            lang,
            Some(&user),
            &uri,
            texts.t("editorial.subscription").to_owned(),
        ),
        x: texts,
        address: format!(
            "/api/v1/organisations/{}/calendar.ics?token={secret}",
            user.organisation_id
        ),
    })
}

// ------------------------------------------------------------------ press releases

#[derive(Template, WebTemplate)]
#[template(path = "editorial/press_release.html")]
pub(crate) struct PressReleasePage {
    layout: Layout,
    x: Texts,
    csrf: String,
    source: String,
    url: String,
    title: String,
    variants: Vec<(String, String, String)>,
    problems: Vec<String>,
}

async fn press_release_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
) -> Result<PressReleasePage, PageError> {
    user.require(&state, Permission::DraftPublication)?;
    let texts = Texts { lang };
    Ok(PressReleasePage {
        layout: Layout::new(
            &state,
            lang,
            Some(&user),
            &uri,
            texts.t("editorial.press_release").to_owned(),
        ),
        x: texts,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        source: String::new(),
        url: String::new(),
        title: String::new(),
        variants: Vec::new(),
        problems: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct PressReleaseForm {
    source: String,
    #[serde(default)]
    url: String,
}

async fn press_release_proposal(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    CsrfForm(form): CsrfForm<PressReleaseForm>,
) -> Result<PressReleasePage, PageError> {
    user.require(&state, Permission::DraftPublication)?;
    let texts = Texts { lang };
    let looks_like_html = form.source.trim_start().starts_with('<');
    let input = api_editorial::PressReleaseInput {
        html: looks_like_html.then(|| form.source.clone()),
        text: (!looks_like_html).then(|| form.source.clone()),
        url: Some(form.url.clone()),
    };
    let (title, variants, problems) = match api_editorial::press_release_variants(&input) {
        Ok(proposal) => {
            let variants = proposal["variants"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|v| {
                            let network = v["network"].as_str().unwrap_or("").to_owned();
                            let label = publishing::Network::ALL
                                .iter()
                                .find(|n| n.id() == network)
                                .map(|n| n.display_name().to_owned())
                                .unwrap_or_else(|| network.clone());
                            (
                                network,
                                label,
                                v["message"].as_str().unwrap_or("").to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                proposal["title"].as_str().unwrap_or("").to_owned(),
                variants,
                Vec::new(),
            )
        }
        Err(error) => {
            // The API's message is French; an English page says the error from its code.
            let message = match lang {
                Lang::Fr => error.message().to_owned(),
                Lang::En => {
                    let key = format!("press.{}", error.code());
                    let sentence = lang.t(&key).to_owned();
                    if sentence == key { texts.t("press.unreadable").to_owned() } else { sentence }
                }
            };
            (String::new(), Vec::new(), vec![message])
        }
    };
    Ok(PressReleasePage {
        layout: Layout::new(
            &state,
            lang,
            Some(&user),
            &uri,
            texts.t("editorial.press_release").to_owned(),
        ),
        x: texts,
        csrf: user.csrf_token.clone().unwrap_or_default(),
        source: form.source,
        url: form.url,
        title,
        variants,
        problems,
    })
}
