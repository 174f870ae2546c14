//! The intake pipeline end to end, on SQLite and on PostgreSQL (from
//! `BALISE_TEST_POSTGRES_URL`, as in the store's contract suite; skipped with a notice
//! without it unless `BALISE_REQUIRE_POSTGRES=1`).

#![allow(clippy::unwrap_used)]

mod case_actions;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::audit::AuditVerification;
use domain::entities::{MessageId, OrganisationId};
use domain::profile::Profile;
use pipeline::reader::JsonLinesReader;
use pipeline::{IncomingMessage, Pipeline, RecordStatus};
use sqlx::Connection;
use store::Store;
use store::intake::IntakeStatus;

#[derive(Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

async fn run<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    match kind {
        Kind::Sqlite => {
            let directory = tempfile::tempdir().unwrap();
            let url = format!(
                "sqlite://{}",
                directory.path().join("intake.sqlite3").display()
            );
            let store = Store::connect(&url).await.unwrap();
            let outcome = tokio::spawn(test(store.clone(), url)).await;
            store.close().await;
            if let Err(error) = outcome {
                std::panic::resume_unwind(error.into_panic());
            }
        }
        Kind::Postgres => {
            let admin_url = match std::env::var("BALISE_TEST_POSTGRES_URL") {
                Ok(url) if !url.trim().is_empty() => url,
                _ => {
                    assert_ne!(
                        std::env::var("BALISE_REQUIRE_POSTGRES").as_deref(),
                        Ok("1"),
                        "BALISE_TEST_POSTGRES_URL is not set"
                    );
                    eprintln!(
                        "NOTICE: BALISE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL half of this test"
                    );
                    return;
                }
            };
            let database = format!(
                "balise_pipeline_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE \"{database}\""
            )))
            .execute(&mut admin)
            .await
            .unwrap();
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            let url = format!("{base}/{database}");
            let store = Store::connect(&url).await.unwrap();
            let outcome = tokio::spawn(test(store.clone(), url)).await;
            store.close().await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE \"{database}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .unwrap();
            if let Err(error) = outcome {
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }
}

macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::run(super::Kind::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::run(super::Kind::Postgres, super::$name).await
            }
        }
    };
}

fn mamh() -> Vec<(OrganisationId, Arc<Profile>)> {
    vec![(
        OrganisationId::parse("mamh").unwrap(),
        Arc::new(Profile::preset("mamh").unwrap()),
    )]
}

fn record(external_id: &str, text: &str) -> IncomingMessage {
    IncomingMessage {
        network: Some("facebook".into()),
        account: Some("@MAMHQuebec".into()),
        external_id: Some(external_id.into()),
        thread: Some("post-1".into()),
        author: Some(format!("u-{external_id}")),
        author_name: Some("Jeanne Citoyenne".into()),
        text: Some(text.into()),
        kind: Some("comment".into()),
        // A Monday at 14:05 in Quebec.
        received_at: Some("2026-03-02T14:05:06-05:00".into()),
        automatic: None,
    }
}

fn stored_id(status: &RecordStatus) -> MessageId {
    match status {
        RecordStatus::Stored { message_id } => MessageId::new(*message_id),
        other => panic!("expected stored, got {other:?}"),
    }
}

