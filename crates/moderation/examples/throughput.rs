//! Comments per CPU second of the engine over the benchmark corpus, with every detector on:
//! the figure of `balise bench moderation` without building the whole binary, for quick
//! measurements while tuning. Thread CPU time (from `/proc/thread-self/schedstat`) rather
//! than wall-clock time, so that other work on a shared machine counts less.
//!
//! `cargo run --release -p moderation --example throughput [comments] [rounds]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use moderation::{Category, Engine, HideRule, History, Message, Policy, PolicyClause};

fn thread_cpu_time() -> Option<Duration> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

fn main() {
    let mut arguments = std::env::args().skip(1);
    let count: usize = arguments.next().and_then(|value| value.parse().ok()).unwrap_or(20_000);
    let rounds: usize = arguments.next().and_then(|value| value.parse().ok()).unwrap_or(6);
    let engine = Engine::new();
    let policy = Policy {
        clauses: Category::ALL
            .into_iter()
            .map(|category| PolicyClause { clause_id: category.id().to_owned(), category, wording: category.label_fr().to_owned() })
            .collect(),
        hide_rule: HideRule::OnlyWhenNothingRemains,
        repeat_window_seconds: 86_400,
        repeat_distinct_authors: 3,
        public_phone_numbers: vec!["18776444545".to_owned()],
    };
    let history = History::default();
    let messages: Vec<Message> = moderation::bench_corpus::realistic_comments(count)
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
    let mut per_cpu_second = Vec::new();
    for round in 0..rounds {
        let cpu_started = thread_cpu_time();
        let started = Instant::now();
        for message in &messages {
            black_box(engine.moderate(&policy, black_box(message), &history));
        }
        let wall = started.elapsed();
        let cpu = match (cpu_started, thread_cpu_time()) {
            (Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall,
        };
        if round > 0 {
            per_cpu_second.push(messages.len() as f64 / cpu.as_secs_f64());
        }
    }
    let mut latencies: Vec<Duration> = messages
        .iter()
        .map(|message| {
            let started = Instant::now();
            black_box(engine.moderate(&policy, black_box(message), &history));
            started.elapsed()
        })
        .collect();
    latencies.sort_unstable();
    per_cpu_second.sort_by(f64::total_cmp);
    let best = per_cpu_second.last().copied().unwrap_or(0.0);
    let median = per_cpu_second.get(per_cpu_second.len() / 2).copied().unwrap_or(0.0);
    let p99 = latencies.get(latencies.len() * 99 / 100).copied().unwrap_or(Duration::ZERO);
    println!("comments/CPU-s best {best:.0} median {median:.0}; p99 {:.1} µs", p99.as_secs_f64() * 1e6);
}
