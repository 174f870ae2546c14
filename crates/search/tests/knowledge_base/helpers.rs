//! Shared set-up for the knowledge base suite: the fixture corpus and small builders.

use std::path::{Path, PathBuf};

use search::{Hit, KnowledgeBase, Page, PageUrl};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// The fixture corpus: 9 HTML pages and 7 FAQ entries written like Quebec government
/// pages (housing aid, municipal elections, property assessment, access to documents…).
pub fn fixture_knowledge_base() -> KnowledgeBase {
    let knowledge_base = KnowledgeBase::in_memory().unwrap();
    let html = knowledge_base
        .import_html_folder(&fixtures_dir().join("site"))
        .unwrap();
    assert_eq!(html.errors, []);
    let faq = knowledge_base
        .import_jsonl(&fixtures_dir().join("faq.jsonl"))
        .unwrap();
    assert_eq!(faq.errors, []);
    knowledge_base
}

pub fn page(url: &str, title: &str, text: &str) -> Page {
    Page {
        url: PageUrl::parse(url).unwrap(),
        title: title.to_owned(),
        text: text.to_owned(),
    }
}

pub fn urls(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.url.as_str()).collect()
}

/// Asserts that `question` puts `expected_url` first.
pub fn check_best(knowledge_base: &KnowledgeBase, question: &str, expected_url: &str) {
    let hits = knowledge_base.search(question, 5).unwrap();
    assert_eq!(
        hits.first().map(|hit| hit.url.as_str()),
        Some(expected_url),
        "question {question:?} ranked {:#?}",
        hits.iter()
            .map(|hit| (&hit.url, hit.score))
            .collect::<Vec<_>>()
    );
}
