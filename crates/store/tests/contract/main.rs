//! The store's contract: every test here runs against SQLite and against PostgreSQL (see
//! `helpers.rs` for how PostgreSQL is found), so both backends keep the same behaviour.

#![allow(clippy::unwrap_used)]

mod auth;
mod case_actions;
mod editorial;
mod helpers;
mod inbox;
mod intake;
mod oidc;
mod respondents;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use domain::audit::{Actor, Attribution, AuditAction, AuditEvent, AuditVerification, ChainBreakKind, EntityKind};
use domain::entities::{
    CaseStatus, Login, MessageId, NewPost, NewUser, OrganisationId, PasswordHash,
    PostStatus, RoleId, RouteId,
};
use helpers::*;
use store::{MessageInsertion, MessagePage, StoreError};

// ------------------------------------------------------------------ records

async fn organisations_are_created_updated_and_audited(db: TestDb) {
    let store = &db.store;
    let mut organisation = organisation("mamh");
    store.upsert_organisation(&system(), &organisation).await.unwrap();
    assert_eq!(store.get_organisation(&organisation.id).await.unwrap(), Some(organisation.clone()));
    // Re-applying the same record changes nothing and writes no entry.
    store.upsert_organisation(&system(), &organisation).await.unwrap();
    assert_eq!(audit_count(store).await, 1);

    organisation.name = "Ministère des Affaires municipales et de l'Habitation".into();
    store.upsert_organisation(&system(), &organisation).await.unwrap();
    assert_eq!(store.get_organisation(&organisation.id).await.unwrap(), Some(organisation.clone()));
    let entries = store.audit_entries(0, 10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].event.action.as_str(), "organisation_created");
    assert_eq!(entries[0].event.before_json, None);
    assert_eq!(entries[1].event.action.as_str(), "organisation_updated");
    assert!(entries[1].event.before_json.as_deref().unwrap().contains("Organisme mamh"));
    assert!(entries[1].event.after_json.as_deref().unwrap().contains("Habitation"));
    assert_eq!(entries[1].event.entity_kind, EntityKind::Organisation);
    assert_eq!(entries[1].event.entity_id, "mamh");
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert_eq!(store.get_organisation(&OrganisationId::parse("absent").unwrap()).await.unwrap(), None);
}
contract_test!(organisations_are_created_updated_and_audited);

async fn account_constraints_become_domain_errors(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mess").await;
    assert_eq!(
        store.find_account(&account.network, &account.handle).await.unwrap(),
        Some(account.clone())
    );
    let before = audit_count(store).await;
    let duplicate = domain::entities::NewAccount {
        organisation_id: account.organisation_id.clone(),
        network: account.network.clone(),
        handle: account.handle.clone(),
    };
    let error = store.add_account(&system(), &duplicate).await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { entity: EntityKind::Account, .. }), "{error:?}");
    let orphan = domain::entities::NewAccount {
        organisation_id: OrganisationId::parse("nobody").unwrap(),
        handle: domain::entities::AccountHandle::parse("@orphelin").unwrap(),
        ..duplicate
    };
    let error = store.add_account(&system(), &orphan).await.unwrap_err();
    assert!(matches!(error, StoreError::ReferenceMissing { entity: EntityKind::Account, .. }), "{error:?}");
    // A refused change leaves no audit entry behind.
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.list_accounts(&account.organisation_id).await.unwrap(), vec![account]);
}
contract_test!(account_constraints_become_domain_errors);

// ------------------------------------------------------------------ messages

