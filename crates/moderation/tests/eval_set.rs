//! Holds the engine to the quality targets of issue 3 on the project's own labelled
//! Quebec-French sets (`testdata/eval/`): at least 95 % of breaches caught, at most 2 % of
//! acceptable comments flagged, every urgent case raised with its kind. On failure it prints
//! the table and every misclassified case, so the lexicons and rules can be tuned against
//! them. The sets are labelled blind to the engine; never relabel a case to make this pass.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use moderation::eval::{self, EvalCase, Evaluation, Fraction};
use moderation::{Category, Engine};

const MIN_BREACH_RECALL: f64 = 0.95;
const MAX_FALSE_POSITIVE_RATE: f64 = 0.02;
const MIN_URGENT_RECALL: f64 = 1.0;

fn load(file: &str) -> Vec<EvalCase> {
    let path = format!("{}/testdata/eval/{file}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let (cases, errors) = eval::parse_cases(&source);
    let listed: Vec<String> = errors
        .iter()
        .map(|error| format!("{path}: {error}"))
        .collect();
    assert!(errors.is_empty(), "malformed lines:\n{}", listed.join("\n"));
    cases
}

fn run_engine(cases: &[EvalCase]) -> Evaluation {
    let engine = Engine::new();
    let policy = eval::all_categories_policy();
    eval::evaluate(cases, |message, history| {
        engine.moderate(&policy, message, history)
    })
}

/// False alarms grouped by the kind of trap, the first thing to look at when tuning.
fn false_alarms_by_trap(evaluation: &Evaluation) -> String {
    let mut by_trap: BTreeMap<String, usize> = BTreeMap::new();
    for mistake in evaluation
        .mistakes
        .iter()
        .filter(|mistake| mistake.is_false_alarm())
    {
        let trap = mistake.trap.clone().unwrap_or_else(|| "(none)".to_owned());
        *by_trap.entry(trap).or_default() += 1;
    }
    by_trap
        .iter()
        .map(|(trap, count)| format!("  {trap}: {count}\n"))
        .collect()
}

fn check_targets(name: &str, evaluation: &Evaluation) {
    let scores = &evaluation.scores;
    let report = format!(
        "\n== {name} ==\n{}\nfalse alarms by trap:\n{}\nmisclassified (kind id [expected -> got] text):\n{}",
        scores.render_table(),
        false_alarms_by_trap(evaluation),
        evaluation.render_mistakes()
    );
    println!("{report}");
    let value = |fraction: Fraction| fraction.value().unwrap_or(1.0);
    let mut failures = Vec::new();
    if value(scores.breach_recall()) < MIN_BREACH_RECALL {
        failures.push(format!(
            "breach recall {:?} < {MIN_BREACH_RECALL}",
            scores.breach_recall()
        ));
    }
    let false_positive_rate = scores.false_positive_rate().value().unwrap_or(0.0);
    if false_positive_rate > MAX_FALSE_POSITIVE_RATE {
        failures.push(format!(
            "false-positive rate {:?} > {MAX_FALSE_POSITIVE_RATE}",
            scores.false_positive_rate()
        ));
    }
    if value(scores.urgent_recall()) < MIN_URGENT_RECALL {
        failures.push(format!(
            "urgent recall {:?} < {MIN_URGENT_RECALL}",
            scores.urgent_recall()
        ));
    }
    assert!(
        failures.is_empty(),
        "{name}: targets missed: {}{report}",
        failures.join("; ")
    );
}

#[test]
fn engine_meets_the_targets_on_the_quebec_set() {
    let cases = load("quebec.jsonl");
    check_targets("quebec.jsonl", &run_engine(&cases));
}

#[test]
fn engine_meets_the_targets_on_the_repeated_sequences() {
    let cases = load("repeated.jsonl");
    let evaluation = run_engine(&cases);
    check_targets("repeated.jsonl", &evaluation);
    let repeated = evaluation.scores.category(Category::Repeated);
    assert_eq!(
        (repeated.false_negatives, repeated.false_positives),
        (0, 0),
        "every later copy and only them must be `repeated`:\n{}",
        evaluation.render_mistakes()
    );
}

/// The set itself: the size, balance and coverage the issue asks for, so that it cannot
/// shrink or drift into an easier set unnoticed.
#[test]
fn the_quebec_set_covers_every_category_and_trap() {
    let cases = load("quebec.jsonl");
    assert!(cases.len() >= 400, "{} cases", cases.len());
    let ids: HashSet<&str> = cases.iter().map(|case| case.id.as_str()).collect();
    assert_eq!(ids.len(), cases.len(), "duplicate ids");
    let texts: HashSet<&str> = cases.iter().map(|case| case.text.as_str()).collect();
    assert_eq!(texts.len(), cases.len(), "duplicate texts");

    let acceptable = cases
        .iter()
        .filter(|case| case.expected.is_acceptable())
        .count();
    let share = acceptable as f64 / cases.len() as f64;
    assert!((0.40..=0.50).contains(&share), "acceptable share {share}");
    let traps = cases.iter().filter(|case| case.trap.is_some()).count();
    assert!(traps >= 120, "{traps} traps");
    for case in &cases {
        assert!(
            case.trap.is_none() || case.expected.is_acceptable(),
            "{}: a trap must be acceptable",
            case.id
        );
    }
    for category in Category::ALL
        .into_iter()
        .filter(|category| *category != Category::Repeated)
    {
        let count = cases
            .iter()
            .filter(|case| case.expected.categories.contains(&category))
            .count();
        assert!(count >= 5, "{category}: only {count} cases");
    }
    for trap in [
        "criticism",
        "minced_oath",
        "religious",
        "place_name",
        "figurative",
        "negation",
        "counter_speech",
        "number",
    ] {
        let count = cases
            .iter()
            .filter(|case| case.trap.as_deref() == Some(trap))
            .count();
        assert!(count >= 8, "trap {trap}: only {count} cases");
    }
    for kind in moderation::UrgentKind::ALL {
        let count = cases
            .iter()
            .filter(|case| case.expected.urgent == Some(kind))
            .count();
        assert!(count >= 10, "urgent {kind}: only {count} cases");
    }
}
