//! `balise profile` and `balise calendar`: presets accepted, broken profiles rejected with
//! file, line and key, holidays as JSON Lines.

use crate::helpers::{balise, stderr, stdout};

#[test]
fn every_preset_checks_clean() {
    for preset in ["mtrav", "mess", "mamh", "baie-comeau", "opeq"] {
        let path = format!("{}/../../profiles/{preset}.toml", env!("CARGO_MANIFEST_DIR"));
        let output = balise(&["profile", "check", &path], "");
        assert!(output.status.success(), "{preset}: {}{}", stdout(&output), stderr(&output));
    }
}

#[test]
fn a_broken_profile_is_rejected_with_file_line_and_key() {
    let preset = std::fs::read_to_string(format!("{}/../../profiles/mess.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // An unknown key on a line of its own, right after the first table header.
    let mut lines: Vec<&str> = preset.lines().collect();
    let header = lines.iter().position(|line| line.trim_start().starts_with('[')).unwrap();
    lines.insert(header + 1, "couleur_preferee = \"bleu\"");
    let broken = lines.join("\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    let output = balise(&["profile", "check", path.to_str().unwrap()], "");
    assert_eq!(output.status.code(), Some(1));
    let report = format!("{}{}", stdout(&output), stderr(&output));
    let expected_location = format!("broken.toml:{}:", header + 2);
    assert!(report.contains(&expected_location), "{report}");
    assert!(report.contains("couleur_preferee"), "{report}");
}

#[test]
fn list_and_show_name_the_presets() {
    let listed = stdout(&balise(&["profile", "list"], ""));
    for preset in ["mtrav", "mess", "mamh", "baie-comeau", "opeq"] {
        assert!(listed.contains(preset), "{listed}");
    }
    let shown = balise(&["profile", "show", "mamh", "--json"], "");
    assert!(shown.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert!(json.to_string().contains("Ministère des Affaires municipales"));
}

#[test]
fn calendar_prints_the_observed_holidays_as_json_lines() {
    let output = balise(&["calendar", "--profile", "mamh", "--year", "2011"], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let dates: Vec<String> = stdout(&output)
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(value["name"].as_str().is_some_and(|name| !name.is_empty()));
            value["date"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(dates.len(), 13);
    for expected in ["2011-12-23", "2011-12-26", "2011-12-27", "2011-12-30"] {
        assert!(dates.iter().any(|date| date == expected), "{expected} not in {dates:?}");
    }
    let next = stdout(&balise(&["calendar", "--profile", "mamh", "--year", "2012"], ""));
    assert!(next.contains("\"2012-01-02\"") && next.contains("\"2012-01-03\""), "{next}");
}
