//! Contract tests for OpenID Connect sign-in's storage: accounts' e-mail addresses, links
//! between accounts and a provider's subjects, and sessions opened through a provider, on
//! both backends. Every change leaves its audit entry in the same transaction.

use domain::audit::{Actor, Attribution, AuditVerification, EntityKind};
use domain::entities::User;
use store::auth::{EmailAddress, OidcIdentity, PendingOidcSave, PendingOidcSignIn};
use store::{Store, StoreError};

use crate::contract_test;
use crate::helpers::*;

const ISSUER: &str = "https://idp.exemple.gouv.qc.ca";

fn identity(subject: &str) -> OidcIdentity {
    OidcIdentity { issuer: ISSUER.to_owned(), subject: subject.to_owned() }
}

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn as_user(user: &User) -> Attribution {
    Attribution::by(Actor::User(user.login.clone()))
}

async fn two_people(store: &Store) -> (User, User) {
    store.upsert_organisation(&system(), &organisation("mamh")).await.unwrap();
    let first = store.add_user(&system(), &crate::user("mamh", "c.tremblay")).await.unwrap();
    let second = store.add_user(&system(), &crate::user("mamh", "m.gagnon")).await.unwrap();
    (first, second)
}

async fn last_entry(store: &Store) -> domain::audit::AuditEntry {
    store.audit_entries(0, 10_000).await.unwrap().pop().unwrap()
}

async fn email_addresses_are_unique_case_insensitive_and_audited(db: TestDb) {
    let store = &db.store;
    let (first, second) = two_people(store).await;
    assert_eq!(store.user_email(first.id).await.unwrap(), None);
    store.set_user_email(&system(), first.id, Some(&email("C.Tremblay@Exemple.gouv.qc.ca"))).await.unwrap();
    assert_eq!(store.user_email(first.id).await.unwrap(), Some(email("c.tremblay@exemple.gouv.qc.ca")));
    let entry = last_entry(store).await;
    assert_eq!(entry.event.action.as_str(), "user_email_changed");
    assert!(entry.event.after_json.unwrap().contains("c.tremblay@exemple.gouv.qc.ca"));

    let count = store.audit_entries(0, 10_000).await.unwrap().len();
    store.set_user_email(&system(), first.id, Some(&email("c.tremblay@exemple.gouv.qc.ca"))).await.unwrap();
    assert_eq!(store.audit_entries(0, 10_000).await.unwrap().len(), count, "no change, no entry");

    let taken = store.set_user_email(&system(), second.id, Some(&email("C.TREMBLAY@exemple.gouv.qc.ca"))).await.unwrap_err();
    assert!(matches!(taken, StoreError::AlreadyExists { entity: EntityKind::User, .. }), "{taken:?}");
    assert_eq!(store.user_email(second.id).await.unwrap(), None);

    store.set_user_email(&system(), first.id, None).await.unwrap();
    assert_eq!(store.user_email(first.id).await.unwrap(), None);
    // Once cleared, the address is free for another account.
    store.set_user_email(&system(), second.id, Some(&email("c.tremblay@exemple.gouv.qc.ca"))).await.unwrap();
    assert!(EmailAddress::parse("sans-arobase").is_err());
    assert!(EmailAddress::parse("a@b").is_err());
    assert!(EmailAddress::parse("a b@c.ca").is_err());
}
contract_test!(email_addresses_are_unique_case_insensitive_and_audited);

async fn identities_link_one_subject_per_account_and_issuer(db: TestDb) {
    let store = &db.store;
    let (first, second) = two_people(store).await;
    assert_eq!(store.user_by_oidc_identity(&identity("sujet-1")).await.unwrap(), None);
    store.link_oidc_identity(&system(), first.id, &identity("sujet-1")).await.unwrap();
    assert_eq!(store.user_by_oidc_identity(&identity("sujet-1")).await.unwrap(), Some(first.clone()));
    let entry = last_entry(store).await;
    assert_eq!(entry.event.action.as_str(), "oidc_identity_linked");
    assert_eq!(entry.event.before_json, None);
    // Same subject at another issuer is another identity.
    let elsewhere = OidcIdentity { issuer: "https://autre.exemple".to_owned(), subject: "sujet-1".to_owned() };
    assert_eq!(store.user_by_oidc_identity(&elsewhere).await.unwrap(), None);

    // The subject belongs to one account only.
    let taken = store.link_oidc_identity(&system(), second.id, &identity("sujet-1")).await.unwrap_err();
    assert!(matches!(taken, StoreError::AlreadyExists { .. }), "{taken:?}");

    // An administrator's new link replaces the account's earlier subject.
    store.link_oidc_identity(&system(), first.id, &identity("sujet-2")).await.unwrap();
    assert_eq!(store.user_by_oidc_identity(&identity("sujet-1")).await.unwrap(), None);
    assert_eq!(store.user_by_oidc_identity(&identity("sujet-2")).await.unwrap(), Some(first.clone()));
    assert!(last_entry(store).await.event.before_json.unwrap().contains("sujet-1"));

    let missing = store
        .link_oidc_identity(&system(), domain::entities::UserId::new(424_242), &identity("x"))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { entity: EntityKind::User, .. }), "{missing:?}");
    assert!(matches!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { .. }));
}
contract_test!(identities_link_one_subject_per_account_and_issuer);