async fn a_message_ends_up_in_a_case_with_verdict_route_and_deadlines(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let report = pipeline
        .ingest(vec![
            record(
                "fb-1",
                "Est-ce que ma municipalité peut demander une subvention pour refaire le parc?",
            ),
            record("fb-2", "Je vais tous vous tuer demain"),
        ])
        .await
        .unwrap();
    let question = stored_id(&report.results[0]);
    let threat = stored_id(&report.results[1]);
    // Stored first: pending until processed.
    assert_eq!(
        store.intake_status(question).await.unwrap(),
        Some(IntakeStatus::Pending {
            failed_attempts: 0,
            last_error: None
        })
    );
    let processed = pipeline.process_pending(100).await.unwrap();
    assert_eq!((processed.processed, processed.cases_opened), (2, 2));

    let case = store
        .find_case_for_message(question)
        .await
        .unwrap()
        .unwrap();
    let verdict = store.get_verdict(question).await.unwrap().unwrap();
    assert_eq!(verdict.action, "publish");
    assert_eq!(verdict.engine_version, pipeline::ENGINE_VERSION);
    let suggestion = store.get_suggestion(case.id).await.unwrap().unwrap();
    assert_ne!(suggestion.suggestion.route_family, "urgent");
    assert!(suggestion.suggestion.reasons_json.contains("text_fr"));
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    let profile = Profile::preset("mamh").unwrap();
    let calendar = domain::deadlines::business_calendar(&profile, Vec::new()).unwrap();
    let plan = domain::deadlines::plan_first_response(
        &profile,
        &calendar,
        "2026-03-02T19:05:06Z".parse().unwrap(),
    )
    .unwrap();
    assert_eq!(deadlines.clock_start, plan.clock_start);
    assert_eq!(deadlines.first_response_due, plan.first_response_due);
    let stages: Vec<&str> = deadlines
        .stages
        .iter()
        .map(|stage| stage.stage.as_str())
        .collect();
    assert_eq!(
        stages,
        plan.stages
            .iter()
            .map(|stage| stage.stage.as_str())
            .collect::<Vec<_>>()
    );
    assert!(
        deadlines
            .stages
            .windows(2)
            .all(|pair| pair[0].planned_due == pair[1].starts)
    );

    // the threat goes to the urgent route, never hidden.
    let threat_case = store.find_case_for_message(threat).await.unwrap().unwrap();
    let threat_suggestion = store.get_suggestion(threat_case.id).await.unwrap().unwrap();
    assert_eq!(threat_suggestion.suggestion.route, "urgent");
    let threat_verdict = store.get_verdict(threat).await.unwrap().unwrap();
    assert!(threat_verdict.urgent.is_some());
    assert_ne!(threat_verdict.action, "hide");

    // Each step audited, with its rule, and the chain verifies.
    let entries = store.audit_entries(0, 1_000).await.unwrap();
    let for_case = |action: &str, case_id: i64| {
        entries
            .iter()
            .find(|entry| {
                entry.event.action.as_str() == action
                    && entry.event.entity_id == case_id.to_string()
            })
            .unwrap_or_else(|| panic!("no {action} entry for case {case_id}"))
    };
    for_case("case_opened", case.id.get());
    assert_eq!(
        for_case("route_suggested", threat_case.id.get())
            .event
            .attribution
            .rule
            .as_deref(),
        Some("R-13")
    );
    assert!(
        for_case("deadlines_planned", case.id.get())
            .event
            .attribution
            .rule
            .as_deref()
            .unwrap()
            .starts_with("commitment:")
    );
    let verdict_entry = entries
        .iter()
        .find(|entry| {
            entry.event.action.as_str() == "verdict_recorded"
                && entry.event.entity_id == threat.to_string()
        })
        .unwrap();
    assert!(
        verdict_entry
            .event
            .after_json
            .as_deref()
            .unwrap()
            .contains("urgent")
    );
    assert!(matches!(
        store.verify_audit_chain().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
}
both_backends!(a_message_ends_up_in_a_case_with_verdict_route_and_deadlines);

async fn the_same_message_twice_makes_one_case(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let first = pipeline
        .ingest(vec![
            record("fb-9", "Merci pour l'information!"),
            record("fb-9", "Merci pour l'information!"),
        ])
        .await
        .unwrap();
    assert_eq!(first.stored(), 1);
    assert_eq!(first.duplicates(), 1);
    pipeline.process_pending(10).await.unwrap();
    let again = pipeline
        .ingest(vec![record("fb-9", "Merci pour l'information!")])
        .await
        .unwrap();
    assert_eq!(again.results, vec![RecordStatus::Duplicate]);
    // A second pipeline (a restart) finds nothing left to do.
    let restarted = Pipeline::new(store.clone(), mamh(), None);
    assert_eq!(restarted.process_pending(10).await.unwrap().processed, 0);
    assert_eq!(store.count_messages().await.unwrap(), 1);
    let message = store
        .find_message(&"facebook".try_into().unwrap(), &"fb-9".try_into().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .find_case_for_message(message.id)
            .await
            .unwrap()
            .is_some()
    );
    let opened = store
        .audit_entries(0, 1_000)
        .await
        .unwrap()
        .iter()
        .filter(|entry| entry.event.action.as_str() == "case_opened")
        .count();
    assert_eq!(opened, 1);
}
both_backends!(the_same_message_twice_makes_one_case);

async fn bad_records_are_refused_with_their_field_and_valid_ones_kept(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let huge = "é".repeat(5 * 1024 * 1024); // 10 MB of UTF-8
    let mut lines: Vec<u8> = Vec::new();
    let good = |id: &str| {
        serde_json::to_vec(&serde_json::json!({
            "network": "facebook", "account": "@MAMHQuebec", "external_id": id, "author": "u-1",
            "text": "Bonjour", "kind": "comment", "received_at": "2026-03-02T14:05:06-05:00"
        }))
        .unwrap()
    };
    lines.extend(good("ok-1"));
    lines.extend(b"\n{\"network\":\"facebook\",\"text\":\"caf\xC3\"}\n");
    lines.extend(
        serde_json::to_vec(&serde_json::json!({
            "network": "facebook", "account": "@MAMHQuebec", "external_id": "big", "author": "u-1",
            "text": huge, "kind": "comment", "received_at": "2026-03-02T14:05:06-05:00"
        }))
        .unwrap(),
    );
    lines.push(b'\n');
    lines.extend(serde_json::to_vec(&serde_json::json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": "no-date", "author": "u-1",
        "text": "x", "kind": "comment", "received_at": "2026-02-30T10:00:00Z"
    })).unwrap());
    lines.push(b'\n');
    lines.extend(
        serde_json::to_vec(&serde_json::json!({
            "network": "facebook", "external_id": "no-account", "author": "u-1",
            "text": "x", "kind": "comment", "received_at": "2026-03-02T10:00:00Z"
        }))
        .unwrap(),
    );
    lines.push(b'\n');
    lines.extend(good("ok-2"));
    lines.push(b'\n');

    let mut batch = Vec::new();
    let mut batch_lines = Vec::new();
    let mut problems: Vec<(u64, String, &str)> = Vec::new();
    for read in JsonLinesReader::new(lines.as_slice()) {
        let read = read.unwrap();
        match read.record {
            Ok(record) => {
                batch.push(record);
                batch_lines.push(read.line);
            }
            Err(error) => problems.push((read.line, error.field, error.code)),
        }
    }
    let report = pipeline.ingest(batch).await.unwrap();
    for (status, line) in report.results.iter().zip(&batch_lines) {
        if let RecordStatus::Refused { error } = status {
            problems.push((*line, error.field.clone(), error.code));
        }
    }
    problems.sort();
    assert_eq!(
        problems,
        vec![
            (2, String::new(), "invalid_utf8"),
            (3, "text".into(), "too_long"),
            (4, "received_at".into(), "invalid_date"),
            (5, "account".into(), "missing"),
        ]
    );
    assert_eq!(report.stored(), 2);
    assert_eq!(store.count_messages().await.unwrap(), 2);
}
both_backends!(bad_records_are_refused_with_their_field_and_valid_ones_kept);

