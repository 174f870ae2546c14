//! The five shipped presets parse with zero problems and say what their documents say.
#![allow(clippy::unwrap_used)]

use domain::business_time::Budget;
use domain::calendar::HolidayCalendar;
use domain::profile::{ContactKind, Permission, Profile, Role, RouteId, UsualProcessKind};
use jiff::SignedDuration;

fn preset(id: &str) -> Profile {
    let text = Profile::preset_text(id).unwrap();
    match Profile::parse(&format!("profiles/{id}.toml"), text) {
        Ok(profile) => profile,
        Err(errors) => panic!("preset {id} has problems:\n{errors}"),
    }
}

#[test]
fn every_preset_parses_with_zero_problems() {
    assert_eq!(
        Profile::preset_ids(),
        vec!["mtrav", "mess", "mamh", "baie-comeau", "opeq"]
    );
    for id in Profile::preset_ids() {
        let profile = preset(id);
        assert_eq!(profile.id(), id);
        assert!(Profile::preset(id).is_some());
        assert_eq!(profile.time_zone_name(), "America/Toronto");
    }
    assert!(Profile::preset("nope").is_none());
}

#[test]
fn mamh_first_return_is_fourteen_business_hours_in_three_stages() {
    let mamh = preset("mamh");
    assert_eq!(mamh.business_day_length(), SignedDuration::from_hours(7));
    let commitment = mamh.commitment("first_return").unwrap();
    assert_eq!(commitment.total, Budget::BusinessDays(2));
    assert_eq!(
        mamh.business_time_of(&commitment.total),
        Some(SignedDuration::from_hours(14))
    );
    let stages: Vec<(&str, Budget, Role)> = commitment
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.budget, s.carrier))
        .collect();
    assert_eq!(
        stages,
        vec![
            (
                "triage",
                Budget::Business(SignedDuration::from_mins(90)),
                Role::CommunityManager
            ),
            (
                "sector",
                Budget::Business(SignedDuration::from_mins(690)),
                Role::Respondent
            ),
            (
                "review",
                Budget::Business(SignedDuration::from_hours(1)),
                Role::CommunityManager
            ),
        ]
    );
    let sum: SignedDuration = commitment
        .stages
        .iter()
        .map(|s| mamh.business_time_of(&s.budget).unwrap())
        .fold(SignedDuration::ZERO, |a, b| a + b);
    assert_eq!(sum, SignedDuration::from_hours(14));
    assert!(commitment.source.as_str().contains("S2 §8.1"));
}

#[test]
fn mamh_hides_only_when_nothing_remains_and_knows_the_cic() {
    let mamh = preset("mamh");
    let policy = mamh.moderation_policy();
    assert_eq!(
        policy.hide_rule,
        moderation::HideRule::OnlyWhenNothingRemains
    );
    assert!(
        policy
            .public_phone_numbers
            .contains(&"18005694264".to_owned())
    );
    assert!(
        policy
            .public_phone_numbers
            .contains(&"4186912025".to_owned())
    );
    assert!(
        policy
            .public_phone_numbers
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_digit()))
    );
    let cic = mamh.contact(ContactKind::CriminalInformation).unwrap();
    assert_eq!(cic.phone.as_ref().unwrap().as_str(), "1 800 569-4264");
    assert_eq!(cic.email.as_ref().unwrap().as_str(), "cic@surete.qc.ca");
    let wrongdoing = mamh.contact(ContactKind::WrongdoingDisclosure).unwrap();
    assert_eq!(
        wrongdoing.organisation.as_deref(),
        Some("Commission municipale du Québec")
    );
    // Every category of S2 Annexe 7 is enabled.
    let mut categories: Vec<_> = policy.clauses.iter().map(|c| c.category).collect();
    categories.sort();
    categories.dedup();
    assert_eq!(categories.len(), 10);
    assert!(
        mamh.regional_directorates().iter().all(|d| d.demo),
        "the document lists none"
    );
}

#[test]
fn mamh_has_a_template_for_every_route_and_usual_process_kind() {
    let mamh = preset("mamh");
    for route in RouteId::ALL {
        assert!(
            mamh.template(*route, None).is_some() || *route == RouteId::UsualProcess,
            "{route}"
        );
    }
    for kind in UsualProcessKind::ALL {
        let template = mamh.template(RouteId::UsualProcess, Some(*kind)).unwrap();
        assert_eq!(template.kind, Some(*kind));
    }
    let hr = mamh
        .template(
            RouteId::UsualProcess,
            Some(UsualProcessKind::HumanResources),
        )
        .unwrap();
    let filled = mamh.fill_template(hr, &[("author", "Julie")].into_iter().collect());
    assert!(
        filled.contains("418 691-2025") && filled.contains("dotation@mamh.gouv.qc.ca"),
        "{filled}"
    );
    assert!(filled.starts_with("Bonjour Julie,"));
}

#[test]
fn mamh_roles_and_holidays() {
    let mamh = preset("mamh");
    assert!(mamh.may(Role::CommunityManager, Permission::Publish));
    assert!(!mamh.may(Role::Respondent, Permission::Publish));
    assert!(!mamh.may(Role::Director, Permission::Moderate));
    let default = HolidayCalendar::quebec_public_service();
    for year in 2000..2060 {
        assert_eq!(
            mamh.holidays().observed(year),
            default.observed(year),
            "{year}"
        );
    }
}

#[test]
fn mess_answers_within_one_business_day() {
    let mess = preset("mess");
    let commitment = &mess.commitments()[0];
    assert_eq!(commitment.stages.len(), 1);
    assert_eq!(commitment.stages[0].id, "response");
    assert_eq!(
        mess.business_time_of(&commitment.total),
        Some(SignedDuration::from_hours(7))
    );
    assert_eq!(
        mess.business_time_of(&commitment.stages[0].budget),
        Some(SignedDuration::from_hours(7))
    );
}

#[test]
fn employer_presets_carry_staff_obligations() {
    let opeq = preset("opeq");
    let staff = opeq.staff().unwrap();
    let form = staff.consent_form.as_ref().unwrap();
    let ids: Vec<&str> = form.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["read", "agree", "name", "date", "place", "signature"]
    );
    assert!(staff.sanctions.len() >= 5);
    assert!(
        staff
            .authorisations
            .iter()
            .any(|a| a.source.as_str().contains("S4 §3.4"))
    );

    let baie_comeau = preset("baie-comeau");
    let staff = baie_comeau.staff().unwrap();
    assert!(
        staff
            .sanctions
            .iter()
            .any(|s| s.source.as_str().contains("S3 §6"))
    );
    for section in ["S3 §4.2", "S3 §4.4", "S3 §5"] {
        assert!(
            staff
                .authorisations
                .iter()
                .any(|a| a.source.as_str().contains(section)),
            "{section}"
        );
    }
    let blog = baie_comeau.blog().unwrap();
    assert_eq!(
        (blog.min_words, blog.max_words, blog.update_every_days),
        (200, 500, 7)
    );
    assert!(blog.editorial_committee && blog.comments_filtered_before_publication);
}