async fn a_first_sign_in_by_email_links_the_account_and_opens_a_session(db: TestDb) {
    let store = &db.store;
    let (first, second) = two_people(store).await;
    store.set_user_email(&system(), first.id, Some(&email("c.tremblay@exemple.gouv.qc.ca"))).await.unwrap();
    let found = store.user_by_email_unlinked(ISSUER, &email("C.Tremblay@exemple.gouv.qc.ca")).await.unwrap();
    assert_eq!(found, Some(first.clone()));
    assert_eq!(store.user_by_email_unlinked(ISSUER, &email("personne@exemple.gouv.qc.ca")).await.unwrap(), None);

    let session = store
        .create_oidc_session(&as_user(&first), first.id, "hash-oidc", "csrf", &identity("sujet-ct"), true)
        .await
        .unwrap();
    assert_eq!(session.user, first);
    assert_eq!(store.session_by_token_hash("hash-oidc").await.unwrap(), Some(session));
    assert_eq!(store.user_by_oidc_identity(&identity("sujet-ct")).await.unwrap(), Some(first.clone()));
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    let actions: Vec<&str> = entries[entries.len() - 2..].iter().map(|entry| entry.event.action.as_str()).collect();
    assert_eq!(actions, ["oidc_identity_linked", "signed_in"]);
    let signed_in: serde_json::Value = serde_json::from_str(entries[entries.len() - 1].event.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(signed_in["method"], "oidc");
    assert_eq!(signed_in["issuer"], ISSUER);
    assert_eq!(signed_in["subject"], "sujet-ct");

    // Once linked, the address no longer links anything at this issuer.
    assert_eq!(store.user_by_email_unlinked(ISSUER, &email("c.tremblay@exemple.gouv.qc.ca")).await.unwrap(), None);
    // Linking by e-mail never replaces a link: the second account already linked refuses.
    store.link_oidc_identity(&system(), second.id, &identity("sujet-mg")).await.unwrap();
    let refused = store
        .create_oidc_session(&as_user(&second), second.id, "hash-2", "csrf", &identity("sujet-autre"), true)
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::AlreadyExists { .. }), "{refused:?}");
    assert_eq!(store.session_by_token_hash("hash-2").await.unwrap(), None, "nothing half-done");

    // A password sign-in says so in its entry.
    store.create_session(&as_user(&second), second.id, "hash-3", "csrf").await.unwrap();
    let entry = last_entry(store).await;
    assert!(entry.event.after_json.unwrap().contains(r#""method":"password""#));
    assert!(matches!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { .. }));
}
contract_test!(a_first_sign_in_by_email_links_the_account_and_opens_a_session);

// ------------------------------------------------------------ pending sign-ins

fn pending_at(created_at: jiff::Timestamp, nonce: &str) -> PendingOidcSignIn {
    PendingOidcSignIn {
        nonce: nonce.to_owned(),
        pkce_verifier: format!("verificateur-{nonce}"),
        return_path: "/boite?vue=mes-cas".to_owned(),
        lang: "fr".to_owned(),
        created_at,
        expires_at: created_at + jiff::SignedDuration::from_secs(600),
    }
}

/// The key the web layer uses: hex SHA-256 of the state (any 64-character text will do here).
fn state_hash(state: &str) -> String {
    format!("{state:0>64}")
}

fn now() -> jiff::Timestamp {
    // Whole microseconds, as the store keeps them.
    jiff::Timestamp::from_microsecond(jiff::Timestamp::now().as_microsecond()).unwrap()
}

async fn a_pending_sign_in_is_taken_once_and_leaves_no_audit_entry(db: TestDb) {
    let store = &db.store;
    let entries_before = store.audit_entries(0, 10_000).await.unwrap().len();
    let started = now();
    let pending = pending_at(started, "n1");
    assert_eq!(store.save_pending_oidc_sign_in(&state_hash("a"), &pending, 10).await.unwrap(), PendingOidcSave::Saved);
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("autre"), started).await.unwrap(), None);
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("a"), started).await.unwrap(), Some(pending));
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("a"), started).await.unwrap(), None, "a state cannot be replayed");
    // Anonymous starts write nothing to the audit log.
    assert_eq!(store.audit_entries(0, 10_000).await.unwrap().len(), entries_before);
    // The same key twice is refused (states are random; a collision is a bug, not a retry).
    store.save_pending_oidc_sign_in(&state_hash("b"), &pending_at(started, "n2"), 10).await.unwrap();
    assert!(store.save_pending_oidc_sign_in(&state_hash("b"), &pending_at(started, "n3"), 10).await.is_err());
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("b"), started).await.unwrap().unwrap().nonce, "n2");
}
contract_test!(a_pending_sign_in_is_taken_once_and_leaves_no_audit_entry);

