//! Indexing speed and query latency of the knowledge base on a generated corpus of 10 000
//! French pages, on disk as in production.
//!
//! The pages are built from the words of the test fixtures (Quebec government pages), drawn
//! with a skewed distribution so that, as in real text, a few words are very common and most
//! are rare. Each page has a 4–9 word title and 250–650 words of body, about the size of a
//! FAQ entry or a short information page.
//!
//! Run with `cargo bench -p search --bench knowledge_base`.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use search::{KnowledgeBase, Page, PageUrl};

const PAGE_COUNT: usize = 10_000;

/// A small deterministic generator (xorshift64*), so every run indexes the same corpus.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// An index skewed towards 0: word `i` is drawn about as often as 1/sqrt(i).
    fn skewed_below(&mut self, bound: usize) -> usize {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((unit * unit) * bound as f64) as usize
    }
}

fn fixture_vocabulary() -> Vec<String> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures");
    let mut text = String::new();
    let mut folders = vec![fixtures.join("site")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(html) = std::fs::read_to_string(&path) {
                text.push_str(&search::html::extract_page(&html).text);
                text.push('\n');
            }
        }
    }
    text.push_str(&std::fs::read_to_string(fixtures.join("faq.jsonl")).unwrap());
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .filter(|word| word.chars().count() > 1)
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    // Shuffle deterministically so the skew does not favour alphabetical order.
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for index in (1..words.len()).rev() {
        words.swap(index, random.below(index + 1));
    }
    words
}

fn generated_pages(count: usize) -> Vec<Page> {
    let vocabulary = fixture_vocabulary();
    let mut random = Random(0x0123_4567_89ab_cdef);
    let sentence = |random: &mut Random, length: usize| {
        (0..length)
            .map(|_| vocabulary[random.skewed_below(vocabulary.len())].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    (0..count)
        .map(|number| {
            let title_length = 4 + random.below(6);
            let body_length = 250 + random.below(401);
            let title = sentence(&mut random, title_length);
            let text = sentence(&mut random, body_length);
            Page {
                url: PageUrl::parse(&format!("https://www.exemple.gouv.qc.ca/pages/{number}"))
                    .unwrap(),
                title,
                text,
            }
        })
        .collect()
}

fn indexing(criterion: &mut Criterion) {
    let pages = generated_pages(PAGE_COUNT);
    let mut group = criterion.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PAGE_COUNT as u64));
    group.bench_function("10k_pages_on_disk", |bencher| {
        bencher.iter_batched(
            || (tempfile::tempdir().unwrap(), pages.clone()),
            |(dir, pages)| {
                let knowledge_base = KnowledgeBase::open(dir.path()).unwrap();
                let report = knowledge_base.add_pages(pages).unwrap();
                assert_eq!(report.indexed, PAGE_COUNT);
                dir
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn querying(criterion: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let knowledge_base = KnowledgeBase::open(dir.path()).unwrap();
    knowledge_base
        .add_pages(generated_pages(PAGE_COUNT))
        .unwrap();
    assert_eq!(knowledge_base.page_count(), PAGE_COUNT as u64);
    let questions = [
        ("short", "allocation logement"),
        (
            "question",
            "Comment m'inscrire au programme d'aide financière pour adapter mon logement?",
        ),
        (
            "long",
            "Bonjour, je suis propriétaire et je conteste l'évaluation foncière de ma maison : quelle est la date limite pour la demande de révision au rôle, et est-ce que les taxes municipales changent pendant le recours au Tribunal administratif?",
        ),
    ];
    let mut group = criterion.benchmark_group("search_10k_pages");
    for (name, question) in questions {
        assert!(!knowledge_base.search(question, 5).unwrap().is_empty());
        group.bench_function(name, |bencher| {
            bencher.iter(|| {
                knowledge_base
                    .search(black_box(question), black_box(5))
                    .unwrap()
            })
        });
    }
    group.bench_function("best_page", |bencher| {
        bencher.iter(|| {
            knowledge_base
                .best_page(black_box(questions[1].1), black_box(1.0))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, indexing, querying);
criterion_main!(benches);
