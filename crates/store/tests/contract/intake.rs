//! The intake tables on both backends: pending until processed, failures keep the message
//! pending, one case per message, every record audited in the chain.

use domain::audit::AuditVerification;
use domain::entities::MessageId;
use store::MessageInsertion;
use store::intake::{
    CaseIntake, DeadlineRecord, IncomingMessage, IntakeRecorded, IntakeResult, IntakeStatus,
    StageDeadline, SuggestionRecord, VerdictRecord,
};

use crate::contract_test;
use crate::helpers::*;

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

fn case_intake() -> CaseIntake {
    let at = |text: &str| text.parse::<jiff::Timestamp>().unwrap();
    CaseIntake {
        suggestion: SuggestionRecord {
            route: "usual_process:media".into(),
            route_family: "usual_process".into(),
            target_id: Some("media".into()),
            reasons_json: r#"[{"code":"usual_process","text_fr":"Demande des médias."}]"#.into(),
            alternatives_json: "[]".into(),
            reply_expected: true,
            suggested_page_json: None,
        },
        suggestion_rule: Some("R-22".into()),
        deadlines: Some(DeadlineRecord {
            commitment_id: "first_response".into(),
            clock_start: at("2026-03-02T14:05:06Z"),
            stages: vec![
                StageDeadline {
                    stage: "triage".into(),
                    starts: at("2026-03-02T14:05:06Z"),
                    planned_due: at("2026-03-02T15:35:06Z"),
                    ended_at: None,
                },
                StageDeadline {
                    stage: "review".into(),
                    starts: at("2026-03-02T15:35:06Z"),
                    planned_due: at("2026-03-02T16:35:06Z"),
                    ended_at: None,
                },
            ],
            first_response_due: at("2026-03-02T16:35:06Z"),
            committed_due: at("2026-03-02T16:35:06Z"),
        }),
    }
}

