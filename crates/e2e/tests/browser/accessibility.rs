//! Zero axe-core violations (WCAG 2.1 A and AA rules) on every page, in French and in
//! English. The pages are a table: a new page is one more row.

use crate::harness::{Browser, browser_test};
use crate::screenshots::{load_demo_entries, load_demo_messages};
use domain::profile::Role;

/// A page to check: its path on the running application (`{case}` stands for the id of a
/// case opened by the demo messages, one with evidence highlighted; `{entry}` for a calendar
/// entry), the role of the person
/// signed in to see it (`None`: a public page, seen signed out), and whether it is
/// translated (then `?lang=en` must give `<html lang="en-CA">`; every page is checked by
/// axe in both modes).
pub struct PageToCheck {
    pub path: &'static str,
    pub signed_in_as: Option<Role>,
    pub english: bool,
}

const fn page(path: &'static str, signed_in_as: Option<Role>, english: bool) -> PageToCheck {
    PageToCheck { path, signed_in_as, english }
}

/// Every page reachable today. Add a row when a page lands. (The respondent's view of a
/// case, a case with a draft reply, an editorial entry and the postponement proposal are
/// checked along the journeys, in `journeys.rs` and `editorial.rs`.)
pub const PAGES: &[PageToCheck] = &[
    page("/", None, true),
    page("/connexion", None, true),
    page("/organisations/mamh", Some(Role::CommunityManager), true),
    page("/profil", Some(Role::CommunityManager), true),
    page("/boite", Some(Role::CommunityManager), true),
    page("/cas/{case}", Some(Role::CommunityManager), true),
    // A director reads personal information masked (R-82).
    page("/boite", Some(Role::Director), true),
    page("/repondants", Some(Role::SectorManager), true),
    page("/engagements", Some(Role::CommunityManager), true),
    page("/journal", Some(Role::CommunicationsManager), true),
    page("/calendrier", Some(Role::CommunityManager), true),
    page("/calendrier?vue=semaine", Some(Role::CommunityManager), true),
    page("/calendrier?vue=liste", Some(Role::CommunityManager), true),
    page("/calendrier/nouvelle", Some(Role::CommunityManager), true),
    page("/calendrier/communique", Some(Role::CommunityManager), true),
    page("/calendrier/approbations", Some(Role::SectorManager), true),
    page("/calendrier/publications/{entry}", Some(Role::SectorManager), true),
    page("/calendrier/publications/{entry}/modifier", Some(Role::CommunityManager), true),
    page("/calendrier/report", Some(Role::CommunityManager), true),
];

/// Loads every page of `PAGES` in `lang` (`None`: the default, French) and returns the
/// violations found, one line each, prefixed by the page.
async fn violations_on_every_page(browser: &Browser, app: &testkit::TestApp, lang: Option<&str>) -> Vec<String> {
    load_demo_messages(app).await;
    let case = demo_case_with_evidence(app).await;
    let entry = load_demo_entries(app).await[0];
    let mut found = Vec::new();
    let mut signed_in: Option<Option<Role>> = None;
    for page in PAGES {
        let path = page.path.replace("{case}", &case.to_string()).replace("{entry}", &entry.to_string());
        let url = match lang {
            Some(lang) if path.contains('?') => app.url(&format!("{path}&lang={lang}")),
            Some(lang) => app.url(&format!("{path}?lang={lang}")),
            None => app.url(&path),
        };
        if signed_in != Some(page.signed_in_as) {
            match page.signed_in_as {
                Some(role) => {
                    browser.sign_in(app, role).await;
                }
                None => {
                    browser.goto(&app.url("/")).await;
                    browser.forget_cookies().await;
                }
            }
            signed_in = Some(page.signed_in_as);
        }
        // The page answers 200 to its role (not a redirection to the sign-in page, not 403).
        assert_eq!(browser.status_of(&url).await, 200, "{url} as {:?}", page.signed_in_as.map(Role::id));
        browser.goto(&url).await;
        let title = browser.title().await;
        assert!(!title.is_empty(), "{url} has no <title>");
        let expected_lang = match lang {
            Some("en") if page.english => "en",
            Some(_) => "",
            None => "fr",
        };
        let html_lang = browser.execute("return document.documentElement.lang;", vec![]).await;
        assert!(
            html_lang.as_str().unwrap_or_default().starts_with(expected_lang),
            "{url}: <html lang> is {html_lang}, expected {expected_lang}-…"
        );
        for violation in browser.run_axe().await {
            found.push(format!("{url} ({:?}): {violation}", page.signed_in_as.map(Role::id)));
        }
    }
    found
}

