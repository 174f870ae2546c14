//! `balise moderate`: the JSON Lines contract, order kept, malformed lines reported with their
//! number while the others are still processed, `repeated` judged against earlier lines.

use crate::helpers::{balise, stderr, stdout};
use serde_json::Value;

fn verdicts(output: &std::process::Output) -> Vec<Value> {
    stdout(output).lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn one_verdict_per_line_in_order_with_every_field() {
    let input = concat!(
        r#"{"id": "a", "text": "Merci pour l'information, c'est très clair."}"#, "\n",
        r#"{"id": "b", "text": "Mon numéro est le 514 555-0199, rappelez-moi svp."}"#, "\n",
        r#"{"id": "c", "text": "Je veux pu vivre, personne va s'ennuyer de moi."}"#, "\n",
    );
    let output = balise(&["moderate"], input);
    assert!(output.status.success(), "{}", stderr(&output));
    let verdicts = verdicts(&output);
    let ids: Vec<&str> = verdicts.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    for verdict in &verdicts {
        for field in ["action", "categories", "urgent", "clauses", "evidence", "language", "explanation"] {
            assert!(verdict.get(field).is_some(), "{field} missing in {verdict}");
        }
    }
    assert_eq!(verdicts[0]["action"], "publish");
    assert_eq!(verdicts[1]["categories"][0], "personal_info");
    let evidence = &verdicts[1]["evidence"][0];
    let text: Vec<char> = "Mon numéro est le 514 555-0199, rappelez-moi svp.".chars().collect();
    let start = evidence["start"].as_u64().unwrap() as usize;
    let end = evidence["end"].as_u64().unwrap() as usize;
    assert_eq!(text[start..end].iter().collect::<String>(), evidence["text"].as_str().unwrap());
    assert_eq!(verdicts[2]["urgent"], "self_harm");
    assert_eq!(verdicts[2]["action"], "review", "urgent is never hidden");
}

#[test]
fn a_malformed_line_is_reported_and_the_others_still_processed() {
    let input = concat!(
        r#"{"id": "1", "text": "Bonjour"}"#, "\n",
        "ceci n'est pas du JSON\n",
        r#"{"id": "3", "text": "Au revoir"}"#, "\n",
    );
    let output = balise(&["moderate"], input);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("ligne 2"), "{}", stderr(&output));
    let ids: Vec<String> = verdicts(&output).iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["1", "3"]);
}

#[test]
fn the_same_text_again_from_the_same_author_is_repeated() {
    let line = |id: &str, at: &str| {
        format!(r#"{{"id": "{id}", "text": "Quand allez-vous réparer le pont de la rue Principale?", "author": "u1", "account": "fb", "created_at": "{at}"}}"#)
    };
    let input = format!("{}\n{}\n", line("1", "2025-03-03T10:00:00-05:00"), line("2", "2025-03-03T10:05:00-05:00"));
    let output = balise(&["moderate", "--profile", "mamh"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let verdicts = verdicts(&output);
    assert_eq!(verdicts[0]["categories"].as_array().unwrap().len(), 0, "the first occurrence is not a breach");
    assert!(verdicts[1]["categories"].as_array().unwrap().iter().any(|c| c == "repeated"), "{}", verdicts[1]);
}
