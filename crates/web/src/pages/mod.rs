//! Server-rendered pages, in French. Every value is escaped by askama's HTML escaping; no
//! template marks anything `|safe`.

use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/organisations/{id}", get(organisation))
        .route("/static/balise.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/balise.css"),
    )
        .into_response()
}

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
    organisations: Vec<OrganisationCard>,
}

async fn index(State(state): State<AppState>) -> IndexPage {
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
    IndexPage { organisations }
}

struct ClauseRow {
    id: String,
    category: &'static str,
    wording: String,
    source: String,
}

struct HoursRow {
    day: &'static str,
    windows: String,
}

struct StageRow {
    commitment: String,
    label: String,
    budget: String,
    carrier: &'static str,
}

struct HolidayRow {
    date: String,
    name: String,
}

struct ContactRow {
    label: String,
    details: String,
    source: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    name: String,
    abbreviation: String,
    source_title: String,
    time_zone: String,
    hours: Vec<HoursRow>,
    clauses: Vec<ClauseRow>,
    stages: Vec<StageRow>,
    year: i16,
    holidays: Vec<HolidayRow>,
    contacts: Vec<ContactRow>,
}

const FRENCH_WEEKDAYS: [&str; 7] = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];

async fn organisation(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(entry) = state.organisation(&id) else {
        return (StatusCode::NOT_FOUND, "Organisation introuvable.").into_response();
    };
    let profile = &entry.profile;
    let hours = domain::calendar::WEEKDAYS_MONDAY_FIRST
        .iter()
        .zip(FRENCH_WEEKDAYS)
        .map(|(weekday, day)| {
            let windows = profile.business_hours().windows(*weekday);
            HoursRow {
                day,
                windows: if windows.is_empty() {
                    "fermé".to_owned()
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
            category: clause.category.label_fr(),
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
                carrier: stage.carrier.id(),
            })
        })
        .collect();
    let year = jiff::Zoned::now().year();
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
    OrganisationPage {
        name: profile.identity().name.clone(),
        abbreviation: profile.identity().abbreviation.clone(),
        source_title: profile.source().title.clone(),
        time_zone: profile.time_zone_name().to_owned(),
        hours,
        clauses,
        stages,
        year,
        holidays,
        contacts,
    }
    .into_response()
}
