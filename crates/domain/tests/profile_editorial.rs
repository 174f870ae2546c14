//! The `[editorial]` section: MAMH reproduces S2 Annexe 4's table, and each new problem is
//! reported with its code, line and key path.
#![allow(clippy::unwrap_used)]

use domain::profile::{ContentType, Network, ProblemCode, Profile, ProfileProblem, Role, StepKind};

const BASE: &str = r#"[identity]
id = "demo"
name = "Organisme de démonstration"
abbreviation = "OD"
kind = "ministry"
languages = ["fr"]

[source]
code = "S9"
title = "Politique de démonstration"

[business_hours]
monday = [{ start = "08:30", end = "16:30" }]

[[roles]]
role = "community_manager"
label = "Gestionnaire de communauté"
permissions = ["draft_publication", "publish"]
source = "S9 §1"

[[roles]]
role = "communications_manager"
label = "Gestionnaire des communications"
permissions = ["validate_publication"]
source = "S9 §1"

[editorial]
source = "S9 §2"

[[editorial.chains]]
content_type = "regular"
label = "Publication"
source = "S9 §2"

[[editorial.chains.steps]]
id = "drafting"
kind = "drafting"
label = "Rédaction"
carriers = ["community_manager"]
source = "S9 §2"

[[editorial.chains.steps]]
id = "validation"
kind = "validation"
label = "Validation"
carriers = ["communications_manager"]
source = "S9 §2"

[[editorial.chains.steps]]
id = "publication"
kind = "publication"
label = "Diffusion"
carriers = ["community_manager"]
source = "S9 §2"
"#;

fn problems(text: &str) -> Vec<ProfileProblem> {
    match Profile::parse("demo.toml", text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.problems().to_vec(),
    }
}