async fn messages_are_idempotent_on_network_and_external_id(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let words = "  Bonjour, où est mon permis?\n😡 Réponse SVP  ";
    let batch = vec![
        message(&account, "m1", words),
        message(&account, "m2", "deux"),
        message(&account, "m1", "copie dans le même lot"),
    ];
    let outcomes = store.insert_messages(&system(), &batch).await.unwrap();
    let MessageInsertion::New(first_id) = outcomes[0] else { panic!("m1 should be new: {outcomes:?}") };
    assert!(matches!(outcomes[1], MessageInsertion::New(_)));
    assert_eq!(outcomes[2], MessageInsertion::AlreadyStored);

    let again = store
        .insert_messages(&system(), &[message(&account, "m2", "deux"), message(&account, "m3", "trois")])
        .await
        .unwrap();
    assert_eq!(again[0], MessageInsertion::AlreadyStored);
    assert!(matches!(again[1], MessageInsertion::New(_)));
    assert_eq!(store.count_messages().await.unwrap(), 3);

    // The citizen's words come back byte for byte, with every field.
    let stored = store.get_message(first_id).await.unwrap().unwrap();
    assert_eq!(stored.received, batch[0]);
    assert_eq!(stored.organisation_id, account.organisation_id);
    assert_eq!(stored.received.text, words);
    let found = store.find_message(&account.network, &external("m1")).await.unwrap().unwrap();
    assert_eq!(found, stored);

    // One audit entry per batch that stored something, listing the new ids.
    let entries = store.audit_entries(0, 100).await.unwrap();
    let received: Vec<_> =
        entries.iter().filter(|entry| entry.event.action.as_str() == "messages_received").collect();
    assert_eq!(received.len(), 2);
    assert!(received[0].event.after_json.as_deref().unwrap().contains("\"count\":2"));
    let all_duplicates = store.insert_messages(&system(), &[message(&account, "m3", "trois")]).await.unwrap();
    assert_eq!(all_duplicates, vec![MessageInsertion::AlreadyStored]);
    assert_eq!(audit_count(store).await, entries.len() as u64);
}
contract_test!(messages_are_idempotent_on_network_and_external_id);

async fn messages_are_listed_per_organisation_in_pages(db: TestDb) {
    let store = &db.store;
    let mamh = organisation_with_account(store, "mamh").await;
    let mess = organisation_with_account(store, "mess").await;
    let batch: Vec<_> = (0..25)
        .map(|index| {
            let account = if index % 5 == 0 { &mess } else { &mamh };
            message(account, &format!("x{index}"), &format!("texte {index}"))
        })
        .collect();
    store.insert_messages(&system(), &batch).await.unwrap();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_messages(&mamh.organisation_id, MessagePage { after, limit: 7 })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 7);
        after = page.last().map(|message| message.id);
        seen.extend(page);
    }
    assert_eq!(seen.len(), 20);
    assert!(seen.iter().all(|message| message.organisation_id == mamh.organisation_id));
    assert!(seen.windows(2).all(|pair| pair[0].id < pair[1].id));
    let texts: HashSet<_> = seen.iter().map(|message| message.received.text.clone()).collect();
    assert!(texts.contains("texte 1") && !texts.contains("texte 5"));
}
contract_test!(messages_are_listed_per_organisation_in_pages);

async fn a_message_must_arrive_on_its_own_accounts_network(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "opeq").await;
    let mut wrong = message(&account, "w1", "mauvais réseau");
    wrong.network = network("instagram");
    let error = store.insert_messages(&system(), &[wrong]).await.unwrap_err();
    assert!(matches!(error, StoreError::ReferenceMissing { entity: EntityKind::Message, .. }), "{error:?}");
    assert_eq!(store.count_messages().await.unwrap(), 0);
}
contract_test!(a_message_must_arrive_on_its_own_accounts_network);

async fn a_large_batch_spans_several_statements(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    let count = store::MESSAGE_ROWS_PER_STATEMENT * 2 + 17;
    let batch: Vec<_> = (0..count).map(|index| message(&account, &format!("big-{index}"), "x")).collect();
    let outcomes = store.insert_messages(&system(), &batch).await.unwrap();
    assert!(outcomes.iter().all(|outcome| matches!(outcome, MessageInsertion::New(_))));
    let ids: HashSet<_> = outcomes.iter().collect();
    assert_eq!(ids.len(), count);
    assert_eq!(store.count_messages().await.unwrap(), count as u64);
}
contract_test!(a_large_batch_spans_several_statements);

// ------------------------------------------------------------------ cases, users, posts

fn user(organisation: &str, login: &str) -> NewUser {
    NewUser {
        organisation_id: OrganisationId::parse(organisation).unwrap(),
        login: Login::parse(login).unwrap(),
        display_name: format!("Personne {login}"),
        role: RoleId::parse("community_manager").unwrap(),
        password_hash: PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0$secrethash").unwrap(),
    }
}

