//! The knowledge base suite: imports, the French analyser seen through searches, ranking on
//! the fixture corpus, upserts and persistence.
#![allow(clippy::unwrap_used)]

mod helpers;

use std::io::Write;

use helpers::{check_best, fixture_knowledge_base, fixtures_dir, page, urls};
use search::{KnowledgeBase, MAX_JSONL_LINE_BYTES, RecordLocation, RecordProblem};

const INSCRIPTION_URL: &str =
    "https://www.quebec.ca/habitation-logement/aide-financiere/inscription";

#[test]
fn fixture_corpus_imports_every_page() {
    let knowledge_base = fixture_knowledge_base();
    assert_eq!(knowledge_base.page_count(), 16);
}

#[test]
fn a_question_with_elisions_finds_the_registration_page() {
    let knowledge_base = fixture_knowledge_base();
    let hits = knowledge_base
        .search("Comment m'inscrire au programme d'aide?", 3)
        .unwrap();
    assert_eq!(hits[0].title, "Inscription au programme d'aide financière");
    assert_eq!(hits[0].url, INSCRIPTION_URL);
    assert!(hits[0].score > 0.0);
    // « inscrire », « programme » and « aide » are all on the page (« s'inscrire »).
    assert_eq!(hits[0].coverage, 1.0);
}

#[test]
fn coverage_tells_a_page_on_the_subject_from_one_sharing_a_word() {
    let knowledge_base = fixture_knowledge_base();
    // A complaint that shares only « logement » with a page: three terms (gouvern, cris,
    // log), one found.
    let hits = knowledge_base
        .search(
            "Pourquoi le gouvernement ne fait rien pour la crise du logement?",
            1,
        )
        .unwrap();
    assert!((hits[0].coverage - 1.0 / 3.0).abs() < 1e-6, "{:?}", hits[0]);
    let hits = knowledge_base
        .search("taxe de bienvenue zonage", 5)
        .unwrap();
    let zonage = hits
        .iter()
        .find(|hit| hit.url.ends_with("/zonage"))
        .unwrap();
    assert!((zonage.coverage - 1.0 / 3.0).abs() < 1e-6, "{zonage:?}");
    assert!(
        hits.iter()
            .all(|hit| hit.coverage > 0.0 && hit.coverage <= 1.0)
    );
}

#[test]
fn elided_words_match_their_plain_form() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    knowledge_base
        .add_pages([page(
            "https://a.qc.ca/1",
            "Page",
            "Formulaire pour l'inscription en ligne",
        )])
        .unwrap();
    assert_eq!(
        urls(&knowledge_base.search("inscription", 5).unwrap()),
        ["https://a.qc.ca/1"]
    );
    assert_eq!(
        urls(&knowledge_base.search("qu’inscription", 5).unwrap()),
        ["https://a.qc.ca/1"]
    );
}

#[test]
fn accented_and_unaccented_questions_give_the_same_results() {
    let knowledge_base = fixture_knowledge_base();
    let accented = knowledge_base
        .search("évaluation foncière de ma propriété", 5)
        .unwrap();
    let plain = knowledge_base
        .search("EVALUATION FONCIERE DE MA PROPRIETE", 5)
        .unwrap();
    assert!(!accented.is_empty());
    assert_eq!(accented, plain);
}

#[test]
fn inflected_forms_find_each_other() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    knowledge_base
        .add_pages([
            page(
                "https://a.qc.ca/logements",
                "Liste",
                "Des logements abordables",
            ),
            page(
                "https://a.qc.ca/fonciere",
                "Taxe",
                "La taxe foncière annuelle",
            ),
        ])
        .unwrap();
    assert_eq!(
        urls(&knowledge_base.search("logement", 5).unwrap()),
        ["https://a.qc.ca/logements"]
    );
    assert_eq!(
        urls(&knowledge_base.search("fonciers", 5).unwrap()),
        ["https://a.qc.ca/fonciere"]
    );
}

#[test]
fn the_stemmer_does_not_join_inscrire_and_inscription() {
    // Documented behaviour of Snowball (see the analyser module): derivations are not
    // joined, so the verb alone does not find a page that has only the noun.
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    knowledge_base
        .add_pages([page(
            "https://a.qc.ca/1",
            "Inscription",
            "Votre inscription",
        )])
        .unwrap();
    assert!(knowledge_base.search("inscrire", 5).unwrap().is_empty());
    assert_eq!(knowledge_base.search("inscriptions", 5).unwrap().len(), 1);
}

