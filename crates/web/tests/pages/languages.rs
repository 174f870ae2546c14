//! Every page in each language, for a signed-in person of a role that may see it: the English
//! screens carry none of the French interface's words, the French screens none of the English
//! interface's, and error pages (404, 403, 400 from a malformed query or form, 405, 413) follow
//! the reader's language too. The citizens' texts and the editorial entry of the test data
//! avoid the words checked, so the check reads the interface, not the data; what the profile
//! itself names (its netiquette wording, chains and steps) is the organisation's text and is
//! left out of the lists.

use domain::profile::Role;
use serde_json::{Value, json};
use testkit::{TestApp, spawn_app};

/// Words of the French interface that an English screen must not show.
const FRENCH_UI_WORDS: &[&str] = &[
    "Boîte de réception",
    "Répondants",
    "Engagements",
    "Calendrier",
    "Approuver",
    "ouvrables",
    "Se déconnecter",
    "Connecté·e",
    "Journal d'audit",
    "Échéance",
    "Acheminement",
    "Filtrer",
    "Filtres",
    "Rechercher",
    "Enregistrer",
    "Mes approbations",
    "Nouvelle publication",
    "Variantes",
    "Réseau",
    "Moment",
    "Tous",
    "Aller au contenu",
    "Retour à l'accueil",
    "Page introuvable",
    "Accès refusé",
    "Demande invalide",
    "Envoi trop volumineux",
    "Erreur",
    "Lundi",
    "Mardi",
    "Dimanche",
    "janvier",
    "juin",
    "Diffusée",
    "En attente",
    "Blogue",
    "Gestionnaire de communauté",
    "Importer un communiqué",
    "Sans date",
    "Heures de bureau",
    "Jours fériés",
    "Masquer",
    "Décision",
    "caractères",
];

/// Words of the English interface that a French screen must not show.
const ENGLISH_UI_WORDS: &[&str] = &[
    "Inbox",
    "Sign out",
    "Signed in",
    "Calendar",
    "Respondents",
    "Commitments",
    "Audit log",
    "Approve",
    "Deadline",
    "Route",
    "Filter",
    "Search",
    "Save",
    "Skip to content",
    "My approvals",
    "New entry",
    "Variants",
    "Network",
    "Any",
    "Back to the home page",
    "Page not found",
    "Access denied",
    "Invalid request",
    "Submission too large",
    "Error",
    "Monday",
    "Tuesday",
    "Sunday",
    "January",
    "June",
    "Published",
    "Waiting",
    "Blog",
    "Community manager",
    "Import a press release",
    "Not scheduled",
    "Business hours",
    "Holidays",
    "business",
    "Hide",
    "Decision",
];

/// What a person reads of a page: the text between tags and the attributes a screen reader
/// says (`aria-label`, `title`, `placeholder`, `alt`), without scripts and styles, and
/// without the elements marked with their own `lang` (the language switch link, written in
/// the other language on purpose; the holidays' French names): text marked so is announced
/// in its language, which is what WCAG 3.1.2 asks of a passage in another language.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    let mut skip_until: Option<String> = None;
    while let Some(open) = rest.find('<') {
        if skip_until.is_none() {
            text.push_str(&rest[..open]);
            text.push(' ');
        }
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        if let Some(end) = &skip_until {
            if tag.starts_with(end.as_str()) {
                skip_until = None;
            }
            continue;
        }
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        match name.as_str() {
            "script" | "style" => skip_until = Some(format!("/{name}")),
            "html" => {}
            _ if tag.contains(" lang=") => skip_until = Some(format!("/{name}")),
            _ => {}
        }
        for attribute in ["aria-label=\"", "title=\"", "placeholder=\"", "alt=\""] {
            if let Some(start) = tag.find(attribute) {
                let value = &tag[start + attribute.len()..];
                text.push_str(value.split('"').next().unwrap_or(""));
                text.push(' ');
            }
        }
    }
    text.push_str(rest);
    text.replace("&#x27;", "'").replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", "\"")
}

