//! Prints the verdict of each line of standard input under a policy enabling every
//! category: a tool for tuning the lexicons by hand.

use std::io::BufRead;

use moderation::{Category, Engine, HideRule, History, Message, Policy, PolicyClause};

fn main() {
    let engine = Engine::new();
    let policy = Policy {
        clauses: Category::ALL
            .into_iter()
            .map(|category| PolicyClause { clause_id: category.id().to_owned(), category, wording: category.label_fr().to_owned() })
            .collect(),
        hide_rule: HideRule::OnlyWhenNothingRemains,
        repeat_window_seconds: 3600,
        repeat_distinct_authors: 3,
        public_phone_numbers: Vec::new(),
    };
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let message = Message { id: String::new(), text: line.clone(), author: None, account: None, thread: None, created_at: None };
        let normalized = moderation::normalize::normalize(&line);
        let verdict = engine.moderate(&policy, &message, &History::default());
        println!("{line}\n  norm: {}\n  {:?} {:?} {:?} {:?}", normalized.text, verdict.action, verdict.categories, verdict.urgent, verdict.evidence.iter().map(|e| &e.matched).collect::<Vec<_>>());
    }
}
