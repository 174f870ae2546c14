//! Contract tests for the editorial calendar on both backends: entries with
//! their variants round-trip, decisions move the entry and are audited in the same
//! transaction, a decision on a stale status is refused and leaves nothing behind,
//! publication fills the outbox, postponements are all or nothing, feed tokens are hashed.

use domain::editorial::{EntryContent, EntryId, EntryStatus, LiveVideoAssessment, Media, SuggestionDocumentation, Variant};
use domain::entities::{Network, OrganisationId, User};
use domain::profile::ContentType;
use jiff::Timestamp;
use store::editorial::{ConfirmedMove, EntryRange, NewDecision};
use store::{Store, StoreError};

use crate::contract_test;
use crate::helpers::*;

fn mamh() -> OrganisationId {
    OrganisationId::parse("mamh").unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn content(title: &str, when: Option<&str>) -> EntryContent {
    EntryContent {
        organisation_id: mamh(),
        title: title.into(),
        scheduled_at: when.map(at),
        content_type: ContentType::Regular,
        campaign: Some("Sécurité des piscines".into()),
        sector: Some("habitation".into()),
        geolocation: Some("Québec".into()),
        budget: Some("500 $".into()),
        documentation: Some(SuggestionDocumentation::parse("Une page, tout au plus.", 3000, 500).unwrap()),
        already_validated: false,
        live_video: Some(LiveVideoAssessment::new([true, true, false, true, true, true, false, true, false, false])),
        variants: vec![
            Variant {
                network: Network::parse("facebook").unwrap(),
                message: "L'été arrive : pensez à la sécurité de votre piscine.".into(),
                hashtags: vec!["piscine".into()],
                link: Some("https://www.quebec.ca/piscines?utm_source=facebook".into()),
                media: Some(Media::Image { reference: "piscine.png".into(), alt_text: "Une clôture autour d'une piscine".into() }),
                mentions: vec!["@MAMH".into()],
            },
            Variant {
                network: Network::parse("x").unwrap(),
                message: "Sécurité des piscines : les règles.".into(),
                hashtags: vec![],
                link: None,
                media: Some(Media::Video { reference: "v.mp4".into(), subtitles: true, live: false }),
                mentions: vec![],
            },
        ],
    }
}

struct People {
    drafter: User,
    sector: User,
}

async fn people(store: &Store) -> People {
    store.upsert_organisation(&system(), &organisation("mamh")).await.unwrap();
    let drafter = store.add_user(&system(), &crate::user("mamh", "c.gestionnaire")).await.unwrap();
    let sector = store.add_user(&system(), &crate::user("mamh", "s.secteur")).await.unwrap();
    People { drafter, sector }
}

fn drafting() -> EntryStatus {
    EntryStatus::AtStep { step: "drafting".into() }
}

async fn entries_round_trip_with_their_variants_and_are_audited(db: TestDb) {
    let store = &db.store;
    let p = people(store).await;
    let before = audit_count(store).await;
    let created = store.create_entry(&system(), &content("Piscines", Some("2026-06-01T14:00:00Z")), &drafting(), p.drafter.id).await.unwrap();
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(created.content, content("Piscines", Some("2026-06-01T14:00:00Z")));
    assert_eq!(created.status, drafting());
    assert_eq!(store.get_entry(created.id).await.unwrap(), Some(created.clone()));
    let entries = store.audit_entries(before, 10).await.unwrap();
    assert_eq!(entries[0].event.action.as_str(), "editorial_entry_created");
    assert_eq!(entries[0].event.entity_id, format!("editorial_entry:{}", created.id));
    assert_eq!(entries[0].event.attribution.rule.as_deref(), Some("R-50"));

    // Update replaces the variants.
    let mut changed = created.content.clone();
    changed.variants.truncate(1);
    changed.title = "Piscines (révisé)".into();
    let updated = store.update_entry(&system(), created.id, &drafting(), &changed).await.unwrap();
    assert_eq!(updated.content, changed);
    // Updating on a stale status is refused and writes nothing.
    let count = audit_count(store).await;
    let stale = EntryStatus::AtStep { step: "approval".into() };
    assert!(matches!(store.update_entry(&system(), created.id, &stale, &content("x", None)).await, Err(StoreError::InvalidRequest(_))));
    assert_eq!(audit_count(store).await, count);

    // Two variants for one network are refused.
    let mut twice = content("Double", None);
    twice.variants[1].network = Network::parse("facebook").unwrap();
    assert!(matches!(store.create_entry(&system(), &twice, &drafting(), p.drafter.id).await, Err(StoreError::InvalidRequest(_))));

    // Ranges: scheduled in [from, to), unscheduled on request, by time.
    let later = store.create_entry(&system(), &content("Plus tard", Some("2026-06-03T14:00:00Z")), &drafting(), p.drafter.id).await.unwrap();
    let undated = store.create_entry(&system(), &content("Sans date", None), &drafting(), p.drafter.id).await.unwrap();
    let june = EntryRange { from: Some(at("2026-06-01T00:00:00Z")), to: Some(at("2026-06-02T00:00:00Z")), include_unscheduled: false };
    let ids: Vec<EntryId> = store.list_entries(&mamh(), &june).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![created.id]);
    let all = EntryRange { include_unscheduled: true, ..EntryRange::default() };
    let ids: Vec<EntryId> = store.list_entries(&mamh(), &all).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![created.id, later.id, undated.id]);
    assert_eq!(store.list_entries(&mamh(), &all).await.unwrap()[1].content.variants.len(), 2);
}
contract_test!(entries_round_trip_with_their_variants_and_are_audited);

