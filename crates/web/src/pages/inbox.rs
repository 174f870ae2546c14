//! The inbox (`GET /boite`): every open case of the person's organisation across accounts
//! and networks, urgent first, then by nearest first-response deadline, filtered by a GET
//! form and paged by keyset. Each row shows the citizen's words with the evidence marked
//! (personal information masked for roles without `read_personal_info`, R-82), the verdict
//! and its clauses, the route, the assignee, and a countdown in the organisation's business
//! time. A respondent sees the cases assigned to them. Keyboard shortcuts come from
//! `balise.js`; the page works without it.

use super::{Layout, PageError, query_value, text};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::Uri;
use domain::business_time::BusinessCalendar;
use domain::entities::{AccountId, CaseStatus, OrganisationId};
use domain::profile::{Permission, Profile};
use jiff::Timestamp;
use serde::Deserialize;
use store::inbox::{InboxCursor, InboxFilter, InboxRow};

/// Rows per page.
pub(crate) const PAGE_SIZE: u32 = 50;

/// The filter form's fields, in French as the address shows them. Empty means "any".
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct InboxQuery {
    #[serde(default)]
    reseau: String,
    #[serde(default)]
    compte: String,
    #[serde(default)]
    acheminement: String,
    #[serde(default)]
    secteur: String,
    #[serde(default)]
    statut: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    en_retard: String,
    #[serde(default)]
    apres: String,
}

/// One option of a filter's select.
pub(crate) struct FilterOption {
    value: String,
    label: String,
    selected: bool,
}

fn options(values: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<FilterOption> {
    values
        .into_iter()
        .map(|(value, label)| FilterOption { selected: value == selected, value, label })
        .collect()
}

/// A row as the page shows it.
pub(crate) struct RowView {
    case_id: i64,
    urgent: bool,
    urgent_label: String,
    segments: Vec<text::Segment>,
    author: String,
    network: String,
    account: String,
    received: String,
    received_iso: String,
    action: String,
    categories: String,
    clauses: String,
    route: String,
    route_confirmed: bool,
    assignee: String,
    status: String,
    countdown: String,
    late: bool,
    due: String,
    due_iso: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub(crate) struct InboxPage {
    layout: Layout,
    rows: Vec<RowView>,
    own_cases_only: bool,
    masked: bool,
    networks: Vec<FilterOption>,
    accounts: Vec<FilterOption>,
    routes: Vec<FilterOption>,
    sectors: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    categories: Vec<FilterOption>,
    overdue: bool,
    filtered: bool,
    next_href: Option<String>,
    first_href: Option<String>,
}

/// The organisation's business calendar, with its vigilance periods in force.
pub(crate) async fn calendar_for(
    state: &AppState,
    organisation_id: &OrganisationId,
    profile: &Profile,
) -> Result<BusinessCalendar, PageError> {
    // A running period counts until a week from now: enough for every countdown shown.
    let horizon = Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * 7))
        .map_err(|_| PageError::BadRequest("horloge".to_owned()))?;
    let mut periods = Vec::new();
    for record in state.store().list_vigilance(organisation_id).await? {
        let end = record.end.unwrap_or(horizon);
        if end <= record.start {
            continue;
        }
        if let Some(Ok(period)) = domain::deadlines::vigilance_period(profile, record.start, end) {
            periods.push(period);
        }
    }
    domain::deadlines::business_calendar(profile, periods).map_err(|error| {
        tracing::error!(%error, "business calendar of the profile");
        PageError::Store(store::StoreError::InvalidRequest(error.to_string()))
    })
}