fn edit(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` must occur once");
    BASE.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

#[test]
fn the_base_editorial_section_is_valid() {
    let profile = Profile::parse("demo.toml", BASE).unwrap();
    let rules = profile.editorial().unwrap();
    assert_eq!(rules.suggestion_max_characters, 3000, "default one page");
    assert_eq!(rules.suggestion_max_words, 500);
    assert_eq!(rules.live_video_min_criteria, 6, "majority of ten");
    // A type without its own chain falls back to the regular chain.
    assert_eq!(rules.chain(ContentType::Infographic).content_type, ContentType::Regular);
}

#[test]
fn mamh_reproduces_annexe_4() {
    let profile = Profile::preset("mamh").unwrap();
    let rules = profile.editorial().unwrap();
    let regular = rules.chain(ContentType::Regular);
    let kinds: Vec<StepKind> = regular.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, StepKind::ALL);
    let suggestion = regular.step("suggestion").unwrap();
    assert_eq!(
        suggestion.carriers,
        vec![Role::CommunicationsAdvisor, Role::Respondent, Role::Staff, Role::CommunityManager]
    );
    let drafting = regular.step("drafting").unwrap();
    assert_eq!(drafting.carriers, vec![Role::CommunityManager]);
    assert!(drafting.collaborators.contains(&Role::CommunicationsAdvisor));
    let approval = regular.step("approval").unwrap();
    assert_eq!(approval.carriers, vec![Role::SectorManager]);
    assert_eq!(approval.collaborators, vec![Role::Respondent]);
    assert_eq!(regular.step("validation").unwrap().carriers, vec![Role::CommunicationsManager]);
    assert_eq!(regular.step("publication").unwrap().carriers, vec![Role::CommunityManager]);
    assert!(regular.steps.iter().all(|s| s.source.as_str().contains("Annexe 4")));

    let infographic = rules.chain(ContentType::Infographic);
    let ids: Vec<&str> = infographic.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["drafting", "approval_communications", "approval_sector", "validation_scg", "publication"]
    );
    let scg = infographic.step("validation_scg").unwrap();
    assert!(scg.external_validator.as_deref().unwrap().contains("SCG"));
    assert!(scg.skipped_when_already_validated);

    let planned = rules.chain(ContentType::PlannedActivities);
    assert_eq!(planned.step("approval").unwrap().carriers, vec![Role::SectorManager]);
    assert_eq!(planned.step("validation").unwrap().carriers, vec![Role::CommunicationsManager]);
    assert_eq!(rules.chain(ContentType::HumanResourcesLinkedin).content_type, ContentType::HumanResourcesLinkedin);
    assert!(rules.chain(ContentType::HumanResourcesLinkedin).note.is_some());
    let press = rules.chain(ContentType::PressRelease);
    assert_eq!(press.steps.len(), 2, "no further approval (R-52)");
    assert!(rules.tone_for(Network::X).unwrap().tone.contains("succinct"));
    assert!(rules.utm.is_some());
}

#[test]
fn every_preset_has_a_regular_chain_ending_with_the_communications_team() {
    for id in Profile::preset_ids() {
        let profile = Profile::preset(id).unwrap();
        let chain = profile.editorial().unwrap().chain(ContentType::Regular);
        let last = chain.steps.last().unwrap();
        assert_eq!(last.kind, StepKind::Publication, "{id}");
        for role in &last.carriers {
            assert!(profile.may(*role, domain::profile::Permission::Publish), "{id}: {role}");
        }
    }
}

#[test]
fn a_step_out_of_order_is_located() {
    // Drafting turned into a publication: validation then comes after publication.
    let text = edit("id = \"drafting\"\nkind = \"drafting\"", "id = \"drafting\"\nkind = \"publication\"");
    let found = problems(&text);
    let problem = found.iter().find(|p| p.code == ProblemCode::StepOutOfOrder).unwrap();
    assert_eq!(problem.key_path, "editorial.chains[0].steps[1].kind");
    assert_eq!(problem.line, line_of(&text, "kind = \"validation\""));
}

#[test]
fn a_chain_must_end_with_publication() {
    let text = edit("kind = \"publication\"", "kind = \"drafting\"");
    let found = problems(&text);
    assert!(found.iter().any(|p| p.code == ProblemCode::StepOutOfOrder
        && p.key_path == "editorial.chains[0].steps[2].kind"), "{found:#?}");
}

#[test]
fn a_carrier_without_the_step_permission_is_refused() {
    // R-42: only a role that may publish carries the publication.
    let text = edit(
        "label = \"Diffusion\"\ncarriers = [\"community_manager\"]",
        "label = \"Diffusion\"\ncarriers = [\"communications_manager\"]",
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, ProblemCode::RoleLacksPermission);
    assert_eq!(found[0].key_path, "editorial.chains[0].steps[2].carriers[0]");
    let third_carriers = text.lines().enumerate().filter(|(_, l)| l.starts_with("carriers")).nth(2).unwrap().0 + 1;
    assert_eq!(found[0].line, third_carriers);
}

#[test]
fn an_undeclared_role_in_a_chain_is_refused() {
    let text = edit(
        "label = \"Validation\"\ncarriers = [\"communications_manager\"]",
        "label = \"Validation\"\ncarriers = [\"sector_manager\"]",
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, ProblemCode::UnknownRole);
    assert_eq!(found[0].key_path, "editorial.chains[0].steps[1].carriers[0]");
}

#[test]
fn a_regular_chain_is_required_and_unknown_keys_are_reported() {
    let text = edit("content_type = \"regular\"", "content_type = \"infographic\"");
    let found = problems(&text);
    assert!(found.iter().any(|p| p.code == ProblemCode::MissingKey && p.key_path == "editorial.chains"), "{found:#?}");
    let text = edit("source = \"S9 §2\"\n\n[[editorial.chains]]", "source = \"S9 §2\"\ntypo = 1\n\n[[editorial.chains]]");
    let found = problems(&text);
    assert!(found.iter().any(|p| p.code == ProblemCode::UnknownKey && p.key_path == "editorial.typo"), "{found:#?}");
}

#[test]
fn utm_placeholders_are_checked() {
    let text = format!(
        "{BASE}\n[editorial.utm]\nutm_source = \"{{network}}\"\nutm_medium = \"social\"\nutm_campaign = \"{{campagne}}\"\nsource = \"S9 §3\"\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, ProblemCode::UnknownPlaceholder);
    assert_eq!(found[0].key_path, "editorial.utm.utm_campaign");
}
