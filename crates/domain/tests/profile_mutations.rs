//! Robustness of the profile parser: any preset with one line removed or one value garbled
//! parses or fails with located problems — never a panic, never a problem outside the text.
#![allow(clippy::unwrap_used)]

use domain::profile::Profile;
use proptest::prelude::*;

fn check_located(name: &str, text: &str) {
    if let Err(errors) = Profile::parse(name, text) {
        assert!(!errors.is_empty());
        let line_count = text.lines().count().max(1);
        for problem in errors.problems() {
            assert_eq!(problem.file, name);
            assert!(
                problem.line >= 1 && problem.line <= line_count + 1,
                "{problem}"
            );
            assert!(problem.column >= 1, "{problem}");
            assert!(!problem.message.is_empty() && !problem.message_fr.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn removing_any_line_of_a_preset_is_handled(preset in 0usize..5, line in 0usize..600) {
        let id = Profile::preset_ids()[preset];
        let text = Profile::preset_text(id).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let index = line % lines.len();
        let mutated: String = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        check_located("mutated.toml", &mutated);
    }

    #[test]
    fn garbling_any_quoted_value_is_handled(preset in 0usize..5, pick in 0usize..2000, garbage in "[a-z0-9:@ .{}-]{0,12}") {
        let id = Profile::preset_ids()[preset];
        let text = Profile::preset_text(id).unwrap();
        let quotes: Vec<usize> = text.match_indices("= \"").map(|(i, _)| i + 3).collect();
        let start = quotes[pick % quotes.len()];
        let end = start + text[start..].find('"').unwrap();
        let mutated = format!("{}{}{}", &text[..start], garbage, &text[end..]);
        check_located("garbled.toml", &mutated);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_located("random.toml", &text);
    }
}
