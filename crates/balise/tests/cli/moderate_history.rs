//! `balise moderate` feeds the earlier lines of the same input to the engine as history:
//! the same author posting the same text again is `repeated`, in JSON Lines and in CSV, even
//! with a malformed line in between; another author's copy of a short text is not.

use crate::helpers::{balise, stderr, stdout};
use serde_json::Value;

fn categories(output: &std::process::Output) -> Vec<Vec<String>> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|verdict| verdict["categories"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect())
        .collect()
}

#[test]
fn a_second_copy_in_the_same_csv_file_is_repeated_but_not_another_authors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messages.csv");
    std::fs::write(
        &path,
        concat!(
            "id,text,author,account,created_at\n",
            "1,Le déneigement de la rue des Érables est encore oublié cette semaine.,marie,fb,2025-01-10T09:00:00-05:00\n",
            "2,Merci!,luc,fb,2025-01-10T09:01:00-05:00\n",
            "3,Merci!,paul,fb,2025-01-10T09:02:00-05:00\n",
            "4,Le déneigement de la rue des Érables est encore oublié cette semaine.,marie,fb,2025-01-10T09:30:00-05:00\n",
        ),
    )
    .unwrap();
    let output = balise(&["moderate", "--input", path.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let categories = categories(&output);
    assert_eq!(categories.len(), 4);
    assert!(categories[0].is_empty(), "the first occurrence is not a breach: {:?}", categories[0]);
    assert!(categories[2].is_empty(), "another author's short thanks is not repeated: {:?}", categories[2]);
    assert_eq!(categories[3], ["repeated"]);
}

#[test]
fn a_malformed_line_between_two_copies_does_not_break_the_history() {
    let line = |id: &str| {
        format!(r#"{{"id": "{id}", "text": "Pourquoi le parc Saint-Roch est-il encore fermé au public?", "author": "u7", "account": "ig"}}"#)
    };
    let input = format!("{}\npas du JSON\n{}\n", line("a"), line("b"));
    let output = balise(&["moderate"], &input);
    assert!(!output.status.success(), "a malformed line makes the exit code non-zero");
    assert!(stderr(&output).contains("ligne 2"), "{}", stderr(&output));
    let categories = categories(&output);
    assert_eq!(categories.len(), 2);
    assert!(categories[0].is_empty());
    assert_eq!(categories[1], ["repeated"]);
}