/// The words of `words` that `text` holds as whole words (case-sensitive).
fn found_words<'a>(text: &str, words: &[&'a str]) -> Vec<&'a str> {
    words
        .iter()
        .copied()
        .filter(|word| {
            text.match_indices(word).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + word.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
            })
        })
        .collect()
}

/// Checks one page in one language: its `<html lang>`, and none of the other language's words.
fn check_page(label: &str, lang: &str, html: &str) {
    let expected_lang = if lang == "en" { "lang=\"en-CA\"" } else { "lang=\"fr-CA\"" };
    assert!(html.contains(expected_lang), "{label} ({lang}): <html {expected_lang}> missing");
    let text = visible_text(html);
    let forbidden = if lang == "en" { FRENCH_UI_WORDS } else { ENGLISH_UI_WORDS };
    let found = found_words(&text, forbidden);
    assert!(found.is_empty(), "{label} ({lang}) shows words of the other language {found:?} in:\n{text}");
}

/// `path` with `lang=en` added for English (French is the default: nothing added).
fn in_language(path: &str, lang: &str) -> String {
    if lang == "fr" {
        return path.to_owned();
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}lang=en")
}

/// A page answered to a form (`POST`, the client carries the CSRF header), in `lang`.
async fn post_page(app: &TestApp, client: &reqwest::Client, path: &str, form: &[(&str, &str)], lang: &str) -> String {
    let response = client.post(app.url(&in_language(path, lang))).form(form).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "POST {path} ({lang})");
    response.text().await.unwrap()
}

async fn get_page(app: &TestApp, client: &reqwest::Client, path: &str, lang: &str, status: u16) -> String {
    let response = client.get(app.url(&in_language(path, lang))).send().await.unwrap();
    assert_eq!(response.status().as_u16(), status, "GET {path} ({lang})");
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "GET {path} ({lang}) answered {content_type}");
    response.text().await.unwrap()
}

