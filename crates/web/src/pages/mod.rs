//! Server-rendered pages, in French (English with `?lang=en`, never mixed on a screen):
//! the inbox, the case, respondents, commitments, the organisation's profile and the audit
//! log, with the layout they share. Every value is escaped by askama's HTML escaping; no
//! template marks anything `|safe`. Every page and every form checks the person's
//! permission on the server, whatever the navigation shows; forms that change anything are
//! read through [`CsrfForm`](crate::auth::CsrfForm) and answer with a redirect carrying a
//! confirmation code (`?ok=…`) that the next page translates.

mod audit;
mod case;
mod commitments;
pub(crate) mod inbox;
mod profile;
mod respondents;
pub(crate) mod text;

use crate::AppState;
use crate::auth::{AuthError, CurrentUser, OptionalUser};
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::profile::{Permission, Profile};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/organisations/{id}", get(profile::organisation))
        .route("/static/balise.css", get(stylesheet))
        .route("/static/balise.js", get(script))
        .route("/boite", get(inbox::page))
        .route("/cas/{id}", get(case::page))
        .route("/cas/{id}/acheminement", post(case::change_route))
        .route("/cas/{id}/assignation", post(case::assign))
        .route("/cas/{id}/moderation", post(case::moderate))
        .route("/cas/{id}/avertissement", post(case::warn))
        .route("/cas/{id}/blocage", post(case::block))
        .route("/cas/{id}/reponse-proposee", post(case::propose_answer))
        .route("/cas/{id}/revision", post(case::review_answer))
        .route("/cas/{id}/reponse", post(case::prepare_reply))
        .route("/cas/{id}/reponse/confirmation", post(case::confirm_reply))
        .route("/repondants", get(respondents::page))
        .route("/repondants.csv", get(respondents::csv_export))
        .route("/repondants/designation", post(respondents::designate))
        .route("/repondants/absence", post(respondents::record_absence))
        .route("/engagements", get(commitments::page))
        .route("/engagements.csv", get(commitments::csv_export))
        .route("/profil", get(profile::page))
        .route("/journal", get(audit::page))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/balise.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/balise.js"),
    )
        .into_response()
}

// ---------------------------------------------------------------------------- layout

/// One link of the main navigation.
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The signed-in person, as the header shows them.
pub(crate) struct LayoutUser {
    pub display_name: String,
    pub role_label: String,
    pub organisation_name: String,
    pub csrf: String,
}

/// What every page's frame needs: language, title, the person, the navigation, and the
/// confirmation of the last action, if any.
pub(crate) struct Layout {
    pub lang: Lang,
    pub title: String,
    pub user: Option<LayoutUser>,
    pub nav: Vec<NavItem>,
    /// The current address in the other language.
    pub switch_href: String,
    pub flash: Option<&'static str>,
    /// Load the keyboard-shortcut script.
    pub script: bool,
}

/// The pages of the navigation: address, label key, the permissions that open it (any of
/// them; empty: anyone signed in).
const NAVIGATION: [(&str, &str, &[Permission]); 6] = [
    ("/boite", "nav.inbox", &[Permission::ReadCases]),
    ("/repondants", "nav.respondents", &[Permission::ReadCases, Permission::DesignateRespondent, Permission::ManageUsers]),
    ("/engagements", "nav.commitments", &[Permission::ReadReports]),
    ("/calendrier", "nav.calendar", &[]),
    ("/profil", "nav.profile", &[]),
    ("/journal", "nav.audit", &[Permission::ReadAudit]),
];

/// The confirmations a redirect may name (`?ok=code`); anything else shows nothing.
const FLASH_CODES: [&str; 14] = [
    "route_changed",
    "assigned",
    "hidden",
    "unhidden",
    "deleted",
    "warned",
    "warned_block_proposed",
    "blocked",
    "answer_proposed",
    "answer_reviewed",
    "reply_prepared",
    "reply_sent",
    "designated",
    "absence_recorded",
];

impl Layout {
    pub(crate) fn new(state: &AppState, lang: Lang, user: Option<&CurrentUser>, uri: &Uri, title: String) -> Layout {
        let path = uri.path();
        let nav = match user {
            Some(user) => NAVIGATION
                .iter()
                .filter(|(_, _, permissions)| {
                    permissions.is_empty() || permissions.iter().any(|permission| user.may(state, *permission))
                })
                .map(|(href, key, _)| NavItem { href, label: lang.t(key), current: path == *href })
                .collect(),
            None => Vec::new(),
        };
        let layout_user = user.map(|user| LayoutUser {
            display_name: user.display_name.clone(),
            role_label: text::role_label(user.role.id(), lang).to_owned(),
            organisation_name: state
                .organisation(user.organisation_id.as_str())
                .map(|entry| entry.profile.identity().name.clone())
                .unwrap_or_else(|| user.organisation_id.to_string()),
            csrf: user.csrf_token.clone().unwrap_or_default(),
        });
        let flash = query_value(uri, "ok")
            .and_then(|code| FLASH_CODES.iter().find(|known| **known == code))
            .map(|code| lang.t(flash_key(code)));
        Layout {
            lang,
            title,
            user: layout_user,
            nav,
            switch_href: switch_language_href(uri, lang.other()),
            flash,
            script: false,
        }
    }
}

