//! Case actions on both backends: route change with its re-planning, moderation decisions
//! that never touch the message, warnings counted per author and account with the block
//! proposed at the threshold, replies that reach the outbox only once confirmed, proposed
//! answers and their review, the case's audit trail and the commitment report.

use domain::audit::{Actor, Attribution, AuditVerification, EntityKind};
use domain::entities::{Account, Case, CaseStatus, Login, OrganisationId};
use domain::profile::Profile;
use domain::respondents::{Designation, SectorId, UnitId};
use jiff::Timestamp;
use store::case_actions::{
    AnswerStatus, ModerationAction, ReplyStatus, ReviewDecision, RouteReplan,
};
use store::intake::{
    CaseIntake, DeadlineRecord, IntakeRecorded, IntakeResult, StageDeadline, SuggestionRecord,
    VerdictRecord,
};
use store::{MessageInsertion, Store, StoreError};

use crate::contract_test;
use crate::helpers::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn person(login: &str) -> Attribution {
    Attribution::by(Actor::User(Login::parse(login).unwrap()))
}

fn verdict() -> VerdictRecord {
    VerdictRecord {
        action: "publish".into(),
        categories: vec![],
        urgent: None,
        clauses: vec![],
        evidence_json: "[]".into(),
        language: "fr".into(),
        explanation: "Le message respecte la nétiquette.".into(),
        substance_remains: true,
        engine_version: "test".into(),
    }
}

/// MAMH's three stages, planned from a Monday morning in March 2026 (EST, UTC-5).
fn mamh_deadlines() -> DeadlineRecord {
    let stage = |stage: &str, starts: &str, due: &str| StageDeadline {
        stage: stage.into(),
        starts: at(starts),
        planned_due: at(due),
        ended_at: None,
    };
    DeadlineRecord {
        commitment_id: "first_return".into(),
        clock_start: at("2026-03-02T14:05:06Z"),
        stages: vec![
            stage("triage", "2026-03-02T14:05:06Z", "2026-03-02T15:35:06Z"),
            stage("sector", "2026-03-02T15:35:06Z", "2026-03-03T20:05:06Z"),
            stage("review", "2026-03-03T20:05:06Z", "2026-03-04T14:35:06Z"),
        ],
        first_response_due: at("2026-03-04T14:35:06Z"),
        committed_due: at("2026-03-04T14:35:06Z"),
    }
}

fn suggestion(route: &str) -> SuggestionRecord {
    let (family, target) = match route.split_once(':') {
        Some((family, target)) => (family.to_owned(), Some(target.to_owned())),
        None => (route.to_owned(), None),
    };
    SuggestionRecord {
        route: route.into(),
        route_family: family,
        target_id: target,
        reasons_json: r#"[{"code":"question_for_sector","text_fr":"Question pour un secteur."}]"#.into(),
        alternatives_json: "[]".into(),
        reply_expected: true,
        suggested_page_json: None,
    }
}

/// A message received, processed by the intake with this suggested route and MAMH's
/// deadlines: the case.
async fn triaged_case(store: &Store, account: &Account, external_id: &str, route: &str) -> Case {
    let outcomes = store
        .insert_messages(&system(), &[message(account, external_id, "Quand le programme ouvre-t-il?")])
        .await
        .unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!("{outcomes:?}") };
    let recorded = store
        .record_intake(
            &system(),
            &[IntakeResult::Processed {
                message_id,
                verdict: verdict(),
                verdict_rule: None,
                case: Some(CaseIntake {
                    suggestion: suggestion(route),
                    suggestion_rule: Some("R-28".into()),
                    deadlines: Some(mamh_deadlines()),
                }),
            }],
        )
        .await
        .unwrap();
    let IntakeRecorded::CaseOpened(case_id) = recorded[0] else { panic!("{recorded:?}") };
    store.get_case(case_id).await.unwrap().unwrap()
}

fn actions(entries: &[domain::audit::AuditEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.event.action.as_str()).collect()
}

