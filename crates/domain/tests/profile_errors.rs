//! One test per kind of profile problem: each asserts the code, the exact line and the key
//! path reported, and that every problem of a file is reported, not just the first.
#![allow(clippy::unwrap_used)]

use domain::profile::{ProblemCode, Profile, ProfileProblem};

const BASE: &str = r#"time_zone = "America/Toronto"

[identity]
id = "demo"
name = "Organisme de démonstration"
abbreviation = "OD"
kind = "ministry"
languages = ["fr"]

[source]
code = "S9"
title = "Politique de démonstration"

[business_hours]
monday = [{ start = "08:30", end = "12:00" }, { start = "13:00", end = "16:30" }]

[[roles]]
role = "community_manager"
label = "Gestionnaire de communauté"
permissions = ["moderate", "reply"]
source = "S9 §1"

[[roles]]
role = "respondent"
label = "Répondant sectoriel"
permissions = ["supply_answer"]
source = "S9 §1"

[[commitments]]
id = "first_return"
label = "Premier retour"
total = "2 business days"
source = "S9 §2"

[[commitments.stages]]
id = "triage"
label = "Tri"
budget = "1h30"
carrier = "community_manager"
source = "S9 §2"

[netiquette]
source = "S9 §3"

[[netiquette.clauses]]
id = "demo-injures"
category = "abusive"
wording = "propos injurieux"
source = "S9 §3"

[[contacts]]
id = "cic"
kind = "criminal_information"
label = "Centrale d'information criminelle"
phone = "1 800 569-4264"
email = "cic@surete.qc.ca"
source = "S9 §4"

[[templates]]
route = "positive"
text = "Merci {author}!"
source = "S9 §5"
"#;

/// The 1-based line of the `occurrence`-th line containing `needle`.
fn line_of(text: &str, needle: &str, occurrence: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .nth(occurrence)
        .map(|(index, _)| index + 1)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"))
}

fn problems(text: &str) -> Vec<ProfileProblem> {
    match Profile::parse("demo.toml", text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.problems().to_vec(),
    }
}

/// Replaces exactly one occurrence of `from`.
fn edit(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "`{from}` must occur once in BASE"
    );
    BASE.replacen(from, to, 1)
}

