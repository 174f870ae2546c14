//! Shared helpers for the moderation integration tests.
#![allow(dead_code)]

use moderation::{Category, HideRule, Message, Policy, PolicyClause};

/// A policy enabling every category, with clause ids `test-<category>`.
pub fn policy_with_every_category(hide_rule: HideRule) -> Policy {
    Policy {
        clauses: Category::ALL
            .into_iter()
            .map(|category| PolicyClause {
                clause_id: format!("test-{}", category.id()),
                category,
                wording: category.label_fr().to_owned(),
            })
            .collect(),
        hide_rule,
        repeat_window_seconds: 3600,
        repeat_distinct_authors: 3,
        public_phone_numbers: vec!["18005694264".to_owned()],
    }
}

pub fn message(text: &str) -> Message {
    Message {
        id: "m1".to_owned(),
        text: text.to_owned(),
        author: Some("auteur".to_owned()),
        account: Some("compte".to_owned()),
        thread: None,
        created_at: Some(1_700_000_000),
    }
}
