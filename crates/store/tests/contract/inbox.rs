//! The inbox on both backends: urgent first, then nearest deadline, cases without deadline
//! last; filters; keyset pages that neither skip nor repeat; the inbox row follows route and
//! status changes made after intake (the triggers of migration 0007); the thread, the
//! author's history, the members and the audit search of the case and audit pages.

use domain::audit::{Actor, Attribution};
use domain::entities::{CaseId, CaseStatus, MessageId, RouteId};
use store::MessageInsertion;
use store::inbox::{AuditFilter, InboxFilter};
use store::intake::{CaseIntake, DeadlineRecord, IntakeRecorded, IntakeResult, StageDeadline, SuggestionRecord, VerdictRecord};

use crate::contract_test;
use crate::helpers::*;

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

fn verdict(urgent: Option<&str>, categories: &[&str]) -> VerdictRecord {
    VerdictRecord {
        action: if categories.is_empty() { "publish".into() } else { "hide".into() },
        categories: categories.iter().map(|category| (*category).to_owned()).collect(),
        urgent: urgent.map(str::to_owned),
        clauses: categories.iter().map(|category| format!("mamh:{category}")).collect(),
        evidence_json: "[]".into(),
        language: "fr".into(),
        explanation: "Explication.".into(),
        substance_remains: true,
        engine_version: "test".into(),
    }
}

fn case(route: &str, due: Option<&str>) -> CaseIntake {
    let (family, target) = match route.split_once(':') {
        Some((family, target)) => (family, Some(target.to_owned())),
        None => (route, None),
    };
    CaseIntake {
        suggestion: SuggestionRecord {
            route: route.into(),
            route_family: family.into(),
            target_id: target,
            reasons_json: "[]".into(),
            alternatives_json: "[]".into(),
            reply_expected: due.is_some(),
            suggested_page_json: None,
        },
        suggestion_rule: None,
        deadlines: due.map(|due| DeadlineRecord {
            commitment_id: "first_response".into(),
            clock_start: at("2026-03-02T14:00:00Z"),
            stages: vec![StageDeadline {
                stage: "response".into(),
                starts: at("2026-03-02T14:00:00Z"),
                planned_due: at(due),
                ended_at: None,
            }],
            first_response_due: at(due),
            committed_due: at(due),
        }),
    }
}

/// Stores a message and records its intake; returns its case.
async fn intake(
    store: &store::Store,
    account: &domain::entities::Account,
    external_id: &str,
    verdict: VerdictRecord,
    case: CaseIntake,
) -> CaseId {
    let outcomes = store.insert_messages(&system(), &[message(account, external_id, external_id)]).await.unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!("{outcomes:?}") };
    let recorded = store
        .record_intake(
            &system(),
            &[IntakeResult::Processed { message_id, verdict, verdict_rule: None, case: Some(case) }],
        )
        .await
        .unwrap();
    let IntakeRecorded::CaseOpened(case_id) = recorded[0] else { panic!("{recorded:?}") };
    case_id
}

fn texts(page: &store::inbox::InboxPage) -> Vec<String> {
    page.rows.iter().map(|row| row.text.clone()).collect()
}

