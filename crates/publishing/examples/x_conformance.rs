//! Runs every weighted-length case of twitter-text's conformance file
//! (`conformance/validate.yml`, Apache-2.0) against `publishing::parse_x` and prints how many
//! pass. The file is evaluation data kept outside the repository (`../shared/data`), so this
//! is an example CI runs when the file is present, not a unit test:
//!
//! ```text
//! cargo run -p publishing --example x_conformance [-- PATH/conformance_validate.yml]
//! ```
//!
//! Exit status 0 when every case passes, 1 when one fails, 2 when the file cannot be read.

use std::process::ExitCode;

use publishing::{X_WEIGHTING_V2, X_WEIGHTING_V3, XWeighting, parse_x};
use serde_norway::Value;

const DEFAULT_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/twitter-text/conformance_validate.yml"
);

/// The sections with weighted-length cases and the weighting each was written for: the first
/// predates emoji parsing (twitter-text's `config/v2.json`).
const SECTIONS: &[(&str, XWeighting)] = &[
    ("WeightedTweetsCounterTest", X_WEIGHTING_V2),
    (
        "WeightedTweetsWithDiscountedEmojiCounterTest",
        X_WEIGHTING_V3,
    ),
    ("UnicodeDirectionalMarkerCounterTest", X_WEIGHTING_V3),
];

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_PATH.to_owned());
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let document: Value = match serde_norway::from_str(&source) {
        Ok(document) => document,
        Err(error) => {
            eprintln!("{path}: not YAML: {error}");
            return ExitCode::from(2);
        }
    };
    let mut passed = 0;
    let mut failed = 0;
    for (section, weighting) in SECTIONS {
        let Some(cases) = document["tests"][*section].as_sequence() else {
            eprintln!("{path}: section {section} is missing");
            return ExitCode::from(2);
        };
        let mut section_passed = 0;
        for case in cases {
            let description = case["description"].as_str().unwrap_or("?");
            let text = case["text"].as_str().unwrap_or("");
            let expected = &case["expected"];
            let parse = parse_x(text, weighting);
            let checks: [(&str, Option<u64>, u64); 7] = [
                (
                    "weightedLength",
                    expected["weightedLength"].as_u64(),
                    parse.weighted_length as u64,
                ),
                (
                    "valid",
                    expected["valid"].as_bool().map(u64::from),
                    u64::from(parse.valid),
                ),
                (
                    "permillage",
                    expected["permillage"].as_u64(),
                    parse.permillage as u64,
                ),
                (
                    "displayRangeStart",
                    expected["displayRangeStart"].as_u64(),
                    0,
                ),
                (
                    "displayRangeEnd",
                    expected["displayRangeEnd"].as_u64(),
                    parse.display_range_end as u64,
                ),
                ("validRangeStart", expected["validRangeStart"].as_u64(), 0),
                (
                    "validRangeEnd",
                    expected["validRangeEnd"].as_u64(),
                    parse.valid_range_end as u64,
                ),
            ];
            // A case without an expected weighted length would pass vacuously: count it failed.
            let mut mismatches: Vec<String> = Vec::new();
            if expected["weightedLength"].as_u64().is_none()
                || expected["valid"].as_bool().is_none()
            {
                mismatches.push("the case gives no weightedLength or valid".to_owned());
            }
            mismatches.extend(checks.iter().filter_map(|(name, want, got)| {
                want.filter(|want| want != got)
                    .map(|want| format!("{name}: expected {want}, got {got}"))
            }));
            if mismatches.is_empty() {
                passed += 1;
                section_passed += 1;
            } else {
                failed += 1;
                println!("FAIL {section} / {description}: {}", mismatches.join("; "));
            }
        }
        println!("{section}: {section_passed}/{} passed", cases.len());
    }
    println!("total: {passed}/{} passed", passed + failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
