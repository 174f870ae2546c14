//! Help in French by default and in English on request.

use crate::helpers::{balise, balise_with_env, stdout};

#[test]
fn help_is_french_by_default() {
    let text = stdout(&balise(&["--help"], ""));
    assert!(text.contains("Utilisation : balise"), "{text}");
    assert!(text.contains("Afficher l'aide"), "{text}");
    assert!(text.contains("Servir l'application Web"), "{text}");
    assert!(!text.contains("Print help"), "{text}");
}

#[test]
fn help_is_english_with_lang_flag_or_locale() {
    let text = stdout(&balise(&["--lang", "en", "sla", "--help"], ""));
    assert!(text.contains("Usage: balise sla"), "{text}");
    assert!(text.contains("Time of receipt"), "{text}");
    assert!(!text.contains("Date et heure"), "{text}");
    let text = stdout(&balise_with_env(&["serve", "--help"], "", &[("LANG", "en_CA.UTF-8")]));
    assert!(text.contains("Serve the web application"), "{text}");
}

#[test]
fn french_help_shows_defaults_in_french() {
    let text = stdout(&balise(&["sla", "--help"], ""));
    assert!(text.contains("[défaut : mamh]"), "{text}");
    assert!(!text.contains("[default:"), "{text}");
}
