//! Prints every verdict (in full, `Debug`) of the evaluation sets, the benchmark corpus,
//! mutated copies of the evaluation texts and any extra text files given as arguments (one
//! message per line): run it before and after a change meant to make the engine faster,
//! and `diff` the two outputs to show that no verdict changed.
//!
//! `cargo run --release -p moderation --example verdict_dump [FILE…] > verdicts.txt`

use std::io::Write;

use moderation::eval::{all_categories_policy, parse_cases};
use moderation::{Engine, History, Message, PriorMessage};

const QUEBEC: &str = include_str!("../testdata/eval/quebec.jsonl");
const REPEATED: &str = include_str!("../testdata/eval/repeated.jsonl");

/// Characters that exercise the normaliser's and the detectors' special cases.
const INSERTED: &[&str] = &[
    " ", "-", ".", "@", "1", "0", "3", "4", "5", "$", "é", "É", "œ", "ß", "🙂", "«", "»", "\"", "'", "?", "!", "\u{301}", "ｉ",
    "а", "http://", "www.", ".com", "514", "418-555-", "\t", "\u{200b}", "  ", "xx", "aaaa", "CH", "K1A 0B1",
];

fn main() {
    let engine = Engine::new();
    let policy = all_categories_policy();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());

    // Evaluation sets in order, with a growing history, as `balise eval` runs them.
    for (name, source) in [("quebec", QUEBEC), ("repeated", REPEATED)] {
        let (cases, _) = parse_cases(source);
        let mut history = History::default();
        for case in &cases {
            let message = case.message();
            let verdict = engine.moderate(&policy, &message, &history);
            let _ = writeln!(out, "{name} {} {verdict:?}", case.id);
            history.messages.push(PriorMessage {
                author: message.author,
                account: message.account,
                text: message.text,
                created_at: message.created_at,
            });
        }
    }

    let no_history = History::default();
    let judge = |out: &mut dyn Write, label: &str, text: String| {
        let message = Message { id: String::new(), text, author: None, account: None, thread: None, created_at: None };
        let verdict = engine.moderate(&policy, &message, &no_history);
        let _ = writeln!(out, "{label} {verdict:?}");
    };

    for (index, text) in moderation::bench_corpus::realistic_comments(20_000).into_iter().enumerate() {
        judge(&mut out, &format!("bench {index}"), text);
    }

    // Mutations: deterministic insertions, deletions and case changes.
    let (cases, _) = parse_cases(QUEBEC);
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for case in &cases {
        for variant in 0..8 {
            let characters: Vec<char> = case.text.chars().collect();
            let mut text = String::new();
            for character in &characters {
                let roll = next() % 100;
                if roll < 3 {
                    text.push_str(INSERTED[(next() % INSERTED.len() as u64) as usize]);
                    text.push(*character);
                } else if roll < 5 {
                    continue;
                } else if roll < 8 {
                    text.extend(character.to_uppercase());
                } else {
                    text.push(*character);
                }
            }
            judge(&mut out, &format!("mutated {} {variant}", case.id), text);
        }
    }

    for path in std::env::args().skip(1) {
        let Ok(source) = std::fs::read_to_string(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        for (line_number, line) in source.lines().enumerate() {
            judge(&mut out, &format!("{path}:{}", line_number + 1), line.to_owned());
        }
    }
}
