//! Zero axe-core violations (WCAG 2.1 A and AA rules) on every page, in French and in
//! English. The pages are a table: a new page is one more row.

#![allow(dead_code)] // `signed_in_as` serves the rows of pages behind sign-in.

use crate::harness::{Browser, browser_test};

/// A page to check: its path on the running application, the role of the person signed in
/// to see it (`None`: a public page), and whether it is translated (then `?lang=en` must
/// give `<html lang="en-CA">`; untranslated pages are still checked by axe in English mode).
pub struct PageToCheck {
    pub path: &'static str,
    pub signed_in_as: Option<&'static str>,
    pub english: bool,
}

/// Every page reachable today. Add a row when a page lands.
pub const PAGES: &[PageToCheck] = &[
    PageToCheck { path: "/", signed_in_as: None, english: false },
    PageToCheck { path: "/organisations/mamh", signed_in_as: None, english: false },
];

/// Loads every page of `PAGES` in `lang` (`None`: the default, French) and returns the
/// violations found, one line each, prefixed by the page.
async fn violations_on_every_page(browser: &Browser, base: &str, lang: Option<&str>) -> Vec<String> {
    let mut found = Vec::new();
    for page in PAGES {
        let url = match lang {
            Some(lang) if page.path.contains('?') => format!("{base}{}&lang={lang}", page.path),
            Some(lang) => format!("{base}{}?lang={lang}", page.path),
            None => format!("{base}{}", page.path),
        };
        browser.goto(&url).await;
        let title = browser.title().await;
        assert!(!title.is_empty(), "{url} has no <title>");
        let expected_lang = if lang == Some("en") && page.english { "en" } else if lang.is_none() { "fr" } else { "" };
        let html_lang = browser.execute("return document.documentElement.lang;", vec![]).await;
        assert!(
            html_lang.as_str().unwrap_or_default().starts_with(expected_lang),
            "{url}: <html lang> is {html_lang}, expected {expected_lang}-…"
        );
        for violation in browser.run_axe().await {
            found.push(format!("{url}: {violation}"));
        }
    }
    found
}

#[test]
fn every_page_has_no_accessibility_violation_in_french() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let violations = violations_on_every_page(&browser, &app.url(""), None).await;
        assert!(violations.is_empty(), "axe-core found violations:\n{}", violations.join("\n"));
    });
}

#[test]
fn every_page_has_no_accessibility_violation_in_english() {
    browser_test(|browser| async move {
        let app = testkit::spawn_app(&["mamh"]).await;
        let violations = violations_on_every_page(&browser, &app.url(""), Some("en")).await;
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
