//! Contract tests for respondents, substitutes, absences, vigilance periods and the record of
//! notifications sent, on both backends.

use domain::audit::{Actor, Attribution, EntityKind};
use domain::entities::{CaseStatus, OrganisationId, User, UserId};
use domain::respondents::{Designation, Period, SectorId, UnitId};
use jiff::Timestamp;
use store::respondents::{NotificationKind, SentNotification};
use store::{MessageInsertion, Store, StoreError};

use crate::contract_test;
use crate::helpers::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn mamh() -> OrganisationId {
    OrganisationId::parse("mamh").unwrap()
}

fn unit(id: &str) -> UnitId {
    UnitId::parse(id).unwrap()
}

fn designation(unit_id: &str, respondent: &User, substitute: Option<&User>) -> Designation {
    Designation {
        organisation_id: mamh(),
        unit: unit(unit_id),
        sector: SectorId::from_stored("amenagement").unwrap(),
        respondent: respondent.id,
        substitute: substitute.map(|user| user.id),
    }
}

struct Fixture {
    respondent: User,
    substitute: User,
    other: User,
    account: domain::entities::Account,
}

async fn fixture(store: &Store) -> Fixture {
    let account = organisation_with_account(store, "mamh").await;
    let respondent = store.add_user(&system(), &crate::user("mamh", "r.gagnon")).await.unwrap();
    let substitute = store.add_user(&system(), &crate::user("mamh", "s.roy")).await.unwrap();
    let other = store.add_user(&system(), &crate::user("mamh", "a.cote")).await.unwrap();
    Fixture { respondent, substitute, other, account }
}

async fn open_case(store: &Store, account: &domain::entities::Account, external_id: &str) -> domain::entities::Case {
    let outcomes = store.insert_messages(&system(), &[message(account, external_id, "Où en est mon permis?")]).await.unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!("{outcomes:?}") };
    store.open_case(&system(), message_id).await.unwrap()
}

async fn one_respondent_per_unit_and_changes_are_audited(db: TestDb) {
    let store = &db.store;
    let people = fixture(store).await;
    let first = designation("urbanisme", &people.respondent, Some(&people.substitute));
    store.designate_respondent(&system(), &first).await.unwrap();
    let before = audit_count(store).await;
    let error = store
        .designate_respondent(&system(), &designation("urbanisme", &people.other, None))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { entity: EntityKind::Other, .. }), "{error:?}");
    assert_eq!(audit_count(store).await, before, "a refused designation leaves no entry");

    // Respondent and substitute must be two people.
    let error = store
        .designate_respondent(&system(), &designation("voirie", &people.other, Some(&people.other)))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::InvalidValue { .. }), "{error:?}");

    let changed = store
        .change_designation(&system(), &mamh(), &unit("urbanisme"), Some(people.other.id), Some(None))
        .await
        .unwrap();
    assert_eq!((changed.respondent, changed.substitute), (people.other.id, None));
    let listed = store.list_respondents(&mamh()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].respondent_login, people.other.login);
    assert_eq!(listed[0].substitute_login, None);

    let entries = store.audit_entries(0, 100).await.unwrap();
    let designated = entries.iter().find(|entry| entry.event.action.as_str() == "respondent_designated").unwrap();
    assert_eq!(designated.event.attribution.rule.as_deref(), Some("R-40"));
    assert_eq!(designated.event.entity_id, "unit:mamh/urbanisme");
    let change = entries.iter().find(|entry| entry.event.action.as_str() == "designation_changed").unwrap();
    assert!(change.event.before_json.as_deref().unwrap().contains(&format!("\"respondent_user_id\":{}", people.respondent.id.get())));
}
contract_test!(one_respondent_per_unit_and_changes_are_audited);