async fn the_inbox_puts_urgent_first_then_the_nearest_deadline(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let other = organisation_with_account(store, "mess").await;
    intake(store, &account, "late", verdict(None, &[]), case("respondent:habitation", Some("2026-03-03T15:00:00Z"))).await;
    intake(store, &account, "none", verdict(None, &["advertising"]), case("netiquette", None)).await;
    intake(store, &account, "soon", verdict(None, &["insult"]), case("ask_precision", Some("2026-03-02T16:00:00Z"))).await;
    intake(store, &account, "urgent", verdict(Some("threat"), &[]), case("urgent", Some("2026-03-05T16:00:00Z"))).await;
    intake(store, &other, "elsewhere", verdict(Some("threat"), &[]), case("urgent", Some("2026-03-01T16:00:00Z"))).await;

    let mamh = account.organisation_id.clone();
    let page = store.inbox(&mamh, &InboxFilter::default(), None, 50).await.unwrap();
    assert_eq!(texts(&page), ["urgent", "soon", "late", "none"]);
    assert_eq!(page.next, None);
    let first = &page.rows[0];
    assert!(first.urgent);
    assert_eq!(first.urgent_kind.as_deref(), Some("threat"));
    assert_eq!(first.due, Some(at("2026-03-05T16:00:00Z")));
    assert_eq!(first.account_handle, account.handle.as_str());
    assert_eq!(page.rows[1].categories, ["insult"]);
    assert_eq!(page.rows[1].clauses, ["mamh:insult"]);
    assert_eq!(page.rows[1].verdict_action.as_deref(), Some("hide"));
    assert_eq!(page.rows[2].sector.as_deref(), Some("habitation"));
    assert_eq!(page.rows[2].suggested_route.as_deref(), Some("respondent:habitation"));
    assert_eq!(page.rows[3].due, None);

    // Filters.
    let only = |filter: InboxFilter| async move { texts(&store.inbox(&mamh_id(), &filter, None, 50).await.unwrap()) };
    assert_eq!(only(InboxFilter { category: Some("insult".into()), ..Default::default() }).await, ["soon"]);
    assert_eq!(only(InboxFilter { category: Some("threat".into()), ..Default::default() }).await, ["urgent"]);
    assert_eq!(only(InboxFilter { route: Some("respondent".into()), ..Default::default() }).await, ["late"]);
    assert_eq!(only(InboxFilter { sector: Some("habitation".into()), ..Default::default() }).await, ["late"]);
    assert_eq!(
        only(InboxFilter { overdue_at: Some(at("2026-03-03T00:00:00Z")), ..Default::default() }).await,
        ["soon"]
    );
    assert_eq!(only(InboxFilter { network: Some("x".into()), ..Default::default() }).await, Vec::<String>::new());
    assert_eq!(only(InboxFilter { account_id: Some(account.id), ..Default::default() }).await.len(), 4);
    // A `%` in a filter is a literal, not a wildcard.
    assert_eq!(only(InboxFilter { category: Some("%".into()), ..Default::default() }).await, Vec::<String>::new());
}
contract_test!(the_inbox_puts_urgent_first_then_the_nearest_deadline);

fn mamh_id() -> domain::entities::OrganisationId {
    domain::entities::OrganisationId::parse("mamh").unwrap()
}

async fn inbox_pages_neither_skip_nor_repeat(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    for index in 0..23 {
        let due = format!("2026-03-{:02}T15:00:00Z", 2 + index % 5);
        let urgent = if index % 7 == 0 { Some("self_harm") } else { None };
        let due = if index % 4 == 0 { None } else { Some(due.as_str()) };
        intake(store, &account, &format!("p{index:02}"), verdict(urgent, &[]), case("positive", due)).await;
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.inbox(&mamh_id(), &InboxFilter::default(), after, 5).await.unwrap();
        assert!(page.rows.len() <= 5);
        seen.extend(page.rows.iter().map(|row| (row.urgent, row.due, row.case_id)));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 23);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|(urgent, due, case_id)| (!urgent, due.is_none(), *due, *case_id));
    assert_eq!(seen, sorted);
    let cursor = store.inbox(&mamh_id(), &InboxFilter::default(), None, 5).await.unwrap().next.unwrap();
    assert_eq!(store::inbox::InboxCursor::parse(&cursor.to_string()), Some(cursor));
}
contract_test!(inbox_pages_neither_skip_nor_repeat);