#[test]
fn a_query_of_stop_words_only_finds_nothing() {
    let knowledge_base = fixture_knowledge_base();
    assert!(
        knowledge_base
            .search("Est-ce que c'est à vous ou à eux?", 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        knowledge_base
            .search("Bonjour, comment faire svp", 10)
            .unwrap()
            .is_empty()
    );
    assert!(knowledge_base.search("   ", 10).unwrap().is_empty());
    assert_eq!(knowledge_base.best_page("de la", 0.0).unwrap(), None);
}

#[test]
fn query_syntax_characters_are_plain_text() {
    let knowledge_base = fixture_knowledge_base();
    let hits = knowledge_base
        .search("title:\"zonage\" AND (permis -construction) ^2 *", 5)
        .unwrap();
    assert_eq!(hits[0].url, "https://www.mamh.gouv.qc.ca/faq/zonage");
}

#[test]
fn the_title_weighs_more_than_the_body() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    knowledge_base
        .add_pages([
            page(
                "https://a.qc.ca/corps",
                "Renseignements généraux",
                "Déneigement des rues municipales",
            ),
            page(
                "https://a.qc.ca/titre",
                "Déneigement",
                "Renseignements généraux des rues municipales",
            ),
        ])
        .unwrap();
    let hits = knowledge_base.search("déneigement", 5).unwrap();
    assert_eq!(
        urls(&hits),
        ["https://a.qc.ca/titre", "https://a.qc.ca/corps"]
    );
    assert!(hits[0].score > hits[1].score);
}

#[test]
fn realistic_questions_rank_the_right_page_first() {
    let knowledge_base = fixture_knowledge_base();
    let cases = [
        ("Comment m'inscrire au programme d'aide?", INSCRIPTION_URL),
        (
            "je suis locataire a faible revenu, ai-je droit a une aide pour payer mon loyer?",
            "https://www.quebec.ca/habitation-logement/aide-financiere/allocation-logement",
        ),
        (
            "C'est quand le vote par anticipation pour les élections municipales?",
            "https://www.electionsmunicipales.quebec/voter",
        ),
        (
            "Je veux me présenter comme candidate à la mairie",
            "https://www.electionsmunicipales.quebec/candidature",
        ),
        (
            "Je conteste l'évaluation de ma maison, quelle est la date limite pour la demande de révision?",
            "https://www.quebec.ca/habitation-logement/evaluation-fonciere/demande-revision",
        ),
        (
            "Comment obtenir une copie d'un document du ministère? Loi sur l'accès",
            "https://www.quebec.ca/gouvernement/acces-information/demande-acces",
        ),
        (
            "Comment est calculé mon compte de taxes?",
            "taxes/compte-de-taxes.htm",
        ),
        (
            "Notre municipalité veut fusionner avec la ville voisine, peut-on s'opposer?",
            "https://www.mamh.gouv.qc.ca/faq/regroupement-municipal",
        ),
        (
            "Le maire est en conflit d'intérêts, où porter plainte pour manquement à l'éthique?",
            "https://www.mamh.gouv.qc.ca/faq/ethique-elus",
        ),
        (
            "Ma rue n'est jamais déneigée, je veux faire une plainte",
            "https://www.mamh.gouv.qc.ca/faq/plainte-municipalite",
        ),
        (
            "Est-ce que j'ai besoin d'un permis pour agrandir ma maison? zonage",
            "https://www.mamh.gouv.qc.ca/faq/zonage",
        ),
        (
            "Mon sous-sol a été inondé, y a-t-il une aide financière?",
            "https://www.mamh.gouv.qc.ca/faq/aide-sinistres",
        ),
        (
            "Quelles sont les heures d'ouverture de la direction régionale de la Côte-Nord?",
            "https://www.mamh.gouv.qc.ca/nous-joindre/directions-regionales",
        ),
        (
            "construction de logements abordables par une coopérative",
            "https://www.habitation.gouv.qc.ca/programmes/habitation-abordable",
        ),
        (
            "subvention usine eau potable municipalité",
            "https://www.mamh.gouv.qc.ca/faq/primeau",
        ),
    ];
    for (question, expected_url) in cases {
        check_best(&knowledge_base, question, expected_url);
    }
}