async fn a_case_follows_the_absence_to_the_substitute_and_back(db: TestDb) {
    let store = &db.store;
    let people = fixture(store).await;
    store
        .designate_respondent(&system(), &designation("urbanisme", &people.respondent, Some(&people.substitute)))
        .await
        .unwrap();
    let case = open_case(store, &people.account, "c1").await;
    let absence = store
        .record_absence(
            &system(),
            &mamh(),
            people.respondent.id,
            Period::new(at("2026-07-06T12:00:00Z"), at("2026-07-10T12:00:00Z")).unwrap(),
            "Vacances",
        )
        .await
        .unwrap();

    // Routed before the absence: the respondent.
    let assigned = store.assign_case_to_unit(&system(), case.id, &unit("urbanisme"), at("2026-07-06T10:00:00Z")).await.unwrap();
    assert_eq!(assigned.unwrap().user_id, people.respondent.id);
    assert_eq!(store.reassign_for_absences(&system(), &mamh(), at("2026-07-06T11:00:00Z")).await.unwrap(), vec![]);

    // The absence starts: to the substitute, once.
    let moved = store.reassign_for_absences(&system(), &mamh(), at("2026-07-07T10:00:00Z")).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!((moved[0].from, moved[0].to), (Some(people.respondent.id), people.substitute.id));
    assert_eq!(store.get_case(case.id).await.unwrap().unwrap().assignee, Some(people.substitute.id));
    assert!(store.reassign_for_absences(&system(), &mamh(), at("2026-07-07T11:00:00Z")).await.unwrap().is_empty());

    // It ends: back to the respondent.
    let back = store.reassign_for_absences(&system(), &mamh(), at("2026-07-10T12:00:00Z")).await.unwrap();
    assert_eq!((back[0].from, back[0].to), (Some(people.substitute.id), people.respondent.id));
    let history: Vec<UserId> = store.list_assignments(case.id).await.unwrap().iter().map(|a| a.user_id).collect();
    assert_eq!(history, vec![people.respondent.id, people.substitute.id, people.respondent.id]);

    // A closed case stays where it is; a cancelled absence no longer counts.
    store.set_case_status(&system(), case.id, CaseStatus::Closed).await.unwrap();
    assert!(store.reassign_for_absences(&system(), &mamh(), at("2026-07-08T10:00:00Z")).await.unwrap().is_empty());
    store.cancel_absence(&system(), &mamh(), absence.id).await.unwrap();
    assert!(store.list_absences(&mamh()).await.unwrap().is_empty());
    let error = store.cancel_absence(&system(), &mamh(), absence.id).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");

    let entries = store.audit_entries(0, 200).await.unwrap();
    let transfers: Vec<_> = entries
        .iter()
        .filter(|entry| matches!(entry.event.action.as_str(), "case_assigned_to_unit" | "case_transferred"))
        .collect();
    assert_eq!(transfers.len(), 3);
    assert!(transfers.iter().all(|entry| entry.event.attribution.rule.as_deref() == Some("R-41")));
    assert!(transfers[1].event.after_json.as_deref().unwrap().contains(&format!("\"to_user_id\":{}", people.substitute.id.get())));
    assert!(matches!(store.verify_audit_chain().await.unwrap(), domain::audit::AuditVerification::Intact { .. }));
}
contract_test!(a_case_follows_the_absence_to_the_substitute_and_back);

async fn a_unit_without_anyone_available_leaves_the_case_unassigned(db: TestDb) {
    let store = &db.store;
    let people = fixture(store).await;
    store.designate_respondent(&system(), &designation("voirie", &people.respondent, None)).await.unwrap();
    store
        .record_absence(&system(), &mamh(), people.respondent.id, Period::new(at("2026-07-06T00:00:00Z"), at("2026-07-07T00:00:00Z")).unwrap(), "Maladie")
        .await
        .unwrap();
    let case = open_case(store, &people.account, "c2").await;
    assert_eq!(store.assign_case_to_unit(&system(), case.id, &unit("voirie"), at("2026-07-06T10:00:00Z")).await.unwrap(), None);
    assert_eq!(store.get_case(case.id).await.unwrap().unwrap().assignee, None);
    let error = store.assign_case_to_unit(&system(), case.id, &unit("inconnue"), at("2026-07-06T10:00:00Z")).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");
    // When the absence ends the routine hands it to the respondent.
    let moved = store.reassign_for_absences(&system(), &mamh(), at("2026-07-07T09:00:00Z")).await.unwrap();
    assert_eq!((moved.len(), moved[0].from, moved[0].to), (1, None, people.respondent.id));
    let listed = store.cases_for_deadlines(&mamh()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].unit, Some(unit("voirie")));
    assert_eq!(listed[0].sector.as_ref().map(SectorId::as_str), Some("amenagement"));
    assert_eq!(listed[0].text, "Où en est mon permis?");
}
contract_test!(a_unit_without_anyone_available_leaves_the_case_unassigned);

