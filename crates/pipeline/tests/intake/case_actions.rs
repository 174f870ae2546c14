//! What depends on the route, on both backends: an urgent case is due one clock hour after
//! receipt; a person's route change re-plans the assignment (a sector's respondent)
//! and the deadlines (the 24-hour clock-time fallback of R-25, back to the first-response
//! commitment); the default reply is the profile's template for the route.

use domain::audit::{Actor, Attribution};
use domain::entities::{Login, OrganisationId};
use jiff::{SignedDuration, Timestamp};
use pipeline::{Pipeline, PipelineError};
use store::Store;

use super::{mamh, record, respondent_user, stored_id};

fn person() -> Attribution {
    Attribution::by(Actor::User(Login::parse("c.manager").unwrap()))
}

pub(super) async fn an_urgent_case_is_due_one_clock_hour_after_receipt(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let mut threat = record("urgent-1", "Je vais faire sauter l'édifice demain matin.");
    // Saturday 23:10 in Quebec: closed, the urgent clock runs anyway.
    threat.received_at = Some("2026-03-07T23:10:00-05:00".into());
    let report = pipeline.ingest(vec![threat]).await.unwrap();
    pipeline.process_all_pending().await.unwrap();
    let case = store.find_case_for_message(stored_id(&report.results[0])).await.unwrap().unwrap();
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert_eq!(deadlines.commitment_id, "urgent");
    let received: Timestamp = "2026-03-08T04:10:00Z".parse().unwrap();
    assert_eq!(deadlines.clock_start, received);
    assert_eq!(deadlines.first_response_due, "2026-03-08T05:10:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(deadlines.stages.len(), 1);
    assert_eq!(deadlines.stages[0].stage, "urgent");
}

pub(super) async fn a_route_change_replans_assignment_and_deadlines(store: Store, _url: String) {
    let by = Attribution::by(Actor::system("test").unwrap());
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let report = pipeline.ingest(vec![record("thanks-1", "Merci beaucoup pour l'information, c'est très clair!")]).await.unwrap();
    let respondent = store.add_user(&by, &respondent_user("r.fiscalite")).await.unwrap();
    store
        .designate_respondent(
            &by,
            &domain::respondents::Designation {
                organisation_id: OrganisationId::parse("mamh").unwrap(),
                unit: domain::respondents::UnitId::parse("evaluation-fonciere").unwrap(),
                sector: domain::respondents::SectorId::from_stored("dgfef").unwrap(),
                respondent: respondent.id,
                substitute: None,
            },
        )
        .await
        .unwrap();
    pipeline.process_all_pending().await.unwrap();
    let case = store.find_case_for_message(stored_id(&report.results[0])).await.unwrap().unwrap();
    assert_eq!(store.get_suggestion(case.id).await.unwrap().unwrap().suggestion.route, "positive");
    assert!(store.get_deadlines(case.id).await.unwrap().is_none(), "no answer owed to a thank-you");

    // To a sector: its respondent takes the case, and an answer is now owed from receipt.
    let changed = pipeline.change_route(&person(), case.id, "respondent:dgfef").await.unwrap();
    assert_eq!(changed.assignee, Some(respondent.id));
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert_eq!(deadlines.commitment_id, "first_return");
    assert_eq!(deadlines.clock_start, "2026-03-02T19:05:06Z".parse::<Timestamp>().unwrap());

    // To another organisation: 24 hours of clock time from the decision.
    let before = Timestamp::now();
    pipeline.change_route(&person(), case.id, "other_organisation:cmq").await.unwrap();
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert_eq!(deadlines.commitment_id, "other_organisation_answer");
    assert!(deadlines.clock_start >= before.checked_sub(SignedDuration::from_secs(1)).unwrap());
    assert_eq!(deadlines.first_response_due, deadlines.clock_start.checked_add(SignedDuration::from_hours(24)).unwrap());
    assert_eq!(deadlines.stages[0].stage, "wait_other_organisation");

    // Back to an ordinary route: the first-response commitment, from receipt again.
    pipeline.change_route(&person(), case.id, "usual_process:media").await.unwrap();
    let deadlines = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert_eq!(deadlines.commitment_id, "first_return");
    assert_eq!(deadlines.committed_due, "2026-03-04T19:05:06Z".parse::<Timestamp>().unwrap());
    // Between ordinary routes, the plan stays (the decision ends the triage stage).
    pipeline.change_route(&person(), case.id, "ask_precision").await.unwrap();
    let kept = store.get_deadlines(case.id).await.unwrap().unwrap();
    assert_eq!((&kept.commitment_id, kept.committed_due), (&deadlines.commitment_id, deadlines.committed_due));
    let dues = |record: &store::intake::DeadlineRecord| record.stages.iter().map(|stage| stage.planned_due).collect::<Vec<_>>();
    assert_eq!(dues(&kept), dues(&deadlines));
    assert!(kept.stages[0].ended_at.is_some() && kept.stages[1].ended_at.is_none());

    for (route, code) in [
        ("regional_directorate:atlantide", "route_target_unknown"),
        ("respondent:inconnu", "route_target_unknown"),
        ("usual_process", "route_invalid"),
        ("partout", "route_invalid"),
    ] {
        match pipeline.change_route(&person(), case.id, route).await {
            Err(PipelineError::Refused { code: refused, .. }) => assert_eq!(refused, code, "{route}"),
            other => panic!("{route}: {other:?}"),
        }
    }
    let audit = store.case_audit(case.id).await.unwrap();
    let changes = audit.iter().filter(|entry| entry.event.action.as_str() == "route_changed").count();
    assert_eq!(changes, 4);
}

pub(super) async fn the_default_reply_is_the_routes_template_with_the_profiles_contacts(store: Store, _url: String) {
    let pipeline = Pipeline::new(store.clone(), mamh(), None);
    let report = pipeline
        .ingest(vec![record("dr-1", "J'aimerais discuter longuement du schéma d'aménagement de ma région.")])
        .await
        .unwrap();
    pipeline.process_all_pending().await.unwrap();
    let case = store.find_case_for_message(stored_id(&report.results[0])).await.unwrap().unwrap();
    pipeline.change_route(&person(), case.id, "regional_directorate:demo-montreal").await.unwrap();
    let text = pipeline.default_reply_text(case.id).await.unwrap();
    assert_eq!(
        text,
        "Bonjour Jeanne Citoyenne, pour approfondir ce sujet, nous vous invitons à communiquer avec votre \
         direction régionale, Direction régionale de Montréal (démonstration), au 514 555-0102 ou par courriel \
         à dr.montreal@example.org."
    );
    pipeline.change_route(&person(), case.id, "usual_process:media").await.unwrap();
    let reply = pipeline.prepare_reply(&person(), case.id, None).await.unwrap();
    assert_eq!(
        reply.text,
        "Bonjour, pour une demande médiatique, nous vous invitons à joindre les relations de presse : \
         dc.relations.medias@mamh.gouv.qc.ca"
    );
    // The person's own words win over the template.
    let own = pipeline.prepare_reply(&person(), case.id, Some("Bonjour Jeanne, écrivez-nous.")).await.unwrap();
    assert_eq!(own.text, "Bonjour Jeanne, écrivez-nous.");
    // MAMH proposes a block after one warning.
    let outcome = pipeline.warn_author(&person(), case.id, Some("mamh-a7-injurieux"), None).await.unwrap();
    assert!(outcome.block_proposed);
    assert!(matches!(
        pipeline.warn_author(&person(), case.id, Some("clause-inventee"), None).await,
        Err(PipelineError::Refused { code: "clause_unknown", .. })
    ));
}