/// A local date and time in the profile's zone, `2026-03-02 10:35`.
pub(crate) fn local_time(profile: &Profile, at: Timestamp) -> String {
    at.to_zoned(profile.time_zone().clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The countdown of a deadline from `now`, or a word when it cannot be computed.
pub(crate) fn countdown_to(calendar: &BusinessCalendar, now: Timestamp, due: Timestamp, lang: Lang) -> (String, bool) {
    match calendar.business_between(now, due) {
        Ok(remaining) => text::countdown(remaining, lang),
        Err(_) => (lang.t("inbox.no_countdown").to_owned(), due < now),
    }
}

/// Builds the page's view of one row.
pub(crate) fn row_view(
    row: &InboxRow,
    profile: &Profile,
    calendar: &BusinessCalendar,
    now: Timestamp,
    mask: bool,
    lang: Lang,
) -> RowView {
    let evidence = text::parse_evidence(row.evidence_json.as_deref());
    let (countdown, late, due, due_iso) = match row.due {
        Some(due) => {
            let (countdown, late) = countdown_to(calendar, now, due, lang);
            (countdown, late, local_time(profile, due), due.to_string())
        }
        None => (lang.t("inbox.no_deadline").to_owned(), false, String::new(), String::new()),
    };
    RowView {
        case_id: row.case_id.get(),
        urgent: row.urgent,
        urgent_label: row
            .urgent_kind
            .as_deref()
            .map(|kind| text::category_label(kind, lang).to_owned())
            .unwrap_or_else(|| lang.t("inbox.urgent").to_owned()),
        segments: text::highlight(&row.text, &evidence, mask, lang),
        author: row.author_display_name.clone(),
        network: row.network.clone(),
        account: row.account_handle.clone(),
        received: local_time(profile, row.received_at),
        received_iso: row.received_at.to_string(),
        action: row.verdict_action.as_deref().map(|action| text::action_label(action, lang).to_owned()).unwrap_or_default(),
        categories: row.categories.iter().map(|category| text::category_label(category, lang)).collect::<Vec<_>>().join(", "),
        clauses: row.clauses.join(", "),
        route: row.route.as_deref().map(|route| text::route_label(route, lang).to_owned()).unwrap_or_else(|| lang.t("inbox.no_route").to_owned()),
        route_confirmed: row.route_confirmed,
        assignee: row.assignee.as_ref().map(|(_, name)| name.clone()).unwrap_or_else(|| lang.t("inbox.unassigned").to_owned()),
        status: text::status_label(row.status.code(), lang).to_owned(),
        countdown,
        late,
        due,
        due_iso,
    }
}

/// Whether a person sees only the cases assigned to them: a respondent, who reads cases but
/// does not triage them.
pub(crate) fn own_cases_only(state: &AppState, user: &CurrentUser) -> bool {
    !user.may(state, Permission::Triage) && user.may(state, Permission::SupplyAnswer)
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// `GET /boite`.
pub(crate) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Query(query): Query<InboxQuery>,
) -> Result<InboxPage, PageError> {
    user.require(&state, Permission::ReadCases)?;
    let profile = super::profile_of(&state, &user)?;
    let organisation_id = user.organisation_id.clone();
    let own_only = own_cases_only(&state, &user);
    let status = match non_empty(&query.statut) {
        Some(code) => Some(CaseStatus::parse(&code).map_err(|_| PageError::BadRequest(lang.t("inbox.bad_filter").to_owned()))?),
        None => None,
    };
    let account_id = match non_empty(&query.compte) {
        Some(id) => Some(AccountId::new(id.parse().map_err(|_| PageError::BadRequest(lang.t("inbox.bad_filter").to_owned()))?)),
        None => None,
    };
    let now = Timestamp::now();
    let overdue = !query.en_retard.is_empty();
    let filter = InboxFilter {
        network: non_empty(&query.reseau),
        account_id,
        route: non_empty(&query.acheminement),
        sector: non_empty(&query.secteur),
        status,
        category: non_empty(&query.categorie),
        overdue_at: overdue.then_some(now),
        assignee: own_only.then_some(user.user_id),
    };
    let cursor = match non_empty(&query.apres) {
        Some(text) => Some(InboxCursor::parse(&text).ok_or_else(|| PageError::BadRequest(lang.t("inbox.bad_filter").to_owned()))?),
        None => None,
    };
    let store = state.store();
    let (page, accounts) = tokio::try_join!(store.inbox(&organisation_id, &filter, cursor, PAGE_SIZE), store.list_accounts(&organisation_id))?;
    let calendar = calendar_for(&state, &organisation_id, &profile).await?;
    let mask = !user.may(&state, Permission::ReadPersonalInfo);
    let rows = page.rows.iter().map(|row| row_view(row, &profile, &calendar, now, mask, lang)).collect();

    let mut networks: Vec<String> = accounts.iter().map(|account| account.network.as_str().to_owned()).collect();
    networks.sort();
    networks.dedup();
    let filter_pairs: Vec<(&str, &str)> = [
        ("reseau", query.reseau.as_str()),
        ("compte", query.compte.as_str()),
        ("acheminement", query.acheminement.as_str()),
        ("secteur", query.secteur.as_str()),
        ("statut", query.statut.as_str()),
        ("categorie", query.categorie.as_str()),
        ("en_retard", query.en_retard.as_str()),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .collect();
    let filtered = !filter_pairs.is_empty();
    let with_lang = |mut pairs: Vec<(&str, String)>| {
        if let Some(code) = query_value(&uri, "lang") {
            pairs.push(("lang", code));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    };
    let base_pairs: Vec<(&str, String)> = filter_pairs.iter().map(|(key, value)| (*key, (*value).to_owned())).collect();
    let next_href = page.next.map(|next| {
        let mut pairs = base_pairs.clone();
        pairs.push(("apres", next.to_string()));
        format!("/boite?{}", with_lang(pairs))
    });
    let first_href = cursor.map(|_| format!("/boite?{}", with_lang(base_pairs.clone())));

    let mut layout = Layout::new(&state, lang, Some(&user), &uri, lang.t("inbox.title").to_owned());
    layout.script = true;
    Ok(InboxPage {
        layout,
        rows,
        own_cases_only: own_only,
        masked: mask,
        networks: options(networks.into_iter().map(|network| (network.clone(), network)), &query.reseau),
        accounts: options(
            accounts.iter().map(|account| (account.id.get().to_string(), format!("{} ({})", account.handle.as_str(), account.network.as_str()))),
            &query.compte,
        ),
        routes: options(
            domain::triage::Route::IDS.iter().map(|id| ((*id).to_owned(), text::route_label(id, lang).to_owned())),
            &query.acheminement,
        ),
        sectors: options(profile.sectors().iter().map(|sector| (sector.id.clone(), sector.name.clone())), &query.secteur),
        statuses: options(
            ["open", "in_progress", "answered", "closed"].iter().map(|code| ((*code).to_owned(), text::status_label(code, lang).to_owned())),
            &query.statut,
        ),
        categories: options(
            text::CATEGORY_IDS.iter().map(|id| ((*id).to_owned(), text::category_label(id, lang).to_owned())),
            &query.categorie,
        ),
        overdue,
        filtered,
        next_href,
        first_href,
    })
}
