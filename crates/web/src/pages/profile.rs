//! The organisation's rules as people read them (`/profil` for one's own organisation,
//! `/organisations/{id}` for any served one): netiquette clauses, office hours, holidays of
//! the year, response commitments and their stages, contacts and sectors. The wording comes
//! from the organisation's own (French) policy and is marked `lang="fr-CA"`.

use super::{Layout, PageError, text};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::Uri;
use domain::profile::Profile;

pub(crate) struct ClauseRow {
    id: String,
    category: String,
    wording: String,
    source: String,
}

pub(crate) struct HoursRow {
    day: &'static str,
    windows: String,
}

pub(crate) struct StageRow {
    commitment: String,
    label: String,
    budget: String,
    carrier: String,
}

pub(crate) struct HolidayRow {
    date: String,
    name: String,
}

pub(crate) struct ContactRow {
    label: String,
    details: String,
    source: String,
}

pub(crate) struct SectorRow {
    id: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
pub(crate) struct ProfilePage {
    layout: Layout,
    abbreviation: String,
    source_title: String,
    time_zone: String,
    hours: Vec<HoursRow>,
    clauses: Vec<ClauseRow>,
    stages: Vec<StageRow>,
    year: i16,
    holidays: Vec<HolidayRow>,
    contacts: Vec<ContactRow>,
    sectors: Vec<SectorRow>,
}

const WEEKDAY_KEYS: [&str; 7] =
    ["weekday.monday", "weekday.tuesday", "weekday.wednesday", "weekday.thursday", "weekday.friday", "weekday.saturday", "weekday.sunday"];

fn profile_page(state: &AppState, user: &CurrentUser, lang: Lang, uri: &Uri, profile: &Profile) -> ProfilePage {
    let hours = domain::calendar::WEEKDAYS_MONDAY_FIRST
        .iter()
        .zip(WEEKDAY_KEYS)
        .map(|(weekday, key)| {
            let windows = profile.business_hours().windows(*weekday);
            HoursRow {
                day: lang.t(key),
                windows: if windows.is_empty() {
                    lang.t("profile.closed").to_owned()
                } else {
                    windows.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                },
            }
        })
        .collect();
    let clauses = profile
        .netiquette()
        .clauses
        .iter()
        .map(|clause| ClauseRow {
            id: clause.id.clone(),
            category: text::category_label(clause.category.id(), lang).to_owned(),
            wording: clause.wording.clone(),
            source: clause.source.to_string(),
        })
        .collect();
    let stages = profile
        .commitments()
        .iter()
        .flat_map(|commitment| {
            commitment.stages.iter().map(move |stage| StageRow {
                commitment: commitment.label.clone(),
                label: stage.label.clone(),
                budget: domain::profile::format_budget(&stage.budget),
                carrier: text::role_label(stage.carrier.id(), lang).to_owned(),
            })
        })
        .collect();
    let year = jiff::Timestamp::now().to_zoned(profile.time_zone().clone()).year();
    let holidays = profile
        .holidays()
        .observed(year)
        .into_iter()
        .map(|holiday| HolidayRow { date: holiday.date.to_string(), name: holiday.name })
        .collect();
    let contacts = profile
        .contacts()
        .iter()
        .map(|contact| {
            let details = [
                contact.phone.as_ref().map(ToString::to_string),
                contact.email.as_ref().map(ToString::to_string),
                contact.url.as_ref().map(|url| url.as_str().to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            ContactRow { label: contact.label.clone(), details, source: contact.source.to_string() }
        })
        .collect();
    let sectors = profile.sectors().iter().map(|sector| SectorRow { id: sector.id.clone(), name: sector.name.clone() }).collect();
    ProfilePage {
        layout: Layout::new(state, lang, Some(user), uri, profile.identity().name.clone()),
        abbreviation: profile.identity().abbreviation.clone(),
        source_title: profile.source().title.clone(),
        time_zone: profile.time_zone_name().to_owned(),
        hours,
        clauses,
        stages,
        year,
        holidays,
        contacts,
        sectors,
    }
}

/// `GET /profil`: the rules of the person's own organisation (anyone signed in).
pub(crate) async fn page(State(state): State<AppState>, user: CurrentUser, lang: Lang, uri: Uri) -> Result<ProfilePage, PageError> {
    let profile = super::profile_of(&state, &user)?;
    Ok(profile_page(&state, &user, lang, &uri, &profile))
}

/// `GET /organisations/{id}`: the rules of any organisation this instance serves.
pub(crate) async fn organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<ProfilePage, PageError> {
    let profile = state.organisation(&id).map(|entry| entry.profile.clone()).ok_or(PageError::NotFound)?;
    Ok(profile_page(&state, &user, lang, &uri, &profile))
}