async fn one_vigilance_period_runs_at_a_time(db: TestDb) {
    let store = &db.store;
    fixture(store).await;
    let by = Attribution::by(Actor::system("test").unwrap());
    let started = store.start_vigilance(&by, &mamh(), at("2026-04-01T12:00:00Z"), "Inondations printanières").await.unwrap();
    assert_eq!((started.end, started.reason.as_str()), (None, "Inondations printanières"));
    let error = store.start_vigilance(&by, &mamh(), at("2026-04-02T12:00:00Z"), "Autre").await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { .. }), "{error:?}");
    let stopped = store.stop_vigilance(&by, &mamh(), at("2026-04-05T12:00:00Z")).await.unwrap().unwrap();
    assert_eq!(stopped.end, Some(at("2026-04-05T12:00:00Z")));
    assert_eq!(store.stop_vigilance(&by, &mamh(), at("2026-04-06T12:00:00Z")).await.unwrap(), None);
    // Stopping before the start is refused by the schema.
    store.start_vigilance(&by, &mamh(), at("2026-05-01T12:00:00Z"), "Campagne").await.unwrap();
    let error = store.stop_vigilance(&by, &mamh(), at("2026-04-30T12:00:00Z")).await.unwrap_err();
    assert!(matches!(error, StoreError::InvalidValue { .. }), "{error:?}");
    assert_eq!(store.list_vigilance(&mamh()).await.unwrap().len(), 2);
    let actions: Vec<String> =
        store.audit_entries(0, 100).await.unwrap().iter().map(|entry| entry.event.action.as_str().to_owned()).collect();
    assert_eq!(actions.iter().filter(|action| action.starts_with("vigilance_")).count(), 3);
}
contract_test!(one_vigilance_period_runs_at_a_time);

async fn a_notification_is_recorded_once(db: TestDb) {
    let store = &db.store;
    let people = fixture(store).await;
    let case = open_case(store, &people.account, "c3").await;
    let sent = SentNotification { case_id: case.id, stage: "triage".into(), kind: NotificationKind::Warning };
    let recipients = vec!["dcom@example.org".to_owned()];
    assert!(store.record_notification_sent(&system(), &mamh(), &sent, &recipients).await.unwrap());
    let count = audit_count(store).await;
    assert!(!store.record_notification_sent(&system(), &mamh(), &sent, &recipients).await.unwrap());
    assert_eq!(audit_count(store).await, count);
    let breach = SentNotification { kind: NotificationKind::Breach, ..sent.clone() };
    assert!(store.record_notification_sent(&system(), &mamh(), &breach, &recipients).await.unwrap());
    // Listed by case, stage, then kind code (`breach` before `warning`).
    assert_eq!(store.sent_notifications(&mamh()).await.unwrap(), vec![breach, sent]);
    store.set_notification_address(&system(), &mamh(), "communications_manager", "dcom@example.org").await.unwrap();
    store.set_notification_address(&system(), &mamh(), "communications_manager", "dcom2@example.org").await.unwrap();
    assert_eq!(
        store.notification_addresses(&mamh()).await.unwrap(),
        vec![("communications_manager".to_owned(), "dcom2@example.org".to_owned())]
    );
}
contract_test!(a_notification_is_recorded_once);
