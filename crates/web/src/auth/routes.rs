//! The access table: for every route of the router, who may call it. The server checks it
//! on every request ([`super::enforce_route_table`], a layer over the whole router) before
//! the handler runs; handlers then make the finer checks (the organisation, personal
//! information) with [`super::CurrentUser::require`]. The matrix test
//! (`crates/web/tests/auth/matrix.rs`) signs in with every role of the MAMH profile and
//! walks this table, and fails when a route registered in the source is missing from it.
//!
//! To add a route: add one line below, with the path exactly as registered (axum's
//! `{param}` syntax, including the `/api/v1` prefix for API routes).

use axum::http::Method;
use domain::profile::Permission;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, health check, style sheet).
    Public,
    /// Any signed-in person, whatever their role.
    SignedIn,
    /// A person whose role has this permission under their organisation's profile.
    Permission(Permission),
    /// A person whose role has at least one of these permissions.
    AnyOf(&'static [Permission]),
}

/// One route and its access rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteRule {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE` (a `HEAD` request follows the `GET` rule).
    pub method: &'static str,
    /// The path as registered in the router, e.g. `/api/v1/organisations/{id}/messages`.
    pub path: &'static str,
    pub access: Access,
}

const fn rule(method: &'static str, path: &'static str, access: Access) -> RouteRule {
    RouteRule { method, path, access }
}

use Access::{AnyOf, Public, SignedIn};
use Permission as P;

const fn needs(permission: Permission) -> Access {
    Access::Permission(permission)
}

/// Who may read the editorial calendar: anyone who takes part in the approval chain.
const CALENDAR_READERS: &[Permission] = &[
    P::SuggestPublication,
    P::DraftPublication,
    P::ApprovePublication,
    P::ValidatePublication,
    P::Publish,
    P::ManageCalendar,
];

/// Who may read the respondent list: those who read cases (to know whom to ask),
/// sector managers (who designate) and administrators (who manage the accounts).
const RESPONDENT_LIST_READERS: &[Permission] = &[P::ReadCases, P::DesignateRespondent, P::ManageUsers];