async fn intake_records_verdict_case_suggestion_and_deadlines_once(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let incoming = vec![
        IncomingMessage {
            message: message(&account, "m-1", "Quand ouvre le bureau?"),
            automatic: false,
        },
        IncomingMessage {
            message: message(&account, "m-2", "@mamh"),
            automatic: true,
        },
        IncomingMessage {
            message: message(&account, "m-3", "Texte qui échouera"),
            automatic: false,
        },
    ];
    let outcomes = store.insert_incoming(&system(), &incoming).await.unwrap();
    let ids: Vec<MessageId> = outcomes
        .iter()
        .map(|outcome| match outcome {
            MessageInsertion::New(id) => *id,
            MessageInsertion::AlreadyStored => panic!("all new"),
        })
        .collect();
    // The same batch again stores nothing.
    let again = store.insert_incoming(&system(), &incoming).await.unwrap();
    assert!(
        again
            .iter()
            .all(|outcome| *outcome == MessageInsertion::AlreadyStored)
    );
    assert_eq!(store.count_pending().await.unwrap(), 3);
    let pending = store.pending_messages(None, 10).await.unwrap();
    assert_eq!(pending.len(), 3);
    assert!(!pending[0].automatic);
    assert!(pending[1].automatic);

    let results = vec![
        IntakeResult::Processed {
            message_id: ids[0],
            verdict: verdict(),
            verdict_rule: None,
            case: Some(case_intake()),
        },
        IntakeResult::Processed {
            message_id: ids[1],
            verdict: verdict(),
            verdict_rule: None,
            case: None,
        },
        IntakeResult::Failed {
            message_id: ids[2],
            error: "profil introuvable".into(),
        },
    ];
    let recorded = store.record_intake(&system(), &results).await.unwrap();
    let IntakeRecorded::CaseOpened(case_id) = recorded[0] else {
        panic!("{recorded:?}")
    };
    assert_eq!(recorded[1], IntakeRecorded::NotACase);
    assert_eq!(recorded[2], IntakeRecorded::FailureRecorded);

    // Recording the same results again changes nothing for the processed ones.
    let again = store.record_intake(&system(), &results[..2]).await.unwrap();
    assert_eq!(
        again,
        vec![
            IntakeRecorded::AlreadyProcessed,
            IntakeRecorded::AlreadyProcessed
        ]
    );

    assert_eq!(
        store.intake_status(ids[0]).await.unwrap(),
        Some(IntakeStatus::Processed {
            case_id: Some(case_id)
        })
    );
    assert_eq!(
        store.intake_status(ids[1]).await.unwrap(),
        Some(IntakeStatus::Processed { case_id: None })
    );
    assert_eq!(
        store.intake_status(ids[2]).await.unwrap(),
        Some(IntakeStatus::Pending {
            failed_attempts: 1,
            last_error: Some("profil introuvable".into())
        })
    );
    let pending = store.pending_messages(None, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].message.id, ids[2]);
    assert_eq!(pending[0].failed_attempts, 1);

    assert_eq!(store.get_verdict(ids[0]).await.unwrap(), Some(verdict()));
    let stored = store.get_suggestion(case_id).await.unwrap().unwrap();
    assert_eq!(stored.suggestion, case_intake().suggestion);
    assert_eq!(stored.confirmation, None);
    assert_eq!(
        store.get_deadlines(case_id).await.unwrap(),
        case_intake().deadlines
    );
    assert_eq!(store.find_case_for_message(ids[1]).await.unwrap(), None);

    let confirmed = store
        .confirm_route(&system(), case_id, "respondent:habitation")
        .await
        .unwrap();
    assert_eq!(
        confirmed.confirmation.as_ref().unwrap().route,
        "respondent:habitation"
    );
    let case = store.get_case(case_id).await.unwrap().unwrap();
    assert_eq!(case.route.unwrap().as_str(), "respondent");
    let ended_at: jiff::Timestamp = "2026-03-02T15:00:00Z".parse().unwrap();
    let deadlines = store
        .record_stage_end(&system(), case_id, "triage", ended_at)
        .await
        .unwrap();
    assert_eq!(deadlines.stages[0].ended_at, Some(ended_at));

    let entries = store.audit_entries(0, 100).await.unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|entry| entry.event.action.as_str())
        .collect();
    for expected in [
        "messages_received",
        "verdict_recorded",
        "case_opened",
        "route_suggested",
        "deadlines_planned",
        "intake_not_a_case",
        "intake_failed",
        "route_changed",
        "stage_ended",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let suggested = entries
        .iter()
        .find(|entry| entry.event.action.as_str() == "route_suggested")
        .unwrap();
    assert_eq!(suggested.event.attribution.rule.as_deref(), Some("R-22"));
    let not_a_case = entries
        .iter()
        .find(|entry| entry.event.action.as_str() == "intake_not_a_case")
        .unwrap();
    assert_eq!(not_a_case.event.attribution.rule.as_deref(), Some("R-18"));
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
}
contract_test!(intake_records_verdict_case_suggestion_and_deadlines_once);

async fn history_is_the_accounts_earlier_messages_newest_first(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mess").await;
    let batch: Vec<IncomingMessage> = (0..5)
        .map(|index| IncomingMessage {
            message: message(&account, &format!("h-{index}"), &format!("texte {index}")),
            automatic: false,
        })
        .collect();
    let outcomes = store.insert_incoming(&system(), &batch).await.unwrap();
    let MessageInsertion::New(last) = outcomes[4] else {
        panic!("new")
    };
    let history = store
        .recent_messages_on_account(account.id, last, 3)
        .await
        .unwrap();
    let texts: Vec<&str> = history
        .iter()
        .map(|message| message.received.text.as_str())
        .collect();
    assert_eq!(texts, vec!["texte 3", "texte 2", "texte 1"]);
}
contract_test!(history_is_the_accounts_earlier_messages_newest_first);