async fn the_inbox_follows_changes_made_after_intake(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let quiet = intake(store, &account, "calme", verdict(None, &[]), case("positive", Some("2026-03-09T15:00:00Z"))).await;
    intake(store, &account, "autre", verdict(None, &[]), case("negative", Some("2026-03-03T15:00:00Z"))).await;
    let manager = store.add_user(&system(), &crate::user("mamh", "g.cm")).await.unwrap();
    let by = Attribution::by(Actor::User(manager.login.clone()));

    store.confirm_route(&by, quiet, "urgent").await.unwrap();
    let page = store.inbox(&mamh_id(), &InboxFilter::default(), None, 10).await.unwrap();
    assert_eq!(texts(&page), ["calme", "autre"], "a case routed to urgent goes first");
    assert!(page.rows[0].route_confirmed);
    assert_eq!(page.rows[0].route.as_deref(), Some("urgent"));

    store.assign_case(&by, quiet, manager.id).await.unwrap();
    let mine = InboxFilter { assignee: Some(manager.id), ..Default::default() };
    let page = store.inbox(&mamh_id(), &mine, None, 10).await.unwrap();
    assert_eq!(texts(&page), ["calme"]);
    assert_eq!(page.rows[0].assignee.as_ref().map(|(_, name)| name.as_str()), Some("Personne g.cm"));

    store.set_case_status(&by, quiet, CaseStatus::Closed).await.unwrap();
    assert_eq!(texts(&store.inbox(&mamh_id(), &InboxFilter::default(), None, 10).await.unwrap()), ["autre"]);
    let closed = InboxFilter { status: Some(CaseStatus::Closed), ..Default::default() };
    assert_eq!(texts(&store.inbox(&mamh_id(), &closed, None, 10).await.unwrap()), ["calme"]);
    assert_eq!(store.inbox_row(quiet).await.unwrap().unwrap().status, CaseStatus::Closed);

    // A case opened by hand (no verdict, no suggestion yet) is in the inbox too, last.
    let outcomes = store.insert_messages(&system(), &[message(&account, "main", "main")]).await.unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!() };
    let by_hand = store.open_case(&system(), message_id).await.unwrap();
    store.set_case_route(&by, by_hand.id, Some(&RouteId::parse("communications").unwrap())).await.unwrap();
    let page = store.inbox(&mamh_id(), &InboxFilter::default(), None, 10).await.unwrap();
    assert_eq!(texts(&page), ["autre", "main"]);
    assert_eq!(page.rows[1].route.as_deref(), Some("communications"));
    assert_eq!(page.rows[1].verdict_action, None);
}
contract_test!(the_inbox_follows_changes_made_after_intake);

async fn threads_authors_members_and_audit_search(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let mut parent = message(&account, "parent", "Publication");
    parent.author.external_id = external("citoyen-1");
    let mut reply = message(&account, "reply-1", "Première réponse");
    reply.thread = Some(external("parent"));
    reply.author.external_id = external("citoyen-1");
    let mut second = message(&account, "reply-2", "Deuxième réponse");
    second.thread = Some(external("parent"));
    let outcomes = store.insert_messages(&system(), &[parent, reply, second]).await.unwrap();
    let ids: Vec<MessageId> = outcomes
        .iter()
        .map(|outcome| match outcome {
            MessageInsertion::New(id) => *id,
            MessageInsertion::AlreadyStored => panic!(),
        })
        .collect();
    let second = store.get_message(ids[2]).await.unwrap().unwrap();
    let thread: Vec<_> = store.thread_messages(&second, 10).await.unwrap().into_iter().map(|m| m.received.text).collect();
    assert_eq!(thread, ["Publication", "Première réponse"]);

    let reply = store.get_message(ids[1]).await.unwrap().unwrap();
    let case = store.open_case(&system(), ids[0]).await.unwrap();
    let history = store.author_messages(&reply, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].0.received.text, "Publication");
    assert_eq!(history[0].1, Some(case.id));

    store.add_user(&system(), &crate::user("mamh", "zoe")).await.unwrap();
    store.add_user(&system(), &crate::user("mamh", "alain")).await.unwrap();
    let members = store.organisation_members(&mamh_id()).await.unwrap();
    let logins: Vec<_> = members.iter().map(|member| member.login.as_str()).collect();
    assert_eq!(logins, ["alain", "zoe"]);

    let filter = AuditFilter { entity_kind: Some("case".into()), entity_id: Some(case.id.to_string()), ..Default::default() };
    let entries = store.search_audit(&filter, None, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event.action.as_str(), "case_opened");
    let users = AuditFilter { action: Some("user_added".into()), ..Default::default() };
    let entries = store.search_audit(&users, None, 10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries[0].sequence > entries[1].sequence, "newest first");
    let older = store.search_audit(&users, Some(entries[0].sequence), 10).await.unwrap();
    assert_eq!(older.len(), 1);
    let by_actor = AuditFilter { actor_contains: Some("zzz_nobody".into()), ..Default::default() };
    assert!(store.search_audit(&by_actor, None, 10).await.unwrap().is_empty());
    let in_the_future = AuditFilter { from: Some(at("2100-01-01T00:00:00Z")), ..Default::default() };
    assert!(store.search_audit(&in_the_future, None, 10).await.unwrap().is_empty());
}
contract_test!(threads_authors_members_and_audit_search);