#[test]
fn best_page_applies_the_minimum_score() {
    let knowledge_base = fixture_knowledge_base();
    let best = knowledge_base
        .best_page("demande de révision de l'évaluation foncière", 0.0)
        .unwrap()
        .unwrap();
    assert_eq!(
        best.url,
        "https://www.quebec.ca/habitation-logement/evaluation-fonciere/demande-revision"
    );
    assert_eq!(
        knowledge_base
            .best_page(
                "demande de révision de l'évaluation foncière",
                best.score + 0.01
            )
            .unwrap(),
        None
    );
    assert_eq!(
        knowledge_base
            .best_page("demande de révision de l'évaluation foncière", best.score)
            .unwrap()
            .map(|hit| hit.url),
        Some(best.url)
    );
}

#[test]
fn hits_carry_the_title_and_a_snippet_around_the_matched_words() {
    let knowledge_base = fixture_knowledge_base();
    let hits = knowledge_base.search("Tribunal administratif", 1).unwrap();
    assert_eq!(
        hits[0].title,
        "Contester l'évaluation de votre propriété : demande de révision"
    );
    assert!(
        hits[0].snippet.contains("Tribunal administratif"),
        "{}",
        hits[0].snippet
    );
    assert!(hits[0].snippet.chars().count() <= search::SNIPPET_MAX_CHARS);
    assert!(!hits[0].snippet.contains('\n'), "{:?}", hits[0].snippet);
}

#[test]
fn search_limit_is_respected() {
    let knowledge_base = fixture_knowledge_base();
    assert_eq!(knowledge_base.search("municipalité", 3).unwrap().len(), 3);
    assert!(knowledge_base.search("municipalité", 0).unwrap().is_empty());
}

#[test]
fn html_pages_get_their_address_title_and_text() {
    let knowledge_base = fixture_knowledge_base();
    // og:url is used when there is no canonical link.
    let hits = knowledge_base.search("allocation-logement", 1).unwrap();
    assert_eq!(
        hits[0].url,
        "https://www.quebec.ca/habitation-logement/aide-financiere/allocation-logement"
    );
    // The Windows-1252 page was decoded (« Œuvres », « d’évaluation ») and, having no
    // canonical link, is addressed by its relative path.
    let hits = knowledge_base
        .search("oeuvres d'art patrimoniaux", 1)
        .unwrap();
    assert_eq!(hits[0].url, "taxes/compte-de-taxes.htm");
    assert_eq!(
        hits[0].title,
        "Comprendre votre compte de taxes municipales"
    );
    assert!(
        hits[0].snippet.contains("Œuvres d’art"),
        "{}",
        hits[0].snippet
    );
    // Menus, footers and scripts are not indexed.
    assert!(knowledge_base.search("dataLayer", 5).unwrap().is_empty());
    assert!(
        knowledge_base
            .search("Accessibilité", 5)
            .unwrap()
            .is_empty()
    );
    assert!(knowledge_base.search("analytique", 5).unwrap().is_empty());
}

#[test]
fn reimporting_an_address_replaces_the_page() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let first = knowledge_base
        .add_pages([
            page("https://a.qc.ca/1", "Ancien titre", "texte périmé"),
            page("https://a.qc.ca/2", "Autre", "autre"),
        ])
        .unwrap();
    assert_eq!((first.indexed, first.replaced), (2, 0));
    let second = knowledge_base
        .add_pages([page("https://a.qc.ca/1", "Nouveau titre", "texte actuel")])
        .unwrap();
    assert_eq!((second.indexed, second.replaced), (1, 1));
    assert_eq!(knowledge_base.page_count(), 2);
    assert!(knowledge_base.search("périmé", 5).unwrap().is_empty());
    assert_eq!(
        knowledge_base.search("actuel", 5).unwrap()[0].title,
        "Nouveau titre"
    );
}

#[test]
fn the_same_address_twice_in_one_import_keeps_the_last() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let report = knowledge_base
        .add_pages([
            page("https://a.qc.ca/1", "Premier", "version un"),
            page("https://a.qc.ca/1", "Second", "version deux"),
        ])
        .unwrap();
    assert_eq!(report.replaced, 1);
    assert_eq!(knowledge_base.page_count(), 1);
    assert_eq!(
        knowledge_base.search("version", 5).unwrap()[0].title,
        "Second"
    );
}