async fn users_are_unique_by_login_and_their_hash_stays_out_of_the_log(db: TestDb) {
    let store = &db.store;
    store.upsert_organisation(&system(), &organisation("mamh")).await.unwrap();
    let added = store.add_user(&system(), &user("mamh", "m.tremblay")).await.unwrap();
    let fetched = store.get_user_by_login(&Login::parse("m.tremblay").unwrap()).await.unwrap().unwrap();
    assert_eq!(fetched, added);
    assert_eq!(fetched.password_hash, user("mamh", "x").password_hash);
    let error = store.add_user(&system(), &user("mamh", "m.tremblay")).await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { entity: EntityKind::User, .. }), "{error:?}");
    assert_eq!(error.code(), "already_exists");
    assert_eq!(store.get_user_by_login(&Login::parse("absent").unwrap()).await.unwrap(), None);
    let entries = store.audit_entries(0, 10).await.unwrap();
    let user_entry = entries.iter().find(|entry| entry.event.action.as_str() == "user_added").unwrap();
    assert!(!user_entry.event.after_json.as_deref().unwrap().contains("secrethash"));
}
contract_test!(users_are_unique_by_login_and_their_hash_stays_out_of_the_log);

async fn cases_are_opened_routed_assigned_and_every_step_is_audited(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await;
    store.upsert_organisation(&system(), &organisation("mess")).await.unwrap();
    let outcomes = store.insert_messages(&system(), &[message(&account, "c1", "Question")]).await.unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!() };
    let manager = store.add_user(&system(), &user("mamh", "gestionnaire")).await.unwrap();
    let outsider = store.add_user(&system(), &user("mess", "ailleurs")).await.unwrap();
    let by_manager = Attribution::under_rule(Actor::User(manager.login.clone()), "mamh:annexe-2:respondent");

    let case = store.open_case(&system(), message_id).await.unwrap();
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!((case.route.clone(), case.assignee), (None, None));
    assert_eq!(case.organisation_id, account.organisation_id);
    assert_eq!(store.find_case_for_message(message_id).await.unwrap(), Some(case.clone()));
    let error = store.open_case(&system(), message_id).await.unwrap_err();
    assert!(matches!(error, StoreError::AlreadyExists { entity: EntityKind::Case, .. }), "{error:?}");
    let error = store.open_case(&system(), MessageId::new(9_999)).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { entity: EntityKind::Message, .. }), "{error:?}");

    let route = RouteId::parse("respondent").unwrap();
    let routed = store.set_case_route(&by_manager, case.id, Some(&route)).await.unwrap();
    assert_eq!(routed.route, Some(route));
    let in_progress = store.set_case_status(&by_manager, case.id, CaseStatus::InProgress).await.unwrap();
    assert_eq!(in_progress.status, CaseStatus::InProgress);

    let assignment = store.assign_case(&by_manager, case.id, manager.id).await.unwrap();
    assert_eq!(store.get_case(case.id).await.unwrap().unwrap().assignee, Some(manager.id));
    assert_eq!(store.list_assignments(case.id).await.unwrap(), vec![assignment]);
    let error = store.assign_case(&by_manager, case.id, outsider.id).await.unwrap_err();
    assert!(matches!(error, StoreError::OrganisationMismatch { .. }), "{error:?}");
    let error = store.set_case_status(&by_manager, domain::entities::CaseId::new(777), CaseStatus::Closed).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound { entity: EntityKind::Case, .. }), "{error:?}");

    let entries = store.audit_entries(0, 100).await.unwrap();
    let case_entries: Vec<_> =
        entries.iter().filter(|entry| entry.event.entity_kind == EntityKind::Case).collect();
    let actions: Vec<_> = case_entries.iter().map(|entry| entry.event.action.as_str()).collect();
    assert_eq!(actions, ["case_opened", "case_route_set", "case_status_set", "case_assigned"]);
    let route_entry = case_entries[1];
    assert_eq!(route_entry.event.attribution, by_manager);
    assert!(route_entry.event.before_json.as_deref().unwrap().contains("\"route\":null"));
    assert!(route_entry.event.after_json.as_deref().unwrap().contains("\"route\":\"respondent\""));
    assert_eq!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: entries.len() as u64 });
}
contract_test!(cases_are_opened_routed_assigned_and_every_step_is_audited);

