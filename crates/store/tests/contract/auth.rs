//! Contract tests for sign-in: passwords, sessions, failed attempts and lock-outs, API
//! tokens, on both backends. Every change must leave its audit entry, and secrets
//! (hashes) must stay out of the log.

use domain::audit::{Actor, Attribution, EntityKind};
use domain::entities::{Login, OrganisationId, PasswordHash, User};
use jiff::{SignedDuration, Timestamp};
use store::auth::{LockoutRule, NewApiToken};
use store::{Store, StoreError};

use crate::contract_test;
use crate::helpers::*;

fn mamh() -> OrganisationId {
    OrganisationId::parse("mamh").unwrap()
}

fn as_user(user: &User) -> Attribution {
    Attribution::by(Actor::User(user.login.clone()))
}

fn anonymous() -> Attribution {
    Attribution::by(Actor::system("anonymous").unwrap())
}

async fn people(store: &Store) -> (User, User) {
    store.upsert_organisation(&system(), &organisation("mamh")).await.unwrap();
    store.upsert_organisation(&system(), &organisation("mess")).await.unwrap();
    let ours = store.add_user(&system(), &crate::user("mamh", "gestionnaire")).await.unwrap();
    let theirs = store.add_user(&system(), &crate::user("mess", "ailleurs")).await.unwrap();
    (ours, theirs)
}

async fn last_actions(store: &Store, count: usize) -> Vec<String> {
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    entries[entries.len().saturating_sub(count)..]
        .iter()
        .map(|entry| entry.event.action.as_str().to_owned())
        .collect()
}

async fn users_are_listed_by_organisation_and_found_by_id(db: TestDb) {
    let store = &db.store;
    let (ours, theirs) = people(store).await;
    let second = store.add_user(&system(), &crate::user("mamh", "direction")).await.unwrap();
    let listed: Vec<String> = store.list_users(&mamh()).await.unwrap().iter().map(|u| u.login.to_string()).collect();
    assert_eq!(listed, ["direction", "gestionnaire"]);
    assert_eq!(store.get_user(ours.id).await.unwrap(), Some(ours));
    assert_eq!(store.get_user(theirs.id).await.unwrap(), Some(theirs));
    assert_ne!(second.id.get(), 0);
    assert_eq!(store.get_user(domain::entities::UserId::new(999_999)).await.unwrap(), None);
}
contract_test!(users_are_listed_by_organisation_and_found_by_id);

async fn sessions_open_renew_and_close_with_audit(db: TestDb) {
    let store = &db.store;
    let (user, _) = people(store).await;
    let session = store.create_session(&as_user(&user), user.id, "hash-1", "csrf-1").await.unwrap();
    assert_eq!(session.user, user);
    assert_eq!(session.created_at, session.last_seen_at);
    assert_eq!(last_actions(store, 1).await, ["signed_in"]);

    let found = store.session_by_token_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(found, session);
    assert_eq!(store.session_by_token_hash("hash-2").await.unwrap(), None);

    let later = session.last_seen_at + SignedDuration::from_mins(5);
    store.touch_session("hash-1", later).await.unwrap();
    assert_eq!(store.session_by_token_hash("hash-1").await.unwrap().unwrap().last_seen_at, later);
    // Activity is never moved backwards.
    store.touch_session("hash-1", session.created_at).await.unwrap();
    assert_eq!(store.session_by_token_hash("hash-1").await.unwrap().unwrap().last_seen_at, later);

    let before = audit_count(store).await;
    assert!(store.delete_session(&as_user(&user), "hash-1").await.unwrap());
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_actions(store, 1).await, ["signed_out"]);
    assert_eq!(store.session_by_token_hash("hash-1").await.unwrap(), None);
    assert!(!store.delete_session(&as_user(&user), "hash-1").await.unwrap());
    assert_eq!(audit_count(store).await, before + 1, "nothing to end, nothing logged");

    let error = store
        .create_session(&system(), domain::entities::UserId::new(424_242), "hash-x", "csrf-x")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound { entity: EntityKind::User, .. }), "{error:?}");
    assert!(matches!(store.verify_audit_chain().await.unwrap(), domain::audit::AuditVerification::Intact { .. }));
}
contract_test!(sessions_open_renew_and_close_with_audit);