async fn an_expired_pending_sign_in_is_refused_and_forgotten(db: TestDb) {
    let store = &db.store;
    let eleven_minutes_ago = now() - jiff::SignedDuration::from_secs(660);
    store.save_pending_oidc_sign_in(&state_hash("vieux"), &pending_at(eleven_minutes_ago, "n"), 10).await.unwrap();
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("vieux"), now()).await.unwrap(), None);
    // Taking it forgot it: even a clock put back finds nothing.
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("vieux"), eleven_minutes_ago).await.unwrap(), None);
    // One microsecond before its end it is still good.
    let recent = pending_at(eleven_minutes_ago, "m");
    store.save_pending_oidc_sign_in(&state_hash("limite"), &recent, 10).await.unwrap();
    let just_before = recent.expires_at - jiff::SignedDuration::from_micros(1);
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("limite"), just_before).await.unwrap(), Some(recent));
}
contract_test!(an_expired_pending_sign_in_is_refused_and_forgotten);

async fn of_two_instances_taking_the_same_state_exactly_one_wins(db: TestDb) {
    // A second connection pool to the same database plays the second instance.
    let first = db.store.clone();
    let second = Store::connect(&db.url).await.unwrap();
    let started = now();
    for round in 0..20 {
        let key = state_hash(&format!("course{round}"));
        first.save_pending_oidc_sign_in(&key, &pending_at(started, "n"), 100).await.unwrap();
        let (one, other) = tokio::join!(
            tokio::spawn({
                let (store, key) = (first.clone(), key.clone());
                async move { store.take_pending_oidc_sign_in(&key, started).await.unwrap() }
            }),
            tokio::spawn({
                let (store, key) = (second.clone(), key.clone());
                async move { store.take_pending_oidc_sign_in(&key, started).await.unwrap() }
            }),
        );
        let winners = [one.unwrap(), other.unwrap()].into_iter().flatten().count();
        assert_eq!(winners, 1, "round {round}: {winners} takes won");
    }
}
contract_test!(of_two_instances_taking_the_same_state_exactly_one_wins);

async fn expired_pending_sign_ins_are_purged_in_bounded_batches_and_counted_toward_no_cap(db: TestDb) {
    let store = &db.store;
    let started = now();
    let long_ago = started - jiff::SignedDuration::from_secs(3_600);
    store.save_pending_oidc_sign_in(&state_hash("frais"), &pending_at(started, "n"), 100).await.unwrap();
    // Saved as if started an hour ago (a save purges only what expired by its own start).
    for index in 0..5 {
        store.save_pending_oidc_sign_in(&state_hash(&format!("vieux{index}")), &pending_at(long_ago, "n"), 100).await.unwrap();
    }
    assert_eq!(store.purge_expired_oidc_sign_ins(started, 2).await.unwrap(), 2, "bounded by the limit");
    assert_eq!(store.purge_expired_oidc_sign_ins(started, 100).await.unwrap(), 3);
    assert_eq!(store.purge_expired_oidc_sign_ins(started, 100).await.unwrap(), 0);
    assert!(store.take_pending_oidc_sign_in(&state_hash("frais"), started).await.unwrap().is_some(), "unexpired ones stay");

    // The cap: past `max_pending` unexpired sign-ins, new ones are refused and nothing is
    // written; expired ones do not count (a save forgets them first).
    for index in 0..3 {
        store.save_pending_oidc_sign_in(&state_hash(&format!("perime{index}")), &pending_at(long_ago, "n"), 100).await.unwrap();
    }
    for index in 0..3 {
        let saved = store.save_pending_oidc_sign_in(&state_hash(&format!("plein{index}")), &pending_at(started, "n"), 3).await.unwrap();
        assert_eq!(saved, PendingOidcSave::Saved, "start {index}");
    }
    let refused = store.save_pending_oidc_sign_in(&state_hash("de-trop"), &pending_at(started, "n"), 3).await.unwrap();
    assert_eq!(refused, PendingOidcSave::TooMany);
    assert_eq!(store.take_pending_oidc_sign_in(&state_hash("de-trop"), started).await.unwrap(), None, "nothing written");
    assert_eq!(store.purge_expired_oidc_sign_ins(started, 100).await.unwrap(), 0, "the saves purged the expired ones");
    // Once one is taken, there is room again.
    store.take_pending_oidc_sign_in(&state_hash("plein0"), started).await.unwrap().unwrap();
    let saved = store.save_pending_oidc_sign_in(&state_hash("de-trop"), &pending_at(started, "n"), 3).await.unwrap();
    assert_eq!(saved, PendingOidcSave::Saved);
}
contract_test!(expired_pending_sign_ins_are_purged_in_bounded_batches_and_counted_toward_no_cap);