/// Every route of the application and who may call it.
pub const ROUTE_TABLE: &[RouteRule] = &[
    // Sign-in, sign-out (auth).
    rule("GET", "/connexion", Public),
    rule("POST", "/connexion", Public),
    rule("POST", "/deconnexion", SignedIn),
    // OpenID Connect sign-in (auth/oidc): public like the sign-in form.
    rule("GET", "/connexion/oidc", Public),
    rule("GET", "/connexion/oidc/retour", Public),
    // API tokens: each person manages their own; `manage_users` sees and revokes all.
    rule("GET", "/api/v1/tokens", SignedIn),
    rule("POST", "/api/v1/tokens", SignedIn),
    rule("DELETE", "/api/v1/tokens/{id}", SignedIn),
    // Pages.
    rule("GET", "/", Public),
    rule("GET", "/static/balise.css", Public),
    rule("GET", "/organisations/{id}", SignedIn),
    rule("GET", "/static/balise.js", Public),
    rule("GET", "/profil", SignedIn),
    rule("GET", "/boite", needs(P::ReadCases)),
    rule("GET", "/cas/{id}", needs(P::ReadCases)),
    rule("POST", "/cas/{id}/acheminement", needs(P::Triage)),
    rule("POST", "/cas/{id}/assignation", needs(P::Triage)),
    rule("POST", "/cas/{id}/moderation", needs(P::Moderate)),
    rule("POST", "/cas/{id}/avertissement", needs(P::Moderate)),
    rule("POST", "/cas/{id}/blocage", needs(P::BlockAuthor)),
    rule("POST", "/cas/{id}/reponse-proposee", needs(P::SupplyAnswer)),
    rule("POST", "/cas/{id}/revision", needs(P::Reply)),
    rule("POST", "/cas/{id}/reponse", needs(P::Reply)),
    rule("POST", "/cas/{id}/reponse/confirmation", needs(P::Reply)),
    rule("GET", "/repondants", AnyOf(RESPONDENT_LIST_READERS)),
    rule("GET", "/repondants.csv", AnyOf(RESPONDENT_LIST_READERS)),
    rule("POST", "/repondants/designation", needs(P::DesignateRespondent)),
    rule("POST", "/repondants/absence", needs(P::DesignateRespondent)),
    rule("GET", "/engagements", needs(P::ReadReports)),
    rule("GET", "/engagements.csv", needs(P::ReadReports)),
    rule("GET", "/journal", needs(P::ReadAudit)),
    // Cases (api_cases.rs); handlers also check the organisation and, for respondents,
    // that the case is theirs.
    rule("GET", "/api/v1/cases/{id}", needs(P::ReadCases)),
    rule("POST", "/api/v1/cases/{id}/route", needs(P::Triage)),
    rule("POST", "/api/v1/cases/{id}/assign", needs(P::Triage)),
    rule("POST", "/api/v1/cases/{id}/moderation", needs(P::Moderate)),
    rule("POST", "/api/v1/cases/{id}/warnings", needs(P::Moderate)),
    rule("POST", "/api/v1/cases/{id}/block", needs(P::BlockAuthor)),
    rule("POST", "/api/v1/cases/{id}/replies", needs(P::Reply)),
    rule("POST", "/api/v1/cases/{id}/answers", needs(P::SupplyAnswer)),
    rule("POST", "/api/v1/replies/{id}", needs(P::Reply)),
    rule("POST", "/api/v1/replies/{id}/confirm", needs(P::Reply)),
    rule("POST", "/api/v1/answers/{id}/review", needs(P::Reply)),
    // JSON API (api.rs).
    rule("GET", "/api/v1/health", Public),
    rule("GET", "/api/v1/openapi.json", Public),
    rule("GET", "/api/v1/organisations", SignedIn),
    rule("GET", "/api/v1/organisations/{id}", SignedIn),
    rule("GET", "/api/v1/organisations/{id}/holidays", SignedIn),
    rule("GET", "/api/v1/organisations/{id}/messages", needs(P::ReadCases)),
    rule("GET", "/api/v1/audit/verify", needs(P::ReadAudit)),
    rule("GET", "/api/v1/organisations/{id}/inbox", needs(P::ReadCases)),
    rule("GET", "/api/v1/organisations/{id}/respondents", AnyOf(RESPONDENT_LIST_READERS)),
    rule("POST", "/api/v1/organisations/{id}/respondents", needs(P::DesignateRespondent)),
    rule("POST", "/api/v1/organisations/{id}/absences", needs(P::DesignateRespondent)),
    rule("GET", "/api/v1/organisations/{id}/commitments", needs(P::ReadReports)),
    rule("GET", "/api/v1/audit", needs(P::ReadAudit)),
    // Intake (api_messages.rs): connectors, with a token of a community manager (who
    // moderates what comes in) or of an administrator (who manages the accounts).
    rule("POST", "/api/v1/messages", AnyOf(&[P::Moderate, P::ManageAccounts])),
    // Editorial calendar (api_editorial.rs, pages_editorial.rs): handlers check the chain's
    // step roles and the organisation; the feed is opened by its per-user token (Outlook
    // sends no cookie), so the table lets it through and the handler checks the token.
    rule("GET", "/api/v1/organisations/{id}/entries", AnyOf(CALENDAR_READERS)),
    rule("POST", "/api/v1/organisations/{id}/entries", AnyOf(&[P::SuggestPublication, P::DraftPublication])),
    rule("GET", "/api/v1/entries/{id}", AnyOf(CALENDAR_READERS)),
    rule("PUT", "/api/v1/entries/{id}", needs(P::DraftPublication)),
    rule("DELETE", "/api/v1/entries/{id}", AnyOf(&[P::ApprovePublication, P::ManageCalendar])),
    rule("POST", "/api/v1/entries/{id}/decisions", AnyOf(&[P::DraftPublication, P::ApprovePublication, P::ValidatePublication, P::Publish])),
    rule("POST", "/api/v1/entries/{id}/withdraw", AnyOf(&[P::ApprovePublication, P::ManageCalendar])),
    rule("POST", "/api/v1/entries/{id}/postpone", needs(P::ManageCalendar)),
    rule("GET", "/api/v1/entries/{id}/checks", AnyOf(CALENDAR_READERS)),
    rule("POST", "/api/v1/organisations/{id}/postpone", needs(P::ManageCalendar)),
    rule("POST", "/api/v1/organisations/{id}/press-releases", needs(P::DraftPublication)),
    rule("POST", "/api/v1/organisations/{id}/calendar-token", AnyOf(CALENDAR_READERS)),
    rule("GET", "/api/v1/organisations/{id}/calendar.ics", Public),
    rule("GET", "/api/v1/organisations/{id}/calendar.csv", AnyOf(CALENDAR_READERS)),
    rule("GET", "/calendrier", AnyOf(CALENDAR_READERS)),
    rule("GET", "/calendrier/approbations", AnyOf(CALENDAR_READERS)),
    rule("GET", "/calendrier/nouvelle", AnyOf(&[P::SuggestPublication, P::DraftPublication])),
    rule("POST", "/calendrier/nouvelle", AnyOf(&[P::SuggestPublication, P::DraftPublication])),
    rule("GET", "/calendrier/publications/{id}", AnyOf(CALENDAR_READERS)),
    // Editing: the handler lets the entry's author (who may only suggest) or a drafter in.
    rule("GET", "/calendrier/publications/{id}/modifier", AnyOf(&[P::SuggestPublication, P::DraftPublication])),
    rule("POST", "/calendrier/publications/{id}/modifier", AnyOf(&[P::SuggestPublication, P::DraftPublication])),
    rule("POST", "/calendrier/publications/{id}/decision", AnyOf(&[P::DraftPublication, P::ApprovePublication, P::ValidatePublication, P::Publish])),
    rule("POST", "/calendrier/publications/{id}/retrait", AnyOf(&[P::ApprovePublication, P::ManageCalendar])),
    rule("POST", "/calendrier/publications/{id}/report", needs(P::ManageCalendar)),
    rule("POST", "/calendrier/publications/{id}/report/confirmation", needs(P::ManageCalendar)),
    rule("GET", "/calendrier/report", needs(P::ManageCalendar)),
    rule("POST", "/calendrier/report", needs(P::ManageCalendar)),
    rule("POST", "/calendrier/report/confirmation", needs(P::ManageCalendar)),
    rule("POST", "/calendrier/abonnement", AnyOf(CALENDAR_READERS)),
    rule("GET", "/calendrier/communique", needs(P::DraftPublication)),
    rule("POST", "/calendrier/communique", needs(P::DraftPublication)),
];

/// The rule of a request, from its method and the path pattern the router matched.
pub fn rule_for(method: &Method, matched_path: &str) -> Option<&'static RouteRule> {
    let method = if method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTE_TABLE
        .iter()
        .find(|rule| rule.method == method && rule.path == matched_path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_route_is_listed_once() {
        for (index, rule) in ROUTE_TABLE.iter().enumerate() {
            let duplicates = ROUTE_TABLE[index + 1..]
                .iter()
                .filter(|other| other.method == rule.method && other.path == rule.path)
                .count();
            assert_eq!(duplicates, 0, "{} {} listed twice", rule.method, rule.path);
            assert!(rule.path.starts_with('/'), "{} is not absolute", rule.path);
        }
    }

    #[test]
    fn head_follows_get() {
        assert_eq!(rule_for(&Method::HEAD, "/api/v1/health").unwrap().access, Public);
        assert!(rule_for(&Method::PUT, "/api/v1/health").is_none());
    }
}