/// The test data: a question, a rude comment and a neutral one from citizens, an editorial
/// entry waiting at the sector's approval and one still in drafting. Returns the question's
/// case, the waiting entry and the draft.
async fn prepare(app: &TestApp) -> (i64, i64, i64) {
    let connector = app.token_client(Role::CommunityManager).await;
    let messages = json!([
        {
            "network": "facebook", "account": "@MAMHQuebec", "external_id": "lang-1",
            "author": "citoyen-1", "author_name": "Jeanne Tremblay",
            "text": "Bonjour, à quelle date ouvre le programme d'aide aux municipalités ?",
            "kind": "comment", "received_at": "2026-03-02T10:00:00-05:00",
        },
        {
            "network": "facebook", "account": "@MAMHQuebec", "external_id": "lang-2",
            "author": "citoyen-2", "author_name": "Paul Gagnon",
            "text": "Espèce de crétin, vous ne comprenez rien à rien.",
            "kind": "comment", "received_at": "2026-03-02T11:00:00-05:00",
        },
        {
            "network": "facebook", "account": "@MAMHQuebec", "external_id": "lang-3",
            "author": "citoyen-3", "author_name": "Luc Roy",
            "text": "Merci beaucoup pour ces explications très claires.",
            "kind": "comment", "received_at": "2026-03-02T12:00:00-05:00",
        }
    ]);
    let response = connector.post(app.url("/api/v1/messages")).json(&messages).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let (status, inbox) = {
        let response = connector.get(app.url("/api/v1/organisations/mamh/inbox")).send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200, "{inbox}");
    let question = inbox["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["text"].as_str().unwrap().contains("programme"))
        .expect("the question's case")["case_id"]
        .as_i64()
        .unwrap();

    let manager = app.sign_in(Role::CommunityManager).await;
    let entry = json!({
        "title": "Piscines résidentielles",
        "scheduled_at": "2026-06-02T14:00:00Z",
        "campaign": "Piscines",
        "sector": "habitation",
        "variants": [
            {
                "network": "facebook",
                "message": "L'été arrive : vérifiez que la clôture de votre piscine résidentielle respecte les normes de sécurité.",
                "link": "https://www.quebec.ca/piscines",
                "image": {"reference": "piscine.png", "alt_text": "Une clôture fermée autour d'une piscine creusée."},
            },
            {
                "network": "linkedin",
                "message": "Piscines résidentielles : les normes de sécurité expliquées aux municipalités.",
                "video": {"reference": "piscine.mp4", "subtitles": true, "live": false},
            }
        ]
    });
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = manager.post(app.url("/api/v1/organisations/mamh/entries")).json(&entry).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
        ids.push(response.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let (entry_id, draft_id) = (ids[0], ids[1]);
    let response = manager
        .post(app.url(&format!("/api/v1/entries/{entry_id}/decisions")))
        .json(&json!({"step": "drafting", "decision": "approve", "comment": "Prête"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    (question, entry_id, draft_id)
}

#[tokio::test]
async fn every_page_speaks_one_language_only() {
    let app = spawn_app(&["mamh"]).await;
    let (case_id, entry_id, draft_id) = prepare(&app).await;
    let community_manager = app.sign_in(Role::CommunityManager).await;
    let communications_manager = app.sign_in(Role::CommunicationsManager).await;
    let sector_manager = app.sign_in(Role::SectorManager).await;

    let pages: Vec<(&reqwest::Client, String)> = vec![
        (&community_manager, "/".to_owned()),
        (&community_manager, "/organisations/mamh".to_owned()),
        (&community_manager, "/boite".to_owned()),
        (&community_manager, format!("/cas/{case_id}")),
        (&community_manager, "/repondants".to_owned()),
        (&community_manager, "/engagements?du=2026-03-01&au=2026-03-31".to_owned()),
        (&community_manager, "/profil".to_owned()),
        (&communications_manager, "/journal".to_owned()),
        (&community_manager, "/calendrier?vue=mois&date=2026-06-01".to_owned()),
        (&community_manager, "/calendrier?vue=semaine&date=2026-06-01".to_owned()),
        (&community_manager, "/calendrier?vue=liste&date=2026-06-01".to_owned()),
        (&sector_manager, "/calendrier/approbations".to_owned()),
        (&community_manager, "/calendrier/nouvelle".to_owned()),
        (&community_manager, "/calendrier/communique".to_owned()),
        (&community_manager, "/calendrier/report".to_owned()),
        (&community_manager, format!("/calendrier/publications/{entry_id}")),
        (&sector_manager, format!("/calendrier/publications/{entry_id}")),
        (&community_manager, format!("/calendrier/publications/{draft_id}/modifier")),
    ];
    for lang in ["fr", "en"] {
        for (client, path) in &pages {
            let html = get_page(&app, client, path, lang, 200).await;
            check_page(path, lang, &html);
        }
    }
    // The pages that answer a form: a postponement proposal, a period's, a press release's
    // variants, a subscription address.
    let press_release = "Des normes renouvelées pour les piscines résidentielles\n\nLe ministère publie aujourd'hui les normes de sécurité renouvelées des piscines résidentielles, applicables dès le printemps dans toutes les municipalités.";
    for lang in ["fr", "en"] {
        let postpone = format!("/calendrier/publications/{entry_id}/report");
        let html = post_page(&app, &community_manager, &postpone, &[("not_before", "2026-06-10T09:00"), ("spacing", "60")], lang).await;
        check_page(&postpone, lang, &html);
        assert!(html.contains("Piscines résidentielles"), "the proposal lists the entry: {html}");
        let period = [("start", "2026-06-01T00:00"), ("end", "2026-06-05T00:00"), ("not_before", ""), ("spacing", "60")];
        let html = post_page(&app, &community_manager, "/calendrier/report", &period, lang).await;
        check_page("/calendrier/report (proposal)", lang, &html);
        let html = post_page(&app, &community_manager, "/calendrier/communique", &[("source", press_release), ("url", "https://www.quebec.ca/nouvelles")], lang).await;
        check_page("/calendrier/communique (variants)", lang, &html);
        assert!(html.contains("Des normes renouvelées pour les piscines résidentielles"), "the variants are proposed: {html}");
        let html = post_page(&app, &community_manager, "/calendrier/abonnement", &[], lang).await;
        check_page("/calendrier/abonnement", lang, &html);
    }
    // The approvals inbox of the sector lists the entry, so its rows were checked too.
    let approvals = get_page(&app, &sector_manager, "/calendrier/approbations", "en", 200).await;
    assert!(approvals.contains("Piscines résidentielles"), "{approvals}");
}

#[tokio::test]
async fn error_pages_follow_the_reader_language() {
    let app = spawn_app(&["mamh"]).await;
    let (case_id, _, _) = prepare(&app).await;
    let community_manager = app.sign_in(Role::CommunityManager).await;
    let staff = app.sign_in(Role::Staff).await;
    for lang in ["fr", "en"] {
        // Unknown address, unknown record, refused page, bad filter.
        let html = get_page(&app, &community_manager, "/nulle-part", lang, 404).await;
        check_page("unknown address", lang, &html);
        let html = get_page(&app, &community_manager, "/cas/987654", lang, 404).await;
        check_page("unknown case", lang, &html);
        let html = get_page(&app, &staff, "/journal", lang, 403).await;
        check_page("refused page", lang, &html);
        let html = get_page(&app, &community_manager, "/boite?compte=abc", lang, 400).await;
        check_page("bad filter", lang, &html);
        // A query string axum cannot read (a field twice), a path that is not a number.
        let html = get_page(&app, &community_manager, "/engagements?du=2026-03-01&du=2026-03-02", lang, 400).await;
        check_page("malformed query", lang, &html);
        let html = get_page(&app, &community_manager, "/cas/abc", lang, 400).await;
        check_page("malformed path", lang, &html);

        // A form missing its fields, a method the address does not take, a body too large.
        let response = community_manager
            .post(app.url(&in_language(&format!("/cas/{case_id}/acheminement"), lang)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("nothing=here")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "malformed form ({lang})");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        check_page("malformed form", lang, &response.text().await.unwrap());

        let response = community_manager.delete(app.url(&in_language("/boite", lang))).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "DELETE /boite ({lang})");
        check_page("wrong method", lang, &response.text().await.unwrap());

        let response = community_manager
            .post(app.url(&in_language(&format!("/cas/{case_id}/avertissement"), lang)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("text={}", "a".repeat(3 * 1024 * 1024)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413, "body too large ({lang})");
        check_page("body too large", lang, &response.text().await.unwrap());
    }
    // The English and French pages of an error say different things.
    let french = get_page(&app, &community_manager, "/nulle-part", "fr", 404).await;
    let english = get_page(&app, &community_manager, "/nulle-part", "en", 404).await;
    assert!(french.contains("Page introuvable") && english.contains("Page not found"));
}

#[tokio::test]
async fn the_api_answers_its_own_json_errors_for_what_axum_refuses() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.token_client(Role::CommunityManager).await;
    for (method, path, status, code) in [
        ("GET", "/api/v1/nulle-part", 404, "not_found"),
        ("GET", "/api/v1/organisations/mamh/inbox?limit=abc", 400, "bad_request"),
        ("DELETE", "/api/v1/organisations", 405, "method_not_allowed"),
    ] {
        let request = match method {
            "DELETE" => manager.delete(app.url(path)),
            _ => manager.get(app.url(path)),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{method} {path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty() && found_words(message, ENGLISH_UI_WORDS).is_empty(), "{message}");
    }
}

#[test]
fn the_visible_text_leaves_out_tags_scripts_and_the_language_switch() {
    let html = r#"<html lang="fr-CA"><script>var Inbox = 1;</script><a href="?lang=en" lang="en-CA">English</a><p title="Aide">Boîte &amp; dossiers</p></html>"#;
    let text = visible_text(html);
    assert!(text.contains("Boîte & dossiers") && text.contains("Aide"), "{text}");
    assert!(!text.contains("Inbox") && !text.contains("English"), "{text}");
    assert_eq!(found_words("Calendrier de contenus", FRENCH_UI_WORDS), ["Calendrier"]);
    assert!(found_words("Calendriers", FRENCH_UI_WORDS).is_empty());
}