fn flash_key(code: &str) -> &'static str {
    match code {
        "route_changed" => "flash.route_changed",
        "assigned" => "flash.assigned",
        "hidden" => "flash.hidden",
        "unhidden" => "flash.unhidden",
        "deleted" => "flash.deleted",
        "warned" => "flash.warned",
        "warned_block_proposed" => "flash.warned_block_proposed",
        "blocked" => "flash.blocked",
        "answer_proposed" => "flash.answer_proposed",
        "answer_reviewed" => "flash.answer_reviewed",
        "reply_prepared" => "flash.reply_prepared",
        "reply_sent" => "flash.reply_sent",
        "designated" => "flash.designated",
        _ => "flash.absence_recorded",
    }
}

/// The value of a query parameter, percent-decoded.
pub(crate) fn query_value(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// The same address with `lang` set to `lang` and the confirmation dropped.
fn switch_language_href(uri: &Uri, lang: Lang) -> String {
    let mut pairs: Vec<(String, String)> = uri
        .query()
        .and_then(|query| serde_urlencoded::from_str::<Vec<(String, String)>>(query).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| key != "lang" && key != "ok")
        .collect();
    pairs.push(("lang".to_owned(), lang.code().to_owned()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_else(|_| format!("lang={}", lang.code()));
    format!("{}?{query}", uri.path())
}

/// A redirect after a form, with the confirmation code.
pub(crate) fn redirect_with(path: &str, code: &str) -> Response {
    Redirect::to(&format!("{path}?ok={code}")).into_response()
}

/// The profile of the person's organisation.
pub(crate) fn profile_of(state: &AppState, user: &CurrentUser) -> Result<Arc<Profile>, PageError> {
    state
        .organisation(user.organisation_id.as_str())
        .map(|entry| Arc::clone(&entry.profile))
        .ok_or(PageError::NotFound)
}

// ---------------------------------------------------------------------------- errors

/// Why a page could not be shown.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Not signed in, not allowed, bad CSRF token.
    Auth(AuthError),
    /// No such record (or not this organisation's).
    NotFound,
    /// The request names something invalid; the message says what, in French (or in the
    /// request's language when it comes from the string table: an English page shows it
    /// only then, see `error_pages`).
    BadRequest(String),
    /// The store failed; the detail is logged, the person sees a generic message.
    Store(store::StoreError),
}

impl From<AuthError> for PageError {
    fn from(error: AuthError) -> PageError {
        PageError::Auth(error)
    }
}

impl From<store::StoreError> for PageError {
    fn from(error: store::StoreError) -> PageError {
        PageError::Store(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // The request's language, as the language layer found it: an error page is in the
        // reader's language like every other page.
        let lang = Lang::of_current_request();
        match self {
            PageError::Auth(error) => error.into_response(),
            PageError::NotFound => crate::error_pages::page(lang, StatusCode::NOT_FOUND, "error.not_found", None),
            PageError::BadRequest(detail) => {
                crate::error_pages::page(lang, StatusCode::BAD_REQUEST, "error.bad_request", Some(&detail))
            }
            PageError::Store(error) => {
                tracing::error!(%error, "page failed on a store error");
                crate::error_pages::page(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None)
            }
        }
    }
}

/// A store error as the page error a person should see (a missing record is a 404, a
/// refused change a 400 with the store's code).
pub(crate) fn store_refusal(error: store::StoreError) -> PageError {
    use store::StoreError;
    match error {
        StoreError::NotFound { .. } => PageError::NotFound,
        StoreError::Database(_) | StoreError::CorruptRow { .. } => PageError::Store(error),
        other => PageError::BadRequest(format!("Action refusée ({}).", other.code())),
    }
}

// ---------------------------------------------------------------------------- index

struct OrganisationCard {
    id: String,
    name: String,
    abbreviation: String,
    clause_count: usize,
    time_zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct IndexPage {
    layout: Layout,
    organisations: Vec<OrganisationCard>,
}

async fn index(State(state): State<AppState>, OptionalUser(user): OptionalUser, lang: Lang, uri: Uri) -> IndexPage {
    let organisations = state
        .organisations()
        .iter()
        .map(|entry| OrganisationCard {
            id: entry.id.clone(),
            name: entry.profile.identity().name.clone(),
            abbreviation: entry.profile.identity().abbreviation.clone(),
            clause_count: entry.profile.netiquette().clauses.len(),
            time_zone: entry.profile.time_zone_name().to_owned(),
        })
        .collect();
    let layout = Layout::new(&state, lang, user.as_ref(), &uri, lang.t("index.title").to_owned());
    IndexPage { layout, organisations }
}