/// The id of a demo case whose message has highlighted evidence (a sacre with a question).
pub async fn demo_case_with_evidence(app: &testkit::TestApp) -> i64 {
    let client = crate::people::token_client(app, Role::CommunityManager).await;
    let messages: serde_json::Value =
        client.get(app.url("/api/v1/organisations/mamh/messages?limit=500")).send().await.unwrap().json().await.unwrap();
    messages
        .as_array()
        .unwrap()
        .iter()
        .find(|message| {
            message["verdict"]["evidence"].as_array().is_some_and(|evidence| !evidence.is_empty())
                && message["case"]["id"].is_i64()
        })
        .map(|message| message["case"]["id"].as_i64().unwrap())
        .expect("a demo case with evidence")
}

#[test]
fn every_page_has_no_accessibility_violation_in_french() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let violations = violations_on_every_page(&browser, &app, None).await;
        assert!(violations.is_empty(), "axe-core found violations:\n{}", violations.join("\n"));
    });
}

#[test]
fn every_page_has_no_accessibility_violation_in_english() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let violations = violations_on_every_page(&browser, &app, Some("en")).await;
        assert!(violations.is_empty(), "axe-core found violations:\n{}", violations.join("\n"));
    });
}

/// The check itself must be able to fail: a page with known violations (an image without
/// alternative text, a field without a label, grey on white) is caught.
#[test]
fn axe_catches_a_page_with_known_violations() {
    browser_test(|browser| async move {
        let page = "data:text/html;charset=utf-8,<!doctype html><html lang=fr><title>t</title><main>\
            <img src=x.png><input type=text><p style='color:%23ccc;background:%23fff'>gris</p></main></html>";
        browser.goto(page).await;
        let ids: Vec<String> = browser.run_axe().await.into_iter().map(|violation| violation.id).collect();
        for expected in ["image-alt", "label", "color-contrast"] {
            assert!(ids.iter().any(|id| id == expected), "axe did not report {expected}: {ids:?}");
        }
    });
}

/// The sign-in pages of an installation with OpenID Connect configured, checked apart from
/// `PAGES` because they need such an installation: the sign-in page with the provider's
/// button, and the page of a provider that does not answer. Each with its expected status.
pub const OIDC_PAGES: &[(&str, u16)] = &[("/connexion", 200), ("/connexion/oidc", 502)];

/// The application with OpenID Connect configured for a provider nobody answers for: enough
/// to show the button and the « ne répond pas » page, with no provider running.
async fn spawn_app_with_provider_down() -> testkit::TestApp {
    use web::auth::oidc::{Oidc, OidcConfig, OidcSettings};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = OidcConfig::parse(OidcSettings {
        issuer: format!("http://127.0.0.1:{port}"),
        client_id: "balise".to_owned(),
        client_secret: "secret-de-test".to_owned(),
        redirect_url: "http://127.0.0.1:9/connexion/oidc/retour".to_owned(),
        button_label: None,
        scopes: None,
    })
    .unwrap();
    testkit::spawn_app_with(&["mamh"], |state| state.with_oidc(Oidc::new(config).unwrap())).await
}

#[test]
fn openid_connect_sign_in_pages_have_no_accessibility_violation_in_french_and_english() {
    browser_test(|browser| async move {
        let app = spawn_app_with_provider_down().await;
        browser.goto(&app.url("/")).await;
        let mut found = Vec::new();
        for lang in ["fr", "en"] {
            for (path, status) in OIDC_PAGES {
                let url = app.url(&format!("{path}?lang={lang}"));
                assert_eq!(browser.status_of(&url).await, *status, "{url}");
                browser.goto(&url).await;
                assert!(!browser.title().await.is_empty(), "{url} has no <title>");
                let html_lang = browser.execute("return document.documentElement.lang;", vec![]).await;
                assert!(html_lang.as_str().unwrap_or_default().starts_with(lang), "{url}: <html lang> is {html_lang}");
                if *path == "/connexion" {
                    let buttons = browser.find_all(r#"a[href^="/connexion/oidc"]"#).await;
                    assert_eq!(buttons.len(), 1, "{url}: the provider's button is shown");
                }
                for violation in browser.run_axe().await {
                    found.push(format!("{url}: {violation}"));
                }
            }
        }
        assert!(found.is_empty(), "axe-core found violations:\n{}", found.join("\n"));
    });
}
