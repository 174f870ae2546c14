//! X's weighted length on posts written the way Quebec public bodies write them, each
//! counted by hand in its comment (the unit tests in `src/x.rs` cover each rule alone; the
//! twitter-text conformance cases run in `examples/x_conformance.rs`).

#![allow(clippy::unwrap_used)]

use publishing::{CheckOptions, Network, X_WEIGHTING_V3, check_text, parse_x, x_weighted_length};

#[test]
fn boil_water_notice_with_emoji_link_and_hashtag() {
    // 🚨 = 2; " Avis d'ébullition préventive dans le secteur Mingan. Détails : " = 64;
    // the link = 23; " #BaieComeau" = 12. Total 101.
    let post = "🚨 Avis d'ébullition préventive dans le secteur Mingan. Détails : https://www.ville.baie-comeau.qc.ca/citoyens/avis-publics/ebullition-preventive-secteur-mingan #BaieComeau";
    assert_eq!(x_weighted_length(post), 101);
}

#[test]
fn french_typography_counts_one_except_the_ellipsis() {
    // 81 characters before the link, all weighing 1 (é, Î, «, », no-break spaces, the em
    // dash U+2014) except the ellipsis U+2026, which weighs 2: 82. The link without a scheme
    // but with a path counts 23. Total 105.
    let post = "La ministre annonce 4,5 M$ pour 60 logements à Sept-Îles… «\u{a0}Un besoin criant\u{a0}» — www.quebec.ca/habitation";
    assert_eq!(x_weighted_length(post), 105);
}

#[test]
fn addresses_that_x_does_not_link_count_character_by_character() {
    // "quebec.ca" alone (two labels, country code, no path) and the domain of an e-mail
    // address are not links on X: 9 and 16 characters.
    assert_eq!(x_weighted_length("quebec.ca"), 9);
    assert_eq!(x_weighted_length("info@exemple.com"), 16);
    // With "www." it is a link.
    assert_eq!(x_weighted_length("www.quebec.ca"), 23);
}

#[test]
fn a_post_of_exactly_280_with_two_links_and_one_more_character() {
    // Two links (46) and 234 letters = 280.
    let base = format!(
        "https://www.quebec.ca/a {} https://www.mamh.gouv.qc.ca/b",
        "a".repeat(232)
    );
    let parse = parse_x(&base, &X_WEIGHTING_V3);
    assert_eq!((parse.weighted_length, parse.valid), (280, true));
    let check = check_text(Network::X, &format!("{base}!"), &CheckOptions::default());
    assert_eq!((check.length, check.valid()), (281, false));
    assert_eq!(check.problems[0].code.id(), "too_long");
}