/// The inbox row carries the committed first-response deadline beside the current one: a
/// replanned case shows both, a case without a deadline neither.
async fn the_inbox_row_carries_the_committed_deadline(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let mut replanned = case("ask_precision", Some("2026-03-04T15:00:00Z"));
    if let Some(deadlines) = replanned.deadlines.as_mut() {
        deadlines.committed_due = at("2026-03-03T15:00:00Z");
    }
    let late = intake(store, &account, "replanned", verdict(None, &[]), replanned).await;
    let none = intake(store, &account, "none", verdict(None, &["advertising"]), case("netiquette", None)).await;
    let page = store.inbox(&account.organisation_id, &InboxFilter::default(), None, 50).await.unwrap();
    let row = page.rows.iter().find(|row| row.case_id == late).unwrap();
    assert_eq!(row.due, Some(at("2026-03-04T15:00:00Z")));
    assert_eq!(row.committed_due, Some(at("2026-03-03T15:00:00Z")));
    let row = page.rows.iter().find(|row| row.case_id == none).unwrap();
    assert_eq!((row.due, row.committed_due), (None, None));
    let single = store.inbox_row(late).await.unwrap().unwrap();
    assert_eq!(single.committed_due, Some(at("2026-03-03T15:00:00Z")));
}
contract_test!(the_inbox_row_carries_the_committed_deadline);

async fn the_inbox_sector_follows_the_route_a_person_decided(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let mamh = account.organisation_id.clone();
    let manager = Attribution::by(Actor::User(domain::entities::Login::parse("c.manager").unwrap()));
    let replan = store::case_actions::RouteReplan::default();
    let by_hand = intake(store, &account, "by-hand", verdict(None, &[]), case("ask_precision", None)).await;
    let moved = intake(store, &account, "moved", verdict(None, &[]), case("respondent:habitation", None)).await;
    let away = intake(store, &account, "away", verdict(None, &[]), case("respondent:habitation", None)).await;

    store.change_route(&manager, by_hand, "respondent:dgfef", &replan).await.unwrap();
    store.change_route(&manager, moved, "respondent:dgfef", &replan).await.unwrap();
    store.change_route(&manager, away, "communications", &replan).await.unwrap();

    let sector = |name: &str| InboxFilter { sector: Some(name.into()), ..Default::default() };
    let mut dgfef = texts(&store.inbox(&mamh, &sector("dgfef"), None, 50).await.unwrap());
    dgfef.sort();
    assert_eq!(dgfef, ["by-hand", "moved"]);
    assert_eq!(texts(&store.inbox(&mamh, &sector("habitation"), None, 50).await.unwrap()), Vec::<String>::new());
}
contract_test!(the_inbox_sector_follows_the_route_a_person_decided);