#[test]
fn an_on_disk_base_survives_reopening_and_creates_its_folder() {
    let data_dir = tempfile::tempdir().unwrap();
    let dir = search::knowledge_base_dir(data_dir.path(), "mamh");
    assert_eq!(dir, data_dir.path().join("kb").join("mamh"));
    {
        let knowledge_base = KnowledgeBase::open(&dir).unwrap();
        knowledge_base
            .import_jsonl(&fixtures_dir().join("faq.jsonl"))
            .unwrap();
    }
    let reopened = KnowledgeBase::open(&dir).unwrap();
    assert_eq!(reopened.page_count(), 7);
    check_best(
        &reopened,
        "fusion de municipalités",
        "https://www.mamh.gouv.qc.ca/faq/regroupement-municipal",
    );
    let report = reopened
        .import_jsonl(&fixtures_dir().join("faq.jsonl"))
        .unwrap();
    assert_eq!((report.indexed, report.replaced), (7, 7));
    assert_eq!(reopened.page_count(), 7);
}

#[test]
fn a_folder_with_another_index_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut schema = tantivy_schema_builder();
    schema.add_text_field("autre", tantivy_text());
    drop(tantivy::Index::create_in_dir(dir.path(), schema.build()).unwrap());
    let error = KnowledgeBase::open(dir.path()).err().unwrap();
    assert!(
        matches!(error, search::SearchError::IncompatibleIndex { .. }),
        "{error}"
    );
}

fn tantivy_schema_builder() -> tantivy::schema::SchemaBuilder {
    tantivy::schema::Schema::builder()
}

fn tantivy_text() -> tantivy::schema::TextOptions {
    tantivy::schema::TEXT
}

#[test]
fn an_import_while_another_writer_holds_the_index_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let knowledge_base = KnowledgeBase::open(dir.path()).unwrap();
    let other_process_index = tantivy::Index::open_in_dir(dir.path()).unwrap();
    let other_writer = other_process_index
        .writer::<tantivy::TantivyDocument>(15_000_000)
        .unwrap();
    let error = knowledge_base
        .add_pages([page("https://a.qc.ca/1", "Titre", "texte")])
        .err()
        .unwrap();
    assert!(
        matches!(error, search::SearchError::IndexBusy { .. }),
        "{error}"
    );
    drop(other_writer);
    assert_eq!(
        knowledge_base
            .add_pages([page("https://a.qc.ca/1", "Titre", "texte")])
            .unwrap()
            .indexed,
        1
    );
}

#[test]
fn an_on_disk_base_sees_pages_imported_by_another_handle() {
    let dir = tempfile::tempdir().unwrap();
    let server_side = KnowledgeBase::open(dir.path()).unwrap();
    let command_side = KnowledgeBase::open(dir.path()).unwrap();
    command_side
        .add_pages([page(
            "https://a.qc.ca/1",
            "Déneigement",
            "Horaire du déneigement",
        )])
        .unwrap();
    // The reader reloads on its own after the other handle's commit; poll rather than
    // sleep a fixed time, with a generous bound for a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server_side.page_count() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        urls(&server_side.search("déneigement", 5).unwrap()),
        ["https://a.qc.ca/1"]
    );
}