async fn a_route_change_is_audited_and_replans_assignment_and_deadlines(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let respondent = store.add_user(&system(), &crate::user("mamh", "r.gagnon")).await.unwrap();
    store
        .designate_respondent(
            &system(),
            &Designation {
                organisation_id: OrganisationId::parse("mamh").unwrap(),
                unit: UnitId::parse("fiscalite").unwrap(),
                sector: SectorId::from_stored("dgfef").unwrap(),
                respondent: respondent.id,
                substitute: None,
            },
        )
        .await
        .unwrap();
    let case = triaged_case(store, &account, "m-1", "respondent").await;
    assert_eq!(case.route, None);

    // Confirming the suggestion as it is: `route_confirmed`, and triage is over.
    let confirmed = store.change_route(&person("c.manager"), case.id, "respondent", &RouteReplan::default()).await.unwrap();
    assert_eq!(confirmed.route.as_ref().map(|route| route.as_str()), Some("respondent"));
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    let triage_end = deadlines.stages[0].ended_at.expect("triage ended by the route decision");
    assert!(deadlines.stages[1].ended_at.is_none());

    // Changing it to a sector: the respondent takes the case, in the same transaction.
    let replan = RouteReplan {
        deadlines: None,
        unit: Some(UnitId::parse("fiscalite").unwrap()),
        at: Some(at("2026-03-02T16:00:00Z")),
    };
    let changed = store.change_route(&person("c.manager"), case.id, "respondent:dgfef", &replan).await.unwrap();
    assert_eq!(changed.assignee, Some(respondent.id));
    let stored = store.get_suggestion(case.id).await.unwrap().unwrap();
    assert_eq!(stored.confirmation.as_ref().unwrap().route, "respondent:dgfef");
    assert_eq!(stored.confirmation.as_ref().unwrap().by, "user:c.manager");
    // The triage stage keeps its first end.
    assert_eq!(store.get_deadlines(case.id).await.unwrap().unwrap().stages[0].ended_at, Some(triage_end));

    // Changing it to urgent with the urgent plan: the deadlines are replaced.
    let urgent_plan = DeadlineRecord {
        commitment_id: "urgent".into(),
        clock_start: at("2026-03-02T16:00:00Z"),
        stages: vec![StageDeadline {
            stage: "urgent".into(),
            starts: at("2026-03-02T16:00:00Z"),
            planned_due: at("2026-03-02T17:00:00Z"),
            ended_at: None,
        }],
        first_response_due: at("2026-03-02T17:00:00Z"),
        committed_due: at("2026-03-02T17:00:00Z"),
    };
    let replan = RouteReplan { deadlines: Some(urgent_plan.clone()), unit: None, at: None };
    let urgent = store.change_route(&person("c.manager"), case.id, "urgent", &replan).await.unwrap();
    assert_eq!(urgent.route.as_ref().map(|route| route.as_str()), Some("urgent"));
    assert_eq!(store.get_deadlines(case.id).await.unwrap().unwrap(), urgent_plan);

    let trail = store.case_audit(case.id).await.unwrap();
    let names = actions(&trail);
    for expected in ["verdict_recorded", "case_opened", "route_suggested", "deadlines_planned", "route_confirmed",
        "stage_ended", "route_changed", "case_assigned_to_unit", "deadlines_replanned"]
    {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let change = trail.iter().find(|entry| entry.event.action.as_str() == "route_changed").unwrap();
    assert!(change.event.before_json.as_deref().unwrap().contains(r#""route":"respondent""#), "{change:?}");
    assert!(change.event.after_json.as_deref().unwrap().contains(r#""route":"respondent:dgfef""#), "{change:?}");
    assert_eq!(change.event.attribution.actor.to_audit_text(), "user:c.manager");
    let replanned = trail.iter().find(|entry| entry.event.action.as_str() == "deadlines_replanned").unwrap();
    assert!(replanned.event.before_json.as_deref().unwrap().contains("first_return"));
    assert_eq!(replanned.event.attribution.rule.as_deref(), Some("commitment:urgent"));
    // Entries of other cases are not in this case's trail.
    let other = triaged_case(store, &account, "m-2", "positive").await;
    assert!(store.case_audit(other.id).await.unwrap().iter().all(|entry| !entry.event.action.as_str().starts_with("route_c")));
    assert!(matches!(
        store.change_route(&system(), domain::entities::CaseId::new(9_999), "urgent", &RouteReplan::default()).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: audit_count(store).await });
}
contract_test!(a_route_change_is_audited_and_replans_assignment_and_deadlines);

async fn moderation_decisions_go_to_the_outbox_and_never_edit_the_message(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let case = triaged_case(store, &account, "m-1", "netiquette").await;
    let before = store.get_message(case.message_id).await.unwrap().unwrap();

    let hidden = store
        .record_moderation_action(&person("c.manager"), case.id, ModerationAction::Hide, Some("mamh-a7-injurieux"))
        .await
        .unwrap();
    assert_eq!(hidden.action, ModerationAction::Hide);
    assert_eq!(hidden.clause.as_deref(), Some("mamh-a7-injurieux"));
    store.record_moderation_action(&person("c.manager"), case.id, ModerationAction::Unhide, None).await.unwrap();
    store.record_moderation_action(&person("c.manager"), case.id, ModerationAction::Delete, Some("mamh-a7-injurieux")).await.unwrap();

    assert_eq!(store.get_message(case.message_id).await.unwrap().unwrap(), before);
    let decisions = store.case_moderation_actions(case.id).await.unwrap();
    assert_eq!(
        decisions.iter().map(|decision| decision.action).collect::<Vec<_>>(),
        [ModerationAction::Hide, ModerationAction::Unhide, ModerationAction::Delete]
    );
    let outbox = store.outbox_items(&account.organisation_id, "pending").await.unwrap();
    assert_eq!(outbox.iter().map(|item| item.kind.as_str()).collect::<Vec<_>>(), ["hide", "unhide", "delete"]);
    assert_eq!(outbox[0].id, hidden.outbox_id);
    let payload: serde_json::Value = serde_json::from_str(&outbox[0].payload_json).unwrap();
    assert_eq!(payload["message_external_id"], "m-1");
    assert_eq!(payload["clause"], "mamh-a7-injurieux");
    assert!(store.outbox_items(&account.organisation_id, "sent").await.unwrap().is_empty());

    let trail = store.case_audit(case.id).await.unwrap();
    let hide_entry = trail.iter().find(|entry| entry.event.action.as_str() == "message_hide_decided").unwrap();
    assert_eq!(hide_entry.event.entity_kind, EntityKind::Message);
    assert_eq!(hide_entry.event.attribution.rule.as_deref(), Some("mamh-a7-injurieux"));
    let unhide_entry = trail.iter().find(|entry| entry.event.action.as_str() == "message_unhide_decided").unwrap();
    assert_eq!(unhide_entry.event.attribution.rule.as_deref(), Some("R-12"));
}
contract_test!(moderation_decisions_go_to_the_outbox_and_never_edit_the_message);

async fn warnings_count_per_author_and_account_and_a_block_is_proposed_then_confirmed(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    // Same external-id length: the same author (see `helpers::message`).
    let first = triaged_case(store, &account, "m-1", "netiquette").await;
    let second = triaged_case(store, &account, "m-2", "netiquette").await;
    let other_author = triaged_case(store, &account, "m-333", "netiquette").await;

    let outcome = store.warn_author(&person("c.manager"), first.id, Some("mamh-a7-injurieux"), Some("Dernier avertissement."), 2).await.unwrap();
    assert_eq!((outcome.warnings_on_account, outcome.block_proposed), (1, false));
    let elsewhere = store.warn_author(&person("c.manager"), other_author.id, None, None, 2).await.unwrap();
    assert_eq!((elsewhere.warnings_on_account, elsewhere.block_proposed), (1, false));
    let outcome = store.warn_author(&person("c.manager"), second.id, None, None, 2).await.unwrap();
    assert_eq!((outcome.warnings_on_account, outcome.block_proposed), (2, true));
    // Proposed, not done: nothing is blocked and nothing is in the outbox.
    assert!(store.outbox_items(&account.organisation_id, "pending").await.unwrap().is_empty());
    let message = store.get_message(first.message_id).await.unwrap().unwrap();
    let network = message.received.network.as_str().to_owned();
    let author = message.received.author.external_id.as_str().to_owned();
    let history = store.author_history(&account.organisation_id, &network, &author).await.unwrap();
    assert_eq!((history.warnings, history.blocked), (2, false));
    assert_eq!(history.cases.iter().map(|case| case.case_id).collect::<Vec<_>>(), [first.id, second.id]);
    assert_eq!(history.cases[0].route.as_deref(), Some("netiquette"));

    let block = store.block_author(&person("c.manager"), second.id, "Propos injurieux répétés").await.unwrap();
    assert_eq!(block.author_external_id, author);
    assert_eq!(block.account_id, account.id);
    let outbox = store.outbox_items(&account.organisation_id, "pending").await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].kind.as_str(), outbox[0].id), ("block", block.outbox_id));
    assert!(store.author_history(&account.organisation_id, &network, &author).await.unwrap().blocked);
    assert!(matches!(
        store.block_author(&person("c.manager"), first.id, "encore").await,
        Err(StoreError::AlreadyExists { .. })
    ));
    // Once blocked, more warnings propose nothing.
    let after = store.warn_author(&person("c.manager"), first.id, None, None, 2).await.unwrap();
    assert_eq!((after.warnings_on_account, after.block_proposed), (3, false));
    let trail = store.case_audit(second.id).await.unwrap();
    assert!(actions(&trail).contains(&"author_warned"));
    assert!(actions(&trail).contains(&"author_blocked"));
}
contract_test!(warnings_count_per_author_and_account_and_a_block_is_proposed_then_confirmed);

async fn a_reply_reaches_the_outbox_only_once_confirmed_and_ends_the_stages(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let case = triaged_case(store, &account, "m-1", "respondent").await;

    // The respondent proposes; the communications team asks for changes, then approves.
    let answer = store.propose_answer(&person("r.gagnon"), case.id, "Le programme ouvre le 1er avril.").await.unwrap();
    assert_eq!(answer.status, AnswerStatus::Proposed);
    assert_eq!(store.get_case(case.id).await.unwrap().unwrap().status, CaseStatus::InProgress);
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert!(deadlines.stages[1].ended_at.is_some(), "the sector stage ends with the proposed answer");
    assert!(deadlines.stages[2].ended_at.is_none());
    let sent_back = store
        .review_answer(&person("c.manager"), answer.id, ReviewDecision::RequestChanges, Some("Ajoutez le lien."))
        .await
        .unwrap();
    assert_eq!(sent_back.status, AnswerStatus::ChangesRequested);
    assert_eq!(sent_back.review_comment.as_deref(), Some("Ajoutez le lien."));
    assert!(store.case_replies(case.id).await.unwrap().is_empty());
    assert!(matches!(
        store.review_answer(&person("c.manager"), answer.id, ReviewDecision::Approve, None).await,
        Err(StoreError::InvalidRequest(_))
    ));
    let second = store.propose_answer(&person("r.gagnon"), case.id, "Le programme ouvre le 1er avril : https://www.mamh.gouv.qc.ca").await.unwrap();
    let approved = store.review_answer(&person("c.manager"), second.id, ReviewDecision::Approve, None).await.unwrap();
    assert_eq!(approved.status, AnswerStatus::Approved);
    let replies = store.case_replies(case.id).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!((replies[0].status, replies[0].answer_id), (ReplyStatus::Draft, Some(second.id)));
    assert_eq!(replies[0].text, second.text);
    assert_eq!(store.case_answers(case.id).await.unwrap().len(), 2);

    // Drafts (approved or prepared by hand) are not in the outbox.
    let draft = store.prepare_reply(&person("c.manager"), case.id, "Bonjour Jeanne, merci!").await.unwrap();
    assert!(store.outbox_items(&account.organisation_id, "pending").await.unwrap().is_empty());
    let edited = store.edit_reply(&person("c.manager"), draft.id, "Bonjour Jeanne, le programme ouvre le 1er avril.").await.unwrap();
    assert_eq!(edited.text, "Bonjour Jeanne, le programme ouvre le 1er avril.");
    assert!(matches!(store.prepare_reply(&person("c.manager"), case.id, "  ").await, Err(StoreError::InvalidRequest(_))));

    let confirmed = store.confirm_reply(&person("c.manager"), edited.id).await.unwrap();
    assert_eq!(confirmed.status, ReplyStatus::Confirmed);
    assert_eq!(confirmed.confirmed_by.as_deref(), Some("user:c.manager"));
    let outbox = store.outbox_items(&account.organisation_id, "pending").await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].kind.as_str(), Some(outbox[0].id)), ("reply", confirmed.outbox_id));
    let payload: serde_json::Value = serde_json::from_str(&outbox[0].payload_json).unwrap();
    assert_eq!(payload["text"], "Bonjour Jeanne, le programme ouvre le 1er avril.");
    assert_eq!(payload["in_reply_to_external_id"], "m-1");
    assert_eq!(store.get_case(case.id).await.unwrap().unwrap().status, CaseStatus::Answered);
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert!(deadlines.stages.iter().all(|stage| stage.ended_at.is_some()), "{deadlines:?}");
    assert!(matches!(store.confirm_reply(&person("c.manager"), edited.id).await, Err(StoreError::InvalidRequest(_))));
    assert!(matches!(store.edit_reply(&person("c.manager"), edited.id, "autre").await, Err(StoreError::InvalidRequest(_))));

    let names = actions(&store.case_audit(case.id).await.unwrap()).join(",");
    for expected in ["answer_proposed", "answer_changes_requested", "answer_approved", "reply_prepared", "reply_edited",
        "reply_confirmed", "case_status_set"]
    {
        assert!(names.contains(expected), "{expected} missing from {names}");
    }
}
contract_test!(a_reply_reaches_the_outbox_only_once_confirmed_and_ends_the_stages);