async fn automatic_mentions_are_stored_but_are_not_cases(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let mut mention = record("mention-1", "@MAMHQuebec");
    mention.kind = Some("mention".into());
    mention.automatic = Some("true".into());
    let mut person = record("mention-2", "@MAMHQuebec avez-vous vu l'état de la route?");
    person.kind = Some("mention".into());
    let report = pipeline.ingest(vec![mention, person]).await.unwrap();
    let automatic = stored_id(&report.results[0]);
    let written = stored_id(&report.results[1]);
    let processed = pipeline.process_pending(10).await.unwrap();
    assert_eq!((processed.not_cases, processed.cases_opened), (1, 1));
    assert_eq!(
        store.intake_status(automatic).await.unwrap(),
        Some(IntakeStatus::Processed { case_id: None })
    );
    assert!(
        store
            .find_case_for_message(automatic)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.get_message(automatic).await.unwrap().is_some());
    assert!(
        store
            .find_case_for_message(written)
            .await
            .unwrap()
            .is_some()
    );
}
both_backends!(automatic_mentions_are_stored_but_are_not_cases);

async fn blog_comments_are_held_for_review_when_the_blog_filters_them(store: Store, _url: String) {
    let baie_comeau = vec![(
        OrganisationId::parse("baie-comeau").unwrap(),
        Arc::new(Profile::preset("baie-comeau").unwrap()),
    )];
    assert!(Profile::preset("baie-comeau").unwrap().blog().unwrap().comments_filtered_before_publication);
    let pipeline = Pipeline::new(store.clone(), baie_comeau, None);
    let mut on_blog = record("blog-1", "Merci pour ce beau billet sur la rue piétonne, bravo à l'équipe.");
    on_blog.network = Some("blog".into());
    on_blog.account = Some("blogue-ville".into());
    let mut on_x = record("x-1", "Merci pour ce beau billet sur la rue piétonne, bravo à l'équipe.");
    on_x.network = Some("x".into());
    on_x.account = Some("@VilleBaieComeau".into());
    let report = pipeline.ingest(vec![on_blog, on_x]).await.unwrap();
    let blog_comment = stored_id(&report.results[0]);
    let tweet = stored_id(&report.results[1]);
    pipeline.process_pending(10).await.unwrap();
    let held = store.get_verdict(blog_comment).await.unwrap().unwrap();
    assert_eq!(held.action, "review");
    assert!(held.explanation.contains("blogue"), "{}", held.explanation);
    let published = store.get_verdict(tweet).await.unwrap().unwrap();
    assert_eq!(published.action, "publish");
    let text = store.get_message(blog_comment).await.unwrap().unwrap().received.text;
    assert_eq!(text, "Merci pour ce beau billet sur la rue piétonne, bravo à l'équipe.");
}
both_backends!(blog_comments_are_held_for_review_when_the_blog_filters_them);