fn write_file(path: &std::path::Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn bad_jsonl_lines_are_reported_with_their_number_and_the_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("faq.jsonl");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(br#"{"url": "https://a.qc.ca/1", "title": "Bon", "text": "premier texte"}"#)
        .unwrap();
    file.write_all(b"\n\n   \n").unwrap(); // lines 2 and 3 are blank
    file.write_all(b"{\"url\": \"https://a.qc.ca/2\", \"title\": \"Mauvais\"\n")
        .unwrap(); // 4: unclosed
    file.write_all(b"{\"url\": \"https://a.qc.ca/3\", \"title\": \"caf\xe9\", \"text\": \"x\"}\n")
        .unwrap(); // 5: latin-1
    file.write_all(b"{\"title\": \"sans adresse\", \"text\": \"x\"}\n")
        .unwrap(); // 6
    file.write_all(b"{\"url\": \"  \", \"text\": \"x\"}\n")
        .unwrap(); // 7
    file.write_all(b"{\"url\": \"https://a.qc.ca/8\", \"title\": 8}\n")
        .unwrap(); // 8
    file.write_all(b"{\"url\": \"https://a.qc.ca/9\", \"title\": \"\", \"text\": \" \"}\n")
        .unwrap(); // 9
    let huge_text = "x".repeat(10 * 1024 * 1024);
    writeln!(
        file,
        "{{\"url\": \"https://a.qc.ca/10\", \"title\": \"Énorme\", \"text\": \"{huge_text}\"}}"
    )
    .unwrap(); // 10
    file.write_all(b"[1, 2]\r\n").unwrap(); // 11
    file.write_all(b"{\"url\": \"https://a.qc.ca/12\", \"title\": \"Dernier\", \"text\": \"sans fin de ligne\"}\r\n").unwrap();
    drop(file);

    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let report = knowledge_base.import_jsonl(&path).unwrap();
    assert_eq!(report.indexed, 2);
    let lines: Vec<u64> = report
        .errors
        .iter()
        .map(|error| match error.location {
            RecordLocation::Line(line) => line,
            RecordLocation::File(_) => panic!("{error}"),
        })
        .collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10, 11]);
    let codes: Vec<&str> = report
        .errors
        .iter()
        .map(|error| error.problem.code())
        .collect();
    assert_eq!(
        codes,
        [
            "invalid_json",
            "invalid_utf8",
            "invalid_json",
            "invalid_field",
            "invalid_json",
            "nothing_to_index",
            "too_large",
            "invalid_json"
        ]
    );
    assert_eq!(
        report.errors[1].problem,
        RecordProblem::InvalidUtf8 { byte_offset: 42 }
    );
    assert!(
        report.errors[2]
            .to_string()
            .starts_with("ligne 6 : JSON invalide"),
        "{}",
        report.errors[2]
    );
    assert!(
        report.errors[2].to_string().contains("url"),
        "{}",
        report.errors[2]
    );
    match &report.errors[6].problem {
        RecordProblem::TooLarge { bytes, max_bytes } => {
            assert!(*bytes > 10 * 1024 * 1024);
            assert_eq!(*max_bytes, MAX_JSONL_LINE_BYTES as u64);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        urls(&knowledge_base.search("dernier", 5).unwrap()),
        ["https://a.qc.ca/12"]
    );
    assert_eq!(
        urls(&knowledge_base.search("premier texte", 5).unwrap()),
        ["https://a.qc.ca/1"]
    );
}

#[test]
fn a_missing_jsonl_file_fails_the_import_with_its_path() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let error = knowledge_base
        .import_jsonl(std::path::Path::new("/nonexistent/faq.jsonl"))
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("/nonexistent/faq.jsonl"),
        "{error}"
    );
}

#[test]
fn bad_html_files_are_reported_and_the_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        &root.join("bon.html"),
        "<title>Bon</title><p>Texte valide</p>".as_bytes(),
    );
    write_file(
        &root.join("sous/dossier/PROFOND.HTM"),
        "<h1>Profond</h1><p>Encore du texte</p>".as_bytes(),
    );
    write_file(
        &root.join("binaire.html"),
        b"<p>caf\xe9 sans d\xe9claration</p>",
    );
    write_file(
        &root.join("vide.html"),
        b"<html><body><nav>menu</nav><script>x</script></body></html>",
    );
    write_file(&root.join("style.css"), b"p { color: red }");
    write_file(&root.join("notes.txt"), b"pas du HTML");
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let report = knowledge_base.import_html_folder(root).unwrap();
    assert_eq!(report.indexed, 2);
    let located: Vec<(String, &str)> = report
        .errors
        .iter()
        .map(|error| match &error.location {
            RecordLocation::File(path) => (path.display().to_string(), error.problem.code()),
            RecordLocation::Line(_) => panic!("{error}"),
        })
        .collect();
    assert_eq!(
        located,
        [
            ("binaire.html".to_owned(), "invalid_utf8"),
            ("vide.html".to_owned(), "nothing_to_index")
        ]
    );
    assert_eq!(
        report.errors[0].to_string(),
        "fichier binaire.html : texte non UTF-8 (octet invalide après 6 octets valides)"
    );
    let hits = knowledge_base.search("profond", 5).unwrap();
    assert_eq!(urls(&hits), ["sous/dossier/PROFOND.HTM"]);
    assert_eq!(hits[0].title, "Profond");
}

#[test]
fn a_missing_html_folder_fails_the_import() {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    assert!(
        knowledge_base
            .import_html_folder(std::path::Path::new("/nonexistent/site"))
            .is_err()
    );
}
