//! Speed of the whole engine (every detector on) over the realistic corpus of
//! `moderation::bench_corpus`: time per comment, and the cost of building the engine.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use moderation::{Category, Engine, HideRule, History, Message, Policy, PolicyClause};

fn every_category_policy() -> Policy {
    Policy {
        clauses: Category::ALL
            .into_iter()
            .map(|category| PolicyClause {
                clause_id: format!("bench-{}", category.id()),
                category,
                wording: category.label_fr().to_owned(),
            })
            .collect(),
        hide_rule: HideRule::OnlyWhenNothingRemains,
        repeat_window_seconds: 86_400,
        repeat_distinct_authors: 3,
        public_phone_numbers: vec!["18776444545".to_owned()],
    }
}

fn bench_engine(criterion: &mut Criterion) {
    let engine = Engine::new();
    let policy = every_category_policy();
    let history = History::default();
    let messages: Vec<Message> = moderation::bench_corpus::realistic_comments(1000)
        .into_iter()
        .enumerate()
        .map(|(index, text)| Message {
            id: index.to_string(),
            text,
            author: Some(format!("auteur-{}", index % 97)),
            account: Some("facebook".to_owned()),
            thread: None,
            created_at: Some(1_700_000_000 + index as i64),
        })
        .collect();

    let mut group = criterion.benchmark_group("engine");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("moderate_1000_realistic_comments", |bencher| {
        bencher.iter(|| {
            for message in &messages {
                black_box(engine.moderate(&policy, black_box(message), &history));
            }
        })
    });
    group.finish();

    let mut build = criterion.benchmark_group("engine_build");
    build.sample_size(10);
    build.bench_function("engine_new", |bencher| bencher.iter(|| black_box(Engine::new())));
    build.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