async fn expired_sessions_are_purged(db: TestDb) {
    let store = &db.store;
    let (user, _) = people(store).await;
    let session = store.create_session(&as_user(&user), user.id, "old", "c").await.unwrap();
    let far = session.created_at + SignedDuration::from_hours(30);
    let purged = store
        .purge_expired_sessions(far - SignedDuration::from_hours(8), far - SignedDuration::from_hours(24))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(store.session_by_token_hash("old").await.unwrap(), None);
}
contract_test!(expired_sessions_are_purged);

async fn new_password_replaces_the_hash_and_ends_sessions(db: TestDb) {
    let store = &db.store;
    let (user, _) = people(store).await;
    store.create_session(&as_user(&user), user.id, "s1", "c1").await.unwrap();
    store.create_session(&as_user(&user), user.id, "s2", "c2").await.unwrap();
    let new_hash = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$bm91dmVhdQ$nouveau").unwrap();
    store.set_password(&system(), user.id, &new_hash).await.unwrap();
    let stored = store.get_user_by_login(&Login::parse("gestionnaire").unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.password_hash, new_hash);
    assert_eq!(store.session_by_token_hash("s1").await.unwrap(), None);
    assert_eq!(store.session_by_token_hash("s2").await.unwrap(), None);
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    let change = entries.last().unwrap();
    assert_eq!(change.event.action.as_str(), "password_changed");
    let after = change.event.after_json.as_deref().unwrap();
    assert!(after.contains("\"sessions_ended\":2"), "{after}");
    for entry in &entries {
        let text = format!("{:?}{:?}", entry.event.before_json, entry.event.after_json);
        assert!(!text.contains("nouveau") && !text.contains("argon2"), "a hash reached the log: {text}");
    }
    let missing = store.set_password(&system(), domain::entities::UserId::new(77_777), &new_hash).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing:?}");
}
contract_test!(new_password_replaces_the_hash_and_ends_sessions);

async fn five_failures_lock_a_login_out_for_the_duration(db: TestDb) {
    let store = &db.store;
    let (user, _) = people(store).await;
    let rule = LockoutRule::DEFAULT;
    let start = Timestamp::now() - SignedDuration::from_secs(1);
    for attempt in 1..=4 {
        let outcome = store.record_sign_in_failure(&anonymous(), "gestionnaire", rule).await.unwrap();
        assert_eq!(outcome.recent_failures, attempt);
        assert_eq!(outcome.locked_until, None);
    }
    assert_eq!(store.active_lockout("gestionnaire", Timestamp::now()).await.unwrap(), None);
    let fifth = store.record_sign_in_failure(&anonymous(), "gestionnaire", rule).await.unwrap();
    let until = fifth.locked_until.expect("the fifth failure locks the login out");
    let locked_for = until.duration_since(Timestamp::now());
    assert!(locked_for > SignedDuration::from_mins(14) && locked_for <= SignedDuration::from_mins(15), "{locked_for:?}");
    assert_eq!(last_actions(store, 2).await, ["sign_in_failed", "sign_in_locked_out"]);
    assert_eq!(store.active_lockout("gestionnaire", Timestamp::now()).await.unwrap(), Some(until));
    assert_eq!(store.active_lockout("gestionnaire", until).await.unwrap(), None, "the lock ends on time");
    assert_eq!(store.active_lockout("autre", Timestamp::now()).await.unwrap(), None, "other logins are not locked");
    assert_eq!(store.recent_failures("gestionnaire", start).await.unwrap(), 5);

    // The failures are tied to the text typed, whether or not it names someone.
    for _ in 0..5 {
        store.record_sign_in_failure(&anonymous(), "personne-inconnue", rule).await.unwrap();
    }
    assert!(store.active_lockout("personne-inconnue", Timestamp::now()).await.unwrap().is_some());

    // A successful sign-in starts the count afresh.
    let short = LockoutRule { threshold: 3, window: SignedDuration::from_mins(15), duration: SignedDuration::from_mins(1) };
    store.record_sign_in_failure(&anonymous(), "direction", short).await.unwrap();
    store.record_sign_in_failure(&anonymous(), "direction", short).await.unwrap();
    let direction = store.add_user(&system(), &crate::user("mamh", "direction")).await.unwrap();
    store.create_session(&as_user(&direction), direction.id, "d", "c").await.unwrap();
    let after_success = store.record_sign_in_failure(&anonymous(), "direction", short).await.unwrap();
    assert_eq!(after_success.recent_failures, 1);
    assert_eq!(after_success.locked_until, None);
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    let failure = entries.iter().find(|entry| entry.event.action.as_str() == "sign_in_failed").unwrap();
    assert_eq!(failure.event.entity_kind, EntityKind::Other);
    assert_eq!(failure.event.entity_id, "login:gestionnaire");
    assert_eq!(failure.event.attribution.actor.to_audit_text(), "system:anonymous");
    let _ = user;
}
contract_test!(five_failures_lock_a_login_out_for_the_duration);