fn decision(entry: EntryId, from: EntryStatus, step: &str, kind: &str, by: &User, to: EntryStatus) -> NewDecision {
    NewDecision {
        entry_id: entry,
        expected_status: from,
        step: step.into(),
        decision: kind.into(),
        decided_by: by.id,
        role: "community_manager".into(),
        comment: Some("Commentaire, avec « guillemets ».".into()),
        external_validator: None,
        new_status: to,
        drafted_by: Some(by.id),
        publish: false,
        published_texts: Default::default(),
    }
}

async fn decisions_move_the_entry_publication_fills_the_outbox(db: TestDb) {
    let store = &db.store;
    let p = people(store).await;
    let entry = store.create_entry(&system(), &content("Piscines", Some("2026-06-01T14:00:00Z")), &drafting(), p.drafter.id).await.unwrap();
    let approval = EntryStatus::AtStep { step: "approval".into() };
    let moved = store.record_decision(&system(), &decision(entry.id, drafting(), "drafting", "approve", &p.drafter, approval.clone())).await.unwrap();
    assert_eq!(moved.status, approval);
    assert_eq!(moved.drafted_by, Some(p.drafter.id));

    // A decision taken on a status that changed is refused, with nothing written.
    let count = audit_count(store).await;
    let stale = store.record_decision(&system(), &decision(entry.id, drafting(), "drafting", "approve", &p.drafter, approval.clone())).await;
    assert!(matches!(stale, Err(StoreError::InvalidRequest(_))), "{stale:?}");
    assert_eq!(audit_count(store).await, count);
    assert_eq!(store.list_decisions(entry.id).await.unwrap().len(), 1);

    let mut publish = decision(entry.id, approval.clone(), "approval", "approve", &p.sector, EntryStatus::Published);
    publish.publish = true;
    publish.drafted_by = Some(p.drafter.id);
    let published = store.record_decision(&system(), &publish).await.unwrap();
    assert_eq!(published.status, EntryStatus::Published);
    let decisions = store.list_decisions(entry.id).await.unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[1].decided_by_name, "Personne s.secteur");
    assert_eq!(decisions[1].comment.as_deref(), Some("Commentaire, avec « guillemets »."));
    let pending = store.pending_publications(10).await.unwrap();
    assert_eq!(pending.iter().map(|p| p.network.as_str()).collect::<Vec<_>>(), ["facebook", "x"]);
    assert_eq!(pending[0].publish_at, Some(at("2026-06-01T14:00:00Z")));
    let payload: serde_json::Value = serde_json::from_str(&pending[0].payload_json).unwrap();
    assert_eq!(payload["text"], "L'été arrive : pensez à la sécurité de votre piscine. #piscine");
    let last = store.audit_entries(0, 100).await.unwrap().into_iter().last().unwrap();
    assert_eq!(last.event.action.as_str(), "editorial_entry_published");
    assert!(last.event.after_json.unwrap().contains("outbox_ids"));

    let sent = store.finish_publication(&system(), pending[0].id, None).await.unwrap();
    assert_eq!(sent.status, "sent");
    let failed = store.finish_publication(&system(), pending[1].id, Some("jeton expiré")).await.unwrap();
    assert_eq!((failed.status.as_str(), failed.last_error.as_deref()), ("failed", Some("jeton expiré")));
    assert!(store.pending_publications(10).await.unwrap().is_empty());
    assert!(matches!(store.finish_publication(&system(), pending[0].id, None).await, Err(StoreError::NotFound { .. })));
}
contract_test!(decisions_move_the_entry_publication_fills_the_outbox);