async fn posts_are_recorded(db: TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "baie-comeau").await;
    let post = store
        .add_post(
            &system(),
            &NewPost {
                organisation_id: account.organisation_id.clone(),
                account_id: Some(account.id),
                text: "Collecte des encombrants lundi".into(),
                status: PostStatus::Drafting,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_post(post.id).await.unwrap(), Some(post.clone()));
    let error = store
        .add_post(
            &system(),
            &NewPost { organisation_id: OrganisationId::parse("nobody").unwrap(), account_id: None, text: "x".into(), status: PostStatus::Suggested },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::ReferenceMissing { entity: EntityKind::Post, .. }), "{error:?}");
}
contract_test!(posts_are_recorded);

// ------------------------------------------------------------------ audit log

async fn the_audit_log_refuses_update_and_delete(db: TestDb) {
    let store = &db.store;
    store.upsert_organisation(&system(), &organisation("mamh")).await.unwrap();
    let update = db.raw_both("UPDATE audit_log SET actor = 'user:intrus' WHERE sequence_number = 1").await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = db.raw_both("DELETE FROM audit_log").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    if db.backend() == store::Backend::Postgres {
        let truncate = db.raw_both("TRUNCATE audit_log").await;
        assert!(truncate.unwrap_err().to_string().contains("append-only"));
    }
    assert_eq!(audit_count(store).await, 1);
    assert_eq!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: 1 });
}
contract_test!(the_audit_log_refuses_update_and_delete);

/// Ten entries, from a mix of calls.
async fn ten_entries(db: &TestDb) {
    let store = &db.store;
    let account = organisation_with_account(store, "mamh").await; // 2 entries
    for index in 0..8 {
        store.insert_messages(&system(), &[message(&account, &format!("t{index}"), "texte")]).await.unwrap();
    }
    assert_eq!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: 10 });
}

const DROP_TRIGGERS_SQLITE: &str =
    "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";
const DROP_TRIGGERS_POSTGRES: &str =
    "DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_delete ON audit_log;";

fn broken(verification: AuditVerification) -> (u64, ChainBreakKind) {
    match verification {
        AuditVerification::Broken(chain_break) => (chain_break.sequence, chain_break.kind),
        AuditVerification::Intact { entries } => panic!("the chain verified ({entries} entries)"),
    }
}

async fn verify_names_an_altered_entry(db: TestDb) {
    ten_entries(&db).await;
    let tamper = "UPDATE audit_log SET after_json = '{\"count\":0}' WHERE sequence_number = 6";
    db.raw(&format!("{DROP_TRIGGERS_SQLITE} {tamper}"), &format!("{DROP_TRIGGERS_POSTGRES} {tamper}"))
        .await
        .unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (6, ChainBreakKind::Altered));
}
contract_test!(verify_names_an_altered_entry);

async fn verify_names_a_deleted_entry(db: TestDb) {
    ten_entries(&db).await;
    let tamper = "DELETE FROM audit_log WHERE sequence_number = 4";
    db.raw(&format!("{DROP_TRIGGERS_SQLITE} {tamper}"), &format!("{DROP_TRIGGERS_POSTGRES} {tamper}"))
        .await
        .unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (4, ChainBreakKind::Deleted));
}
contract_test!(verify_names_a_deleted_entry);

async fn verify_names_a_deletion_hidden_by_renumbering(db: TestDb) {
    ten_entries(&db).await;
    // Cut entry 4, then close the gap so the numbers look continuous.
    let tamper = "DELETE FROM audit_log WHERE sequence_number = 4; \
         UPDATE audit_log SET sequence_number = sequence_number - 1 WHERE sequence_number > 4; \
         UPDATE audit_chain_head SET sequence_number = 9;";
    db.raw(&format!("{DROP_TRIGGERS_SQLITE} {tamper}"), &format!("{DROP_TRIGGERS_POSTGRES} {tamper}"))
        .await
        .unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (4, ChainBreakKind::Deleted));
}
contract_test!(verify_names_a_deletion_hidden_by_renumbering);

async fn verify_names_a_cut_from_the_end(db: TestDb) {
    ten_entries(&db).await;
    let tamper = "DELETE FROM audit_log WHERE sequence_number >= 9";
    db.raw(&format!("{DROP_TRIGGERS_SQLITE} {tamper}"), &format!("{DROP_TRIGGERS_POSTGRES} {tamper}"))
        .await
        .unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (9, ChainBreakKind::Deleted));
}
contract_test!(verify_names_a_cut_from_the_end);