async fn failures_during_a_window_count_only_after_the_last_lockout(db: TestDb) {
    let store = &db.store;
    people(store).await;
    // A one-microsecond lock-out ends at once: the next failures count afresh.
    let rule = LockoutRule { threshold: 2, window: SignedDuration::from_mins(15), duration: SignedDuration::from_micros(1) };
    store.record_sign_in_failure(&anonymous(), "gestionnaire", rule).await.unwrap();
    let locking = store.record_sign_in_failure(&anonymous(), "gestionnaire", rule).await.unwrap();
    assert!(locking.locked_until.is_some());
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let next = store.record_sign_in_failure(&anonymous(), "gestionnaire", rule).await.unwrap();
    assert_eq!(next.recent_failures, 1, "failures already punished by a lock-out are not counted twice");
    assert_eq!(next.locked_until, None);
}
contract_test!(failures_during_a_window_count_only_after_the_last_lockout);

async fn api_tokens_are_created_found_listed_and_revoked(db: TestDb) {
    let store = &db.store;
    let (user, theirs) = people(store).await;
    let created = store
        .create_api_token(&as_user(&user), &NewApiToken { user_id: user.id, name: "connecteur facebook".into(), token_hash: "th-1".into() })
        .await
        .unwrap();
    assert_eq!(created.role, user.role);
    assert_eq!(created.last_used_at, None);
    assert_eq!(created.revoked_at, None);
    assert_eq!(last_actions(store, 1).await, ["api_token_created"]);
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    assert!(!entries.last().unwrap().event.after_json.as_deref().unwrap().contains("th-1"), "the hash stays out of the log");

    let (found, owner) = store.api_token_by_hash("th-1").await.unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(owner, user);
    assert_eq!(store.api_token_by_hash("th-2").await.unwrap(), None);

    let used = created.created_at + SignedDuration::from_secs(90);
    store.touch_api_token(created.id, used).await.unwrap();
    assert_eq!(store.api_token_by_hash("th-1").await.unwrap().unwrap().0.last_used_at, Some(used));

    let second = store
        .create_api_token(&as_user(&user), &NewApiToken { user_id: user.id, name: "script".into(), token_hash: "th-2".into() })
        .await
        .unwrap();
    let other = store
        .create_api_token(&as_user(&theirs), &NewApiToken { user_id: theirs.id, name: "ailleurs".into(), token_hash: "th-3".into() })
        .await
        .unwrap();
    let listed: Vec<i64> = store.list_api_tokens(&mamh(), None).await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(listed, [second.id, created.id], "newest first, this organisation only");
    let mine: Vec<i64> = store.list_api_tokens(&mamh(), Some(theirs.id)).await.unwrap().iter().map(|t| t.id).collect();
    assert!(mine.is_empty());

    // Another organisation's token cannot be revoked through this one.
    let refused = store.revoke_api_token(&as_user(&user), &mamh(), other.id).await.unwrap_err();
    assert!(matches!(refused, StoreError::NotFound { .. }), "{refused:?}");
    let revoked = store.revoke_api_token(&as_user(&user), &mamh(), created.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(last_actions(store, 1).await, ["api_token_revoked"]);
    let before = audit_count(store).await;
    let again = store.revoke_api_token(&as_user(&user), &mamh(), created.id).await.unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at, "revoking twice keeps the first time");
    assert_eq!(audit_count(store).await, before);
    assert!(store.api_token_by_hash("th-1").await.unwrap().unwrap().0.revoked_at.is_some());

    let duplicate = store
        .create_api_token(&as_user(&user), &NewApiToken { user_id: user.id, name: "copie".into(), token_hash: "th-2".into() })
        .await
        .unwrap_err();
    assert!(matches!(duplicate, StoreError::AlreadyExists { .. }), "{duplicate:?}");
    assert!(matches!(store.verify_audit_chain().await.unwrap(), domain::audit::AuditVerification::Intact { .. }));
}
contract_test!(api_tokens_are_created_found_listed_and_revoked);