async fn postponements_are_all_or_nothing_and_audited(db: TestDb) {
    let store = &db.store;
    let p = people(store).await;
    let first = store.create_entry(&system(), &content("Un", Some("2026-06-01T14:00:00Z")), &drafting(), p.drafter.id).await.unwrap();
    let second = store.create_entry(&system(), &content("Deux", Some("2026-06-01T15:00:00Z")), &drafting(), p.drafter.id).await.unwrap();
    let count = audit_count(store).await;
    // The second move names a stale time: nothing moves.
    let moves = [
        ConfirmedMove { entry_id: first.id, from: Some(at("2026-06-01T14:00:00Z")), to: at("2026-06-02T13:00:00Z") },
        ConfirmedMove { entry_id: second.id, from: Some(at("2026-06-01T14:59:00Z")), to: at("2026-06-02T14:00:00Z") },
    ];
    assert!(store.postpone_entries(&system(), &mamh(), &moves, "Actualité urgente", p.drafter.id).await.is_err());
    assert_eq!(audit_count(store).await, count);
    assert_eq!(store.get_entry(first.id).await.unwrap().unwrap().content.scheduled_at, Some(at("2026-06-01T14:00:00Z")));

    let moves = [
        ConfirmedMove { entry_id: first.id, from: Some(at("2026-06-01T14:00:00Z")), to: at("2026-06-02T13:00:00Z") },
        ConfirmedMove { entry_id: second.id, from: Some(at("2026-06-01T15:00:00Z")), to: at("2026-06-02T14:00:00Z") },
    ];
    let moved = store.postpone_entries(&system(), &mamh(), &moves, "Actualité urgente", p.drafter.id).await.unwrap();
    assert_eq!(moved[1].content.scheduled_at, Some(at("2026-06-02T14:00:00Z")));
    assert_eq!(audit_count(store).await, count + 2);
    let history = store.list_postponements(second.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].from, history[0].to, history[0].reason.as_str()), (Some(at("2026-06-01T15:00:00Z")), at("2026-06-02T14:00:00Z"), "Actualité urgente"));
}
contract_test!(postponements_are_all_or_nothing_and_audited);

async fn feed_tokens_are_found_by_hash_and_revoked(db: TestDb) {
    let store = &db.store;
    let p = people(store).await;
    store.create_feed_token(&system(), p.drafter.id, &mamh(), "a1b2").await.unwrap();
    assert_eq!(store.find_feed_token("a1b2").await.unwrap(), Some((p.drafter.id, mamh())));
    assert_eq!(store.find_feed_token("zzzz").await.unwrap(), None);
    // The same hash twice is refused.
    assert!(matches!(store.create_feed_token(&system(), p.sector.id, &mamh(), "a1b2").await, Err(StoreError::AlreadyExists { .. })));
    // A person of another organisation cannot get a token for this one.
    store.upsert_organisation(&system(), &organisation("mess")).await.unwrap();
    assert!(store.create_feed_token(&system(), p.sector.id, &OrganisationId::parse("mess").unwrap(), "c3d4").await.is_err());
    let log = store.audit_entries(0, 100).await.unwrap();
    assert!(log.iter().all(|entry| !entry.event.after_json.clone().unwrap_or_default().contains("a1b2")), "the hash stays out of the log");
    assert_eq!(store.revoke_feed_tokens(&system(), p.drafter.id).await.unwrap(), 1);
    assert_eq!(store.find_feed_token("a1b2").await.unwrap(), None);
}
contract_test!(feed_tokens_are_found_by_hash_and_revoked);