async fn the_commitment_report_counts_lateness_per_sector_stage_and_week(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let on_time = triaged_case(store, &account, "m-1", "respondent").await;
    let late = triaged_case(store, &account, "m-22", "respondent").await;
    let open = triaged_case(store, &account, "m-333", "respondent").await;
    // Triage due Monday 2026-03-02 10:35:06 EST: one ends at 10:00, one the next morning at
    // 9:00 (lateness: 10:35:06–12:00 and 13:00–16:30 Monday, 8:30–9:00 Tuesday = 5:24:54).
    store.record_stage_end(&system(), on_time.id, "triage", at("2026-03-02T15:00:00Z")).await.unwrap();
    store.record_stage_end(&system(), late.id, "triage", at("2026-03-03T14:00:00Z")).await.unwrap();
    let _ = open;
    let profile = Profile::preset("mamh").unwrap();
    let calendar = domain::deadlines::business_calendar(&profile, Vec::new()).unwrap();
    let rows = store.commitment_report(&account.organisation_id, &calendar, None, None).await.unwrap();
    let triage = rows.iter().find(|row| row.stage == "triage").unwrap();
    assert_eq!(triage.sector, None);
    assert_eq!(triage.week, "2026-W10");
    assert_eq!((triage.cases, triage.on_time, triage.late, triage.open_overdue), (3, 1, 1, 1));
    assert_eq!(triage.median_lateness_business_seconds, Some(5 * 3600 + 24 * 60 + 54));
    let review = rows.iter().find(|row| row.stage == "review").unwrap();
    assert_eq!((review.cases, review.on_time, review.late, review.open_overdue), (3, 0, 0, 3));
    assert_eq!(review.median_lateness_business_seconds, None);
    // Stages come in sector, stage, week order, one row each.
    assert_eq!(rows.len(), 3);
    // The window is on the clock start: a week later, nothing.
    let none = store
        .commitment_report(&account.organisation_id, &calendar, Some(at("2026-03-09T00:00:00Z")), None)
        .await
        .unwrap();
    assert!(none.is_empty());
    let within = store
        .commitment_report(&account.organisation_id, &calendar, Some(at("2026-03-02T00:00:00Z")), Some(at("2026-03-03T00:00:00Z")))
        .await
        .unwrap();
    assert_eq!(within.len(), 3);
}
contract_test!(the_commitment_report_counts_lateness_per_sector_stage_and_week);
