//! Importing a press release from a saved web page (R-52) and the variants proposed from it.
//! The fixture is a page written for these tests in the shape of a Quebec government news
//! page: cookie banner, menus, breadcrumb, `<main>` with the release, footer.

#![allow(clippy::unwrap_used)]

use publishing::{
    CheckOptions, Network, PressReleaseError, check_text, parse_press_release_html,
    variants_from_press_release, x_weighted_length,
};

const PAGE: &str = include_str!("data/communique-habitation.html");
const PAGE_URL: &str = "https://www.quebec.ca/nouvelles/actualites/details/quebec-soutient-60-logements-abordables-a-sept-iles";
const TITLE: &str = "Québec soutient la construction de 60 logements abordables à Sept-Îles";
const LEAD: &str = "SEPT-ÎLES, le 14 mai 2025 – La ministre des Affaires municipales et de l\u{2019}Habitation annonce une aide financière de 4,5\u{a0}M$ pour la construction de 60\u{a0}logements abordables destinés aux familles et aux personnes aînées de Sept-Îles.";

#[test]
fn the_saved_page_gives_title_lead_body_and_address() {
    let release = parse_press_release_html(PAGE, None).unwrap();
    // From og:title, which has a plain space where the <h1> has a no-break one.
    assert_eq!(release.title, TITLE);
    // The cookie banner, the kicker and the date line are not the lead.
    assert_eq!(release.lead, LEAD);
    assert_eq!(release.url.as_deref(), Some(PAGE_URL));
    assert!(
        release
            .body
            .starts_with("Communiqué de presse\n\nPublié le 14 mai 2025\n\nSEPT-ÎLES"),
        "{}",
        release.body
    );
    assert!(
        release
            .body
            .contains("Ce projet répond à un besoin criant de la région.")
    );
    assert!(!release.body.contains("témoins"));
    assert!(!release.body.contains("Tous droits réservés"));
}

#[test]
fn a_given_address_wins_over_the_page_s_own() {
    let release = parse_press_release_html(
        PAGE,
        Some("https://www.newswire.ca/fr/news-releases/60-logements-sept-iles.html"),
    )
    .unwrap();
    assert_eq!(
        release.url.as_deref(),
        Some("https://www.newswire.ca/fr/news-releases/60-logements-sept-iles.html")
    );
}

#[test]
fn variants_fit_their_networks() {
    let release = parse_press_release_html(PAGE, None).unwrap();
    let variants = variants_from_press_release(&release);
    assert_eq!(variants.len(), 2);
    assert_eq!(variants[0].network, Network::X);
    assert_eq!(variants[0].text, format!("{TITLE} {PAGE_URL}"));
    // 70 characters, a space, and the link counting 23.
    assert_eq!(x_weighted_length(&variants[0].text), 94);
    assert_eq!(variants[1].network, Network::Facebook);
    assert_eq!(variants[1].text, format!("{LEAD}\n\n{PAGE_URL}"));
    for variant in &variants {
        let check = check_text(variant.network, &variant.text, &CheckOptions::default());
        assert!(check.valid(), "{:?}", check.problems);
    }
}

#[test]
fn title_falls_back_to_h1_then_title_element() {
    let without_og = PAGE.replace(
        r#"<meta property="og:title""#,
        r#"<meta property="og:site_name""#,
    );
    let release = parse_press_release_html(&without_og, None).unwrap();
    assert_eq!(
        release.title,
        "Québec soutient la construction de 60\u{a0}logements abordables à Sept-Îles"
    );
    let only_title = "<html><head><title>Avis public | Ville</title></head><body><p>Le conseil municipal tiendra une séance extraordinaire lundi prochain à 19 h.</p></body></html>";
    assert_eq!(
        parse_press_release_html(only_title, None).unwrap().title,
        "Avis public | Ville"
    );
}

#[test]
fn pages_without_title_or_lead_are_refused() {
    assert_eq!(
        parse_press_release_html("   ", None).unwrap_err(),
        PressReleaseError::Empty
    );
    assert_eq!(
        parse_press_release_html("<html><body><p>Un paragraphe bien assez long pour servir de chapeau au communiqué.</p></body></html>", None).unwrap_err(),
        PressReleaseError::NoTitle
    );
    let error = parse_press_release_html(
        "<html><body><h1>Titre</h1><p>Court.</p></body></html>",
        None,
    )
    .unwrap_err();
    assert_eq!(error, PressReleaseError::NoLead);
    assert_eq!(error.code(), "no_lead");
}