async fn stored_but_unprocessed_messages_are_picked_up_and_failures_stay_pending(
    store: Store,
    url: String,
) {
    // An instance that stores but dies before processing.
    let first = Pipeline::new(store.clone(), mamh(), None);
    let report = first
        .ingest(
            (0..30)
                .map(|index| {
                    record(
                        &format!("p-{index}"),
                        "Bonjour, une question sur le programme",
                    )
                })
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(report.stored(), 30);
    drop(first);
    // A restarted process, on its own connection, that does not know the organisation yet:
    // processing fails, the messages stay pending with the error.
    let reopened = Store::connect(&url).await.unwrap();
    let unknown = Pipeline::new(reopened.clone(), Vec::new(), None);
    let failed = unknown.process_pending(5).await.unwrap();
    assert_eq!(failed.failed, 5);
    let first_id = stored_id(&report.results[0]);
    let Some(IntakeStatus::Pending {
        failed_attempts: 1,
        last_error: Some(error),
    }) = reopened.intake_status(first_id).await.unwrap()
    else {
        panic!("still pending")
    };
    assert!(error.contains("mamh"), "{error}");
    assert_eq!(reopened.count_pending().await.unwrap(), 30);
    // With the profile loaded, everything is processed.
    let fixed = Pipeline::new(reopened.clone(), mamh(), None);
    let processed = fixed.process_all_pending().await.unwrap();
    assert_eq!(processed.cases_opened, 30);
    assert_eq!(reopened.count_pending().await.unwrap(), 0);
    assert!(matches!(
        reopened.verify_audit_chain().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
    reopened.close().await;
}
both_backends!(stored_but_unprocessed_messages_are_picked_up_and_failures_stay_pending);

fn respondent_user(login: &str) -> domain::entities::NewUser {
    domain::entities::NewUser {
        organisation_id: OrganisationId::parse("mamh").unwrap(),
        login: domain::entities::Login::parse(login).unwrap(),
        display_name: login.to_owned(),
        role: domain::entities::RoleId::parse("respondent").unwrap(),
        password_hash: domain::entities::PasswordHash::parse("$argon2id$test").unwrap(),
    }
}

async fn a_case_routed_to_a_sector_goes_to_its_respondent_or_substitute(store: Store, _url: String) {
    let by = domain::audit::Attribution::by(domain::audit::Actor::system("test").unwrap());
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let question = "Pourquoi l'évaluation foncière de mon terrain a augmenté de 30 % cette année?";
    let first = pipeline.ingest(vec![record("sector-1", question)]).await.unwrap();
    let first_id = stored_id(&first.results[0]);
    let respondent = store.add_user(&by, &respondent_user("r.fiscalite")).await.unwrap();
    let substitute = store.add_user(&by, &respondent_user("s.fiscalite")).await.unwrap();
    store
        .designate_respondent(
            &by,
            &domain::respondents::Designation {
                organisation_id: OrganisationId::parse("mamh").unwrap(),
                unit: domain::respondents::UnitId::parse("evaluation-fonciere").unwrap(),
                sector: domain::respondents::SectorId::from_stored("dgfef").unwrap(),
                respondent: respondent.id,
                substitute: Some(substitute.id),
            },
        )
        .await
        .unwrap();
    pipeline.process_all_pending().await.unwrap();
    let case = store.find_case_for_message(first_id).await.unwrap().unwrap();
    let suggestion = store.get_suggestion(case.id).await.unwrap().unwrap();
    assert_eq!(suggestion.suggestion.route, "respondent:dgfef");
    assert_eq!(case.assignee, Some(respondent.id), "the unit's respondent");

    // During the respondent's absence, the next such case goes to the substitute.
    let now = jiff::Timestamp::now();
    let absence = domain::respondents::Period::new(
        now - jiff::SignedDuration::from_hours(1),
        now + jiff::SignedDuration::from_hours(48),
    )
    .unwrap();
    store
        .record_absence(&by, &OrganisationId::parse("mamh").unwrap(), respondent.id, absence, "vacances")
        .await
        .unwrap();
    let second = pipeline.ingest(vec![record("sector-2", question)]).await.unwrap();
    pipeline.process_all_pending().await.unwrap();
    let case = store.find_case_for_message(stored_id(&second.results[0])).await.unwrap().unwrap();
    assert_eq!(case.assignee, Some(substitute.id), "the substitute during the absence");
    assert!(matches!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { .. }));
}
both_backends!(a_case_routed_to_a_sector_goes_to_its_respondent_or_substitute);

fn user_with_role(login: &str, role: &str) -> domain::entities::NewUser {
    domain::entities::NewUser { role: domain::entities::RoleId::parse(role).unwrap(), ..respondent_user(login) }
}

async fn a_mention_goes_to_the_sector_respondent_with_a_copy_to_the_advisors(store: Store, _url: String) {
    let by = domain::audit::Attribution::by(domain::audit::Actor::system("test").unwrap());
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let words = "Bravo au @MAMHQuebec pour les explications sur l'évaluation foncière de nos terrains cette année";
    let mut mention = record("mention-share", words);
    mention.kind = Some("mention".into());
    let comment = record("comment-same-words", words);
    let mut automatic = record("mention-automatic", "@MAMHQuebec évaluation foncière");
    automatic.kind = Some("mention".into());
    automatic.automatic = Some("true".into());
    let report = pipeline.ingest(vec![mention, comment, automatic]).await.unwrap();
    let (mention_id, comment_id, automatic_id) =
        (stored_id(&report.results[0]), stored_id(&report.results[1]), stored_id(&report.results[2]));
    // Ingesting stored the organisation; its people can now be added.
    let first_advisor = store.add_user(&by, &user_with_role("c.conseil", "communications_advisor")).await.unwrap();
    let second_advisor = store.add_user(&by, &user_with_role("d.conseil", "communications_advisor")).await.unwrap();
    store.add_user(&by, &respondent_user("r.fiscalite")).await.unwrap();
    pipeline.process_all_pending().await.unwrap();

    // The mention: the sector's respondent, with the R-52 reason in French.
    let case = store.find_case_for_message(mention_id).await.unwrap().unwrap();
    let suggestion = store.get_suggestion(case.id).await.unwrap().unwrap().suggestion;
    assert_eq!(suggestion.route, "respondent:dgfef");
    assert!(suggestion.reasons_json.contains("mention_to_share"), "{}", suggestion.reasons_json);
    assert!(suggestion.reasons_json.contains("partager"), "{}", suggestion.reasons_json);
    assert!(suggestion.reply_expected, "the respondent says in time");
    // The same words as a comment follow the scheme without the R-52 reason.
    let comment_case = store.find_case_for_message(comment_id).await.unwrap().unwrap();
    let comment_suggestion = store.get_suggestion(comment_case.id).await.unwrap().unwrap().suggestion;
    assert!(!comment_suggestion.reasons_json.contains("mention_to_share"));
    assert!(store.find_case_for_message(automatic_id).await.unwrap().is_none());

    // One copy per communications advisor, for the mention's case only, audited under R-52.
    let audit = store.audit_entries(0, 10_000).await.unwrap();
    let copies: Vec<_> = audit
        .iter()
        .filter(|entry| entry.event.action.as_str() == "mention_copied_to_advisor")
        .collect();
    assert_eq!(copies.len(), 2, "{copies:?}");
    assert!(copies.iter().all(|entry| entry.event.entity_id == case.id.to_string()));
    assert!(copies.iter().all(|entry| entry.event.attribution.rule.as_deref() == Some("R-52")));
    let mut advisors: Vec<i64> = copies
        .iter()
        .map(|entry| serde_json::from_str::<serde_json::Value>(entry.event.after_json.as_deref().unwrap()).unwrap()["advisor"].as_i64().unwrap())
        .collect();
    advisors.sort_unstable();
    assert_eq!(advisors, vec![first_advisor.id.get(), second_advisor.id.get()]);
    // Processing again copies nothing more.
    pipeline.process_all_pending().await.unwrap();
    let again = store.audit_entries(0, 10_000).await.unwrap();
    assert_eq!(again.iter().filter(|entry| entry.event.action.as_str() == "mention_copied_to_advisor").count(), 2);
    assert!(matches!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { .. }));
}
both_backends!(a_mention_goes_to_the_sector_respondent_with_a_copy_to_the_advisors);
both_backends!(an_urgent_case_is_due_one_clock_hour_after_receipt);
both_backends!(a_route_change_replans_assignment_and_deadlines);
both_backends!(the_default_reply_is_the_routes_template_with_the_profiles_contacts);
use case_actions::{
    a_route_change_replans_assignment_and_deadlines, an_urgent_case_is_due_one_clock_hour_after_receipt,
    the_default_reply_is_the_routes_template_with_the_profiles_contacts,
};