fn only(problems: &[ProfileProblem], code: ProblemCode) -> &ProfileProblem {
    let matching: Vec<&ProfileProblem> = problems.iter().filter(|p| p.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one {code}, got {problems:#?}");
    matching[0]
}

#[test]
fn the_base_profile_is_valid() {
    let profile = Profile::parse("demo.toml", BASE).unwrap();
    assert_eq!(profile.id(), "demo");
    assert_eq!(
        profile.holidays().observed(2025).len(),
        13,
        "holidays default to the public service's"
    );
}

#[test]
fn toml_syntax_error_is_located() {
    let text = edit(
        r#"name = "Organisme de démonstration""#,
        r#"name = "Organisme de démonstration"#,
    );
    let found = problems(&text);
    let problem = &found[0];
    assert_eq!(problem.code, ProblemCode::TomlSyntax);
    assert_eq!(problem.line, line_of(&text, "name = ", 0));
    assert_eq!(problem.code.id(), "toml_syntax");
}

#[test]
fn unknown_keys_are_reported_everywhere_at_once() {
    let text = edit(
        "languages = [\"fr\"]",
        "languages = [\"fr\"]\nnmae = \"typo\"",
    )
    .replacen("time_zone = ", "colour = \"bleu\"\ntime_zone = ", 1)
    .replacen(
        r#"{ start = "13:00", end = "16:30" }"#,
        r#"{ start = "13:00", end = "16:30", lunch = true }"#,
        1,
    );
    let found = problems(&text);
    let unknown: Vec<(&str, usize)> = found
        .iter()
        .filter(|p| p.code == ProblemCode::UnknownKey)
        .map(|p| (p.key_path.as_str(), p.line))
        .collect();
    assert_eq!(
        unknown,
        vec![
            ("colour", 1),
            ("identity.nmae", line_of(&text, "nmae", 0)),
            ("business_hours.monday[1].lunch", line_of(&text, "lunch", 0)),
        ]
    );
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn missing_required_key_points_at_its_table() {
    let text = edit("abbreviation = \"OD\"\n", "");
    let problem = only(&problems(&text), ProblemCode::MissingKey).clone();
    assert_eq!(problem.key_path, "identity.abbreviation");
    assert_eq!(problem.line, line_of(&text, "[identity]", 0));
    assert!(problem.message_fr.contains("abbreviation"));
}

#[test]
fn wrong_type_is_reported_with_what_was_expected() {
    let text = edit("languages = [\"fr\"]", "languages = \"fr\"");
    let problem = only(&problems(&text), ProblemCode::WrongType).clone();
    assert_eq!(problem.key_path, "identity.languages");
    assert_eq!(problem.line, line_of(&text, "languages", 0));
    assert!(
        problem.message.contains("expected an array"),
        "{}",
        problem.message
    );
}

#[test]
fn bad_time_names_the_window_key() {
    let text = edit(r#"end = "16:30""#, r#"end = "25:00""#);
    let problem = only(&problems(&text), ProblemCode::BadTime).clone();
    assert_eq!(problem.key_path, "business_hours.monday[1].end");
    assert_eq!(problem.line, line_of(&text, "monday", 0));
    let column_of_value = text
        .lines()
        .nth(problem.line - 1)
        .unwrap()
        .find("\"25:00\"")
        .unwrap()
        + 1;
    assert_eq!(problem.column, column_of_value);
}

#[test]
fn window_ending_before_it_starts_is_empty() {
    let text = edit(
        r#"{ start = "08:30", end = "12:00" }"#,
        r#"{ start = "12:00", end = "08:30" }"#,
    );
    let problem = only(&problems(&text), ProblemCode::EmptyWindow).clone();
    assert_eq!(problem.key_path, "business_hours.monday[0]");
    assert_eq!(problem.line, line_of(&text, "monday", 0));
}

#[test]
fn overlapping_windows_name_the_later_one() {
    let text = edit(
        r#"{ start = "13:00", end = "16:30" }"#,
        r#"{ start = "11:00", end = "16:30" }"#,
    );
    let problem = only(&problems(&text), ProblemCode::OverlappingWindows).clone();
    assert_eq!(problem.key_path, "business_hours.monday[1]");
    assert_eq!(problem.line, line_of(&text, "monday", 0));
    assert!(
        problem.message.contains("11:00–16:30") && problem.message.contains("08:30–12:00"),
        "{}",
        problem.message
    );
}

#[test]
fn unknown_category_is_refused() {
    let text = edit(r#"category = "abusive""#, r#"category = "swearing""#);
    let problem = only(&problems(&text), ProblemCode::UnknownCategory).clone();
    assert_eq!(problem.key_path, "netiquette.clauses[0].category");
    assert_eq!(problem.line, line_of(&text, "swearing", 0));
}

#[test]
fn duplicate_clause_id_points_at_the_second() {
    let clause = "[[netiquette.clauses]]\nid = \"demo-injures\"\ncategory = \"abusive\"\nwording = \"propos injurieux\"\nsource = \"S9 §3\"\n";
    let text = format!("{BASE}\n{clause}");
    let problem = only(&problems(&text), ProblemCode::DuplicateId).clone();
    assert_eq!(problem.key_path, "netiquette.clauses[1].id");
    assert_eq!(problem.line, line_of(&text, "id = \"demo-injures\"", 1));
}

#[test]
fn unknown_role_in_a_stage_carrier() {
    let text = edit(
        r#"carrier = "community_manager""#,
        r#"carrier = "webmaster""#,
    );
    let problem = only(&problems(&text), ProblemCode::UnknownRole).clone();
    assert_eq!(problem.key_path, "commitments[0].stages[0].carrier");
    assert_eq!(problem.line, line_of(&text, "webmaster", 0));
}

#[test]
fn carrier_must_be_a_declared_role() {
    let text = edit(
        r#"carrier = "community_manager""#,
        r#"carrier = "press_attache""#,
    );
    let problem = only(&problems(&text), ProblemCode::UnknownRole).clone();
    assert_eq!(problem.key_path, "commitments[0].stages[0].carrier");
    assert!(problem.message.contains("not declared"));
}

#[test]
fn unknown_permission_in_a_role() {
    let text = edit(
        r#"permissions = ["moderate", "reply"]"#,
        r#"permissions = ["moderate", "fly"]"#,
    );
    let problem = only(&problems(&text), ProblemCode::UnknownPermission).clone();
    assert_eq!(problem.key_path, "roles[0].permissions[1]");
    assert_eq!(problem.line, line_of(&text, "\"fly\"", 0));
}

#[test]
fn stage_budgets_must_fit_the_commitment() {
    let extra = "\n[[commitments.stages]]\nid = \"sector\"\nlabel = \"Secteur\"\nbudget = \"13h\"\ncarrier = \"respondent\"\nsource = \"S9 §2\"\n";
    let text = edit(
        "budget = \"1h30\"\ncarrier = \"community_manager\"\nsource = \"S9 §2\"\n",
        &format!("budget = \"1h30\"\ncarrier = \"community_manager\"\nsource = \"S9 §2\"\n{extra}"),
    );
    let problem = only(&problems(&text), ProblemCode::BudgetDoesNotFit).clone();
    assert_eq!(problem.key_path, "commitments[0].total");
    assert_eq!(problem.line, line_of(&text, "total = ", 0));
    assert!(
        problem.message.contains("14h30") && problem.message.contains("14h"),
        "{}",
        problem.message
    );
}

#[test]
fn clock_and_business_budgets_do_not_mix() {
    let text = edit(r#"budget = "1h30""#, r#"budget = "24h clock""#);
    let problem = only(&problems(&text), ProblemCode::BudgetKindsMismatch).clone();
    assert_eq!(problem.key_path, "commitments[0].stages[0].budget");
    assert_eq!(problem.line, line_of(&text, "24h clock", 0));
}

#[test]
fn bad_budget_is_refused() {
    let text = edit(r#"total = "2 business days""#, r#"total = "2 fortnights""#);
    let problem = only(&problems(&text), ProblemCode::BadBudget).clone();
    assert_eq!(problem.key_path, "commitments[0].total");
    assert_eq!(problem.line, line_of(&text, "fortnights", 0));
}

#[test]
fn unknown_time_zone_is_refused() {
    let text = edit(
        r#"time_zone = "America/Toronto""#,
        r#"time_zone = "Mars/Olympus""#,
    );
    let problem = only(&problems(&text), ProblemCode::UnknownTimeZone).clone();
    assert_eq!(
        (problem.key_path.as_str(), problem.line, problem.column),
        ("time_zone", 1, 13)
    );
}

#[test]
fn invalid_email_and_phone_in_contacts() {
    let text = edit(
        r#"email = "cic@surete.qc.ca""#,
        r#"email = "cic-at-surete""#,
    )
    .replacen("1 800 569-4264", "555-12", 1);
    let found = problems(&text);
    let email = only(&found, ProblemCode::BadEmail);
    assert_eq!(email.key_path, "contacts[0].email");
    assert_eq!(email.line, line_of(&text, "cic-at-surete", 0));
    let phone = only(&found, ProblemCode::BadPhone);
    assert_eq!(phone.key_path, "contacts[0].phone");
    assert_eq!(phone.line, line_of(&text, "555-12", 0));
}

#[test]
fn clause_without_source_is_reported() {
    let text = edit(
        "wording = \"propos injurieux\"\nsource = \"S9 §3\"\n",
        "wording = \"propos injurieux\"\n",
    );
    let problem = only(&problems(&text), ProblemCode::MissingSource).clone();
    assert_eq!(problem.key_path, "netiquette.clauses[0].source");
    assert_eq!(problem.line, line_of(&text, "[[netiquette.clauses]]", 0));
}

#[test]
fn unknown_template_placeholder_is_reported() {
    let text = edit("Merci {author}!", "Merci {auteur}!");
    let problem = only(&problems(&text), ProblemCode::UnknownPlaceholder).clone();
    assert_eq!(problem.key_path, "templates[0].text");
    assert_eq!(problem.line, line_of(&text, "{auteur}", 0));
}

#[test]
fn holiday_rule_for_a_day_that_does_not_exist() {
    let text = format!(
        "{BASE}\n[holidays]\nsource = \"S9 §6\"\n\n[[holidays.rules]]\nname = \"Trente et un avril\"\nkind = \"fixed\"\nmonth = 4\nday = 31\n"
    );
    let problem = only(&problems(&text), ProblemCode::BadHolidayRule).clone();
    assert_eq!(problem.key_path, "holidays.rules[0]");
    assert_eq!(problem.line, line_of(&text, "[[holidays.rules]]", 0));
}

#[test]
fn problems_print_as_file_line_column_key_message() {
    let text = edit(r#"end = "16:30""#, r#"end = "25:00""#);
    let errors = Profile::parse("demo.toml", &text).unwrap_err();
    let line = errors.to_string();
    let expected_prefix = format!("demo.toml:{}:", line_of(&text, "monday", 0));
    assert!(line.starts_with(&expected_prefix), "{line}");
    assert!(line.contains(": business_hours.monday[1].end: "), "{line}");
}

#[test]
fn a_director_cannot_be_given_write_permissions() {
    let text = format!(
        "{BASE}\n[[roles]]\nrole = \"director\"\nlabel = \"Direction\"\npermissions = [\"read_cases\", \"publish\"]\nsource = \"S9 §1\"\n"
    );
    let problem = only(&problems(&text), ProblemCode::BadValue).clone();
    assert_eq!(problem.key_path, "roles[2].permissions");
    assert_eq!(problem.line, line_of(&text, "\"publish\"", 0));
}

#[test]
fn per_year_override_replaces_the_computed_list() {
    let text = format!(
        "{BASE}\n[holidays]\nbase = \"quebec_public_service\"\nsource = \"S9 §6\"\n\n[[holidays.overrides]]\nyear = 2030\nholidays = [{{ date = 2030-03-04, name = \"Congé spécial\" }}]\nsource = \"S9 §6\"\n"
    );
    let profile = Profile::parse("demo.toml", &text).unwrap();
    let observed = profile.holidays().observed(2030);
    assert_eq!(observed.len(), 1);
    assert_eq!(observed[0].date, jiff::civil::date(2030, 3, 4));
    assert_eq!(profile.holidays().observed(2031).len(), 13);
}

#[test]
fn resolve_reads_a_file_or_a_preset_and_reports_a_missing_one() {
    let path = std::env::temp_dir().join(format!("balise-profile-{}.toml", std::process::id()));
    std::fs::write(&path, BASE).unwrap();
    let from_file = Profile::resolve(path.to_str().unwrap()).unwrap();
    assert_eq!(from_file.id(), "demo");
    std::fs::write(
        &path,
        BASE.replacen("kind = \"ministry\"", "kind = \"agency\"", 1),
    )
    .unwrap();
    match Profile::resolve(path.to_str().unwrap()) {
        Err(domain::profile::ProfileLoadError::Invalid(errors)) => {
            assert_eq!(errors.problems()[0].key_path, "identity.kind");
            assert_eq!(errors.problems()[0].file, path.to_str().unwrap());
        }
        other => panic!("expected an invalid profile, got {other:?}"),
    }
    std::fs::remove_file(&path).unwrap();
    assert_eq!(Profile::resolve("mamh").unwrap().id(), "mamh");
    assert!(matches!(
        Profile::resolve("/no/such/profile.toml"),
        Err(domain::profile::ProfileLoadError::NotFound { .. })
    ));
}
