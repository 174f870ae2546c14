//! Robustness of the normaliser and the engine: no panic on any input (control chars,
//! combining marks, emoji, mixed scripts, huge texts), evidence offsets always on the
//! original text's characters with `matched` equal to that substring, and linear cost.
#![allow(clippy::unwrap_used)]

mod common;

use common::{message, policy_with_every_category};
use moderation::normalize::normalize;
use moderation::{Category, HideRule, History, PriorMessage, moderate};
use proptest::prelude::*;

fn check_evidence(text: &str) {
    let policy = policy_with_every_category(HideRule::OnlyWhenNothingRemains);
    let history = History {
        messages: vec![PriorMessage {
            author: Some("auteur".to_owned()),
            account: Some("compte".to_owned()),
            text: text.to_owned(),
            created_at: Some(1_699_999_990),
        }],
    };
    let verdict = moderate(&policy, &message(text), &history);
    let char_count = text.chars().count();
    for evidence in &verdict.evidence {
        assert!(evidence.start < evidence.end && evidence.end <= char_count, "{evidence:?} in {text:?}");
        let expected: String = text.chars().skip(evidence.start).take(evidence.end - evidence.start).collect();
        assert_eq!(evidence.matched, expected, "in {text:?}");
    }
    assert!(verdict.categories.contains(&Category::Repeated) || text.trim().is_empty() || normalize(text).text.is_empty());
}

/// Characters people and attackers actually use: letters with accents, look-alikes,
/// combining marks, zero-width and control characters, emoji, digits and punctuation.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range('a', 'z'),
        proptest::char::range('A', 'Z'),
        Just(' '),
        Just(' '),
        Just('.'),
        Just('-'),
        Just('\''),
        Just('«'),
        Just('"'),
        Just('*'),
        Just('@'),
        Just('$'),
        proptest::char::range('0', '9'),
        proptest::sample::select(vec!['é', 'è', 'â', 'Ç', 'œ', 'Æ', 'ß', 'ı', 'İ', 'ﬁ']),
        proptest::sample::select(vec!['а', 'е', 'о', 'с', 'р', 'ѕ', 'б', 'α', 'ο', 'ｆ', 'Ｔ', '𝐚', 'ⓐ']),
        proptest::sample::select(vec!['\u{0301}', '\u{0308}', '\u{200B}', '\u{FEFF}', '\u{00AD}', '\u{0000}', '\u{0007}', '\n', '\t', '\u{202E}']),
        proptest::sample::select(vec!['😀', '🔥', '中', 'ع', '\u{10FFFF}', '\u{E000}']),
        any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn moderate_never_panics_and_evidence_is_exact(chars in proptest::collection::vec(tricky_char(), 0..300)) {
        let text: String = chars.into_iter().collect();
        check_evidence(&text);
    }

    #[test]
    fn moderate_handles_arbitrary_strings(text in any::<String>()) {
        check_evidence(&text);
    }

    #[test]
    fn obfuscated_sacres_keep_exact_evidence(
        prefix in "[a-zé ,.!?]{0,40}",
        separator in prop_oneof![Just(""), Just(" "), Just("."), Just("-")],
        suffix in "[a-zé ,.!?]{0,40}",
    ) {
        let word: Vec<String> = "tabarnak".chars().map(String::from).collect();
        let text = format!("{prefix} {} {suffix}", word.join(separator));
        check_evidence(&text);
    }

    #[test]
    fn normalizer_maps_every_byte_inside_the_original(text in any::<String>()) {
        let normalized = normalize(&text);
        let char_count = text.chars().count();
        prop_assert_eq!(normalized.origin_start.len(), normalized.text.len());
        prop_assert_eq!(normalized.origin_end.len(), normalized.text.len());
        prop_assert!(normalized.text.is_ascii());
        for (start, end) in normalized.origin_start.iter().zip(&normalized.origin_end) {
            prop_assert!((*start as usize) <= (*end as usize) && (*end as usize) <= char_count);
        }
    }
}

/// A one-megabyte comment goes through in a single linear pass. Cost is checked by
/// counting work, not by timing: the normalised text and its maps stay proportional to
/// the input, and the verdict still finds the words at the far end.
#[test]
fn one_megabyte_comment_is_handled_linearly() {
    let sentence = "Bonjour, je voudrais savoir quand mon dossier sera traité, merci. ";
    let repeats = 1_048_576 / sentence.len();
    let mut text = sentence.repeat(repeats);
    text.push_str("Tabarnak.");
    let normalized = normalize(&text);
    assert!(normalized.text.len() <= text.len());
    assert_eq!(normalized.origin_start.len(), normalized.text.len());

    let policy = policy_with_every_category(HideRule::OnlyWhenNothingRemains);
    let verdict = moderate(&policy, &message(&text), &History::default());
    assert_eq!(verdict.categories, vec![Category::Abusive]);
    let last = verdict.evidence.last().unwrap();
    assert_eq!(last.matched, "Tabarnak");
    assert_eq!(last.end, text.chars().count() - 1);

    // Many hits across a megabyte: evidence mapping must not rescan the text per hit.
    let dense = "esti ".repeat(200_000);
    let verdict = moderate(&policy, &message(&dense), &History::default());
    assert_eq!(verdict.evidence.len(), 200_000);
}