/// Forges an entry that links to entry 5 (the attacker knows the algorithm), makes room for
/// it at number 6 and shifts the rest up by one.
async fn verify_names_an_inserted_entry(db: TestDb) {
    ten_entries(&db).await;
    let entries = db.store.audit_entries(4, 1).await.unwrap();
    let fifth = &entries[0];
    let mut forged = store::StoredAuditRow {
        sequence: 6,
        at_microseconds: fifth.at.as_microsecond(),
        actor: "user:intrus".into(),
        action: "case_route_set".into(),
        entity_kind: "case".into(),
        entity_id: "1".into(),
        before_json: None,
        after_json: Some("{\"route\":\"positive\"}".into()),
        rule: None,
        prev_hash: fifth.hash.clone(),
        hash: String::new(),
    };
    forged.hash = store::entry_hash(&forged.prev_hash, &forged);
    // Shift in two steps (through negative numbers) so the primary key never collides.
    let tamper = format!(
        "UPDATE audit_log SET sequence_number = -sequence_number WHERE sequence_number >= 6; \
         UPDATE audit_log SET sequence_number = 1 - sequence_number WHERE sequence_number < 0; \
         INSERT INTO audit_log (sequence_number, at, actor, action, entity_kind, entity_id, before_json, after_json, rule, prev_hash, hash) \
         VALUES (6, {}, 'user:intrus', 'case_route_set', 'case', '1', NULL, '{{\"route\":\"positive\"}}', NULL, '{}', '{}'); \
         UPDATE audit_chain_head SET sequence_number = 11;",
        forged.at_microseconds, forged.prev_hash, forged.hash
    );
    db.raw(&format!("{DROP_TRIGGERS_SQLITE} {tamper}"), &format!("{DROP_TRIGGERS_POSTGRES} {tamper}"))
        .await
        .unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (6, ChainBreakKind::Inserted));
}
contract_test!(verify_names_an_inserted_entry);

async fn verify_names_an_entry_appended_behind_balises_back(db: TestDb) {
    ten_entries(&db).await;
    let last = db.store.audit_entries(9, 1).await.unwrap().remove(0);
    let mut forged = store::StoredAuditRow {
        sequence: 11,
        at_microseconds: last.at.as_microsecond(),
        actor: "user:intrus".into(),
        action: "case_opened".into(),
        entity_kind: "case".into(),
        entity_id: "9".into(),
        before_json: None,
        after_json: None,
        rule: None,
        prev_hash: last.hash.clone(),
        hash: String::new(),
    };
    forged.hash = store::entry_hash(&forged.prev_hash, &forged);
    // No trigger stands in the way of an INSERT: only the head row tells.
    let tamper = format!(
        "INSERT INTO audit_log (sequence_number, at, actor, action, entity_kind, entity_id, before_json, after_json, rule, prev_hash, hash) \
         VALUES (11, {}, 'user:intrus', 'case_opened', 'case', '9', NULL, NULL, NULL, '{}', '{}')",
        forged.at_microseconds, forged.prev_hash, forged.hash
    );
    db.raw_both(&tamper).await.unwrap();
    assert_eq!(broken(db.store.verify_audit_chain().await.unwrap()), (11, ChainBreakKind::Inserted));
}
contract_test!(verify_names_an_entry_appended_behind_balises_back);

/// Several tasks, each with its own store (as separate Balise instances would have), append
/// at once; the chain must come out whole, numbered 1..N without a fork.
async fn concurrent_appends_never_fork_the_chain(db: TestDb) {
    const TASKS: usize = 6;
    const APPENDS_PER_TASK: usize = 15;
    let account = organisation_with_account(&db.store, "mamh").await;
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let instance = db.reopen().await;
        let account = account.clone();
        handles.push(tokio::spawn(async move {
            for index in 0..APPENDS_PER_TASK {
                if index % 3 == 0 {
                    let external_id = format!("concurrent-{task}-{index}");
                    instance.insert_messages(&system(), &[message(&account, &external_id, "x")]).await.unwrap();
                } else {
                    let event = AuditEvent {
                        attribution: Attribution::by(Actor::system("concurrency").unwrap()),
                        action: AuditAction::parse("test_append").unwrap(),
                        entity_kind: EntityKind::Other,
                        entity_id: format!("{task}-{index}"),
                        before_json: None,
                        after_json: None,
                    };
                    instance.record_audit_event(&event).await.unwrap();
                }
            }
            instance.close().await;
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let expected = (2 + TASKS * APPENDS_PER_TASK) as u64;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: expected });
    let entries = db.store.audit_entries(0, 1_000).await.unwrap();
    let sequences: Vec<u64> = entries.iter().map(|entry| entry.sequence).collect();
    assert_eq!(sequences, (1..=expected).collect::<Vec<_>>());
    assert!(entries.windows(2).all(|pair| pair[1].prev_hash == pair[0].hash));
}
contract_test!(concurrent_appends_never_fork_the_chain);

// ------------------------------------------------------------------ durability (kill -9)

/// Set in the child process: the database it writes to.
const CHILD_URL_VARIABLE: &str = helpers::REUSE_DATABASE_URL_VARIABLE;

/// The child's loop: insert small batches forever, printing `ACK <external id>` for each
/// message once `insert_messages` has returned.
async fn write_until_killed(url: &str) {
    let store = store::Store::connect(url).await.unwrap();
    let account = store
        .find_account(&network("facebook"), &domain::entities::AccountHandle::parse("@durable").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut index = 0u64;
    loop {
        let batch: Vec<_> = (0..(index % 4 + 1))
            .map(|offset| message(&account, &format!("durable-{}", index + offset), "ne pas perdre"))
            .collect();
        index += batch.len() as u64;
        store.insert_messages(&system(), &batch).await.unwrap();
        for message in &batch {
            println!("ACK {}", message.external_id);
        }
    }
}

/// Kills a writer with SIGKILL in mid-stream, reopens the store, and checks that every
/// acknowledged message is there and the audit chain verifies; then writes again.
async fn nothing_acknowledged_is_lost_when_killed(db: TestDb) {
    if let Ok(url) = std::env::var(CHILD_URL_VARIABLE) {
        // We are the child, re-run by the parent below.
        write_until_killed(&url).await;
        return;
    }
    organisation_with_account(&db.store, "durable").await;
    // The test's own path in this binary (the suite's functions live at its root).
    let test_name = "nothing_acknowledged_is_lost_when_killed";
    let half = match db.backend() {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([format!("{test_name}::{half}").as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_URL_VARIABLE, &db.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let acknowledged = tokio::task::spawn_blocking(move || {
        let mut acknowledged = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(id) = line.strip_prefix("ACK ") {
                acknowledged.push(id.to_owned());
                if acknowledged.len() == 400 {
                    // SIGKILL on Unix: no destructor, no flush, no commit runs after this.
                    child.kill().unwrap();
                }
            }
        }
        child.wait().unwrap();
        acknowledged
    })
    .await
    .unwrap();
    assert!(acknowledged.len() >= 400, "the writer stopped early: {} acknowledgements", acknowledged.len());

    let reopened = db.reopen().await;
    for external_id in &acknowledged {
        assert!(
            reopened.find_message(&network("facebook"), &external(external_id)).await.unwrap().is_some(),
            "acknowledged message {external_id} was lost"
        );
    }
    let entries = match reopened.verify_audit_chain().await.unwrap() {
        AuditVerification::Intact { entries } => entries,
        AuditVerification::Broken(chain_break) => panic!("audit chain broken after kill: {chain_break:?}"),
    };
    assert!(entries > 2);
    // Restart resumes: the store takes new writes and the chain still verifies.
    let account = reopened
        .find_account(&network("facebook"), &domain::entities::AccountHandle::parse("@durable").unwrap())
        .await
        .unwrap()
        .unwrap();
    let after = reopened.insert_messages(&system(), &[message(&account, "after-restart", "suite")]).await.unwrap();
    assert!(matches!(after[0], MessageInsertion::New(_)));
    assert!(matches!(reopened.verify_audit_chain().await.unwrap(), AuditVerification::Intact { .. }));
    reopened.close().await;
}
contract_test!(nothing_acknowledged_is_lost_when_killed);
