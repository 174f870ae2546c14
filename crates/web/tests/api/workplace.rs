//! The JSON API of the workplace pages over real HTTP: the inbox (urgent first, personal
//! information masked for a director, a respondent's own cases only), the respondents
//! (designation then list, absences), the commitment report and the audit search — each
//! served to a role the page serves and refused (403) to one it refuses.

use domain::profile::Role;
use serde_json::{json, Value};
use testkit::{spawn_app, TestApp};

fn incoming(external_id: &str, text: &str) -> Value {
    json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": external_id,
        "author": format!("auteur-{external_id}"), "author_name": "Jeanne Tremblay", "text": text,
        "kind": "comment", "received_at": "2025-04-14T10:00:00-04:00",
    })
}

async fn post_messages(app: &TestApp, messages: Value) {
    let connector = app.token_client(Role::CommunityManager).await;
    let response = connector.post(app.url("/api/v1/messages")).json(&messages).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
}

async fn read(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_inbox_puts_urgent_first_masks_for_a_director_and_shows_a_respondent_only_their_cases() {
    let app = spawn_app(&["mamh"]).await;
    let words = "Espèce de crétin, rappelez-moi au 418 555-1234 immédiatement!";
    post_messages(
        &app,
        json!([
            incoming("w-1", "Merci beaucoup pour l'information, c'est très clair!"),
            incoming("w-2", words),
            incoming("w-3", "Je vais faire sauter l'édifice demain matin."),
        ]),
    )
    .await;
    let manager = app.token_client(Role::CommunityManager).await;
    let (status, inbox) = read(&manager, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(status, 200, "{inbox}");
    let cases = inbox["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3, "{inbox}");
    assert_eq!(cases[0]["urgent"], true, "urgent first: {inbox}");
    assert!(cases[0]["text"].as_str().unwrap().contains("sauter"));
    assert!(cases[1..].iter().all(|case| case["urgent"] == false));
    assert!(inbox["next"].is_null());
    let full = cases.iter().find(|case| case["text"].as_str().unwrap().contains("crétin")).unwrap();
    assert_eq!(full["text"], words, "the community manager reads the words as received");

    // A page of one gives a cursor that leads to the rest, without repeating.
    let (_, first) = read(&manager, &app, "/api/v1/organisations/mamh/inbox?limit=1").await;
    let next = first["next"].as_str().expect("a cursor").to_owned();
    let (status, rest) = read(&manager, &app, &format!("/api/v1/organisations/mamh/inbox?limit=5&after={next}")).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["cases"].as_array().unwrap().len(), 2);
    assert_ne!(rest["cases"][0]["case_id"], first["cases"][0]["case_id"]);

    // Filters narrow; a bad one says which.
    let (_, threats) = read(&manager, &app, "/api/v1/organisations/mamh/inbox?category=threat").await;
    assert_eq!(threats["cases"].as_array().unwrap().len(), 1, "{threats}");
    let (status, refusal) = read(&manager, &app, "/api/v1/organisations/mamh/inbox?after=nimporte").await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (400, Some("invalid_cursor")));

    // The director, without `read_personal_info`, gets the number masked.
    let director = app.token_client(Role::Director).await;
    let (status, masked) = read(&director, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(status, 200);
    assert!(!masked.to_string().contains("555-1234"), "{masked:#}");
    assert!(masked.to_string().contains("••• ••••••••"), "{masked:#}");

    // A respondent sees only the cases assigned to them: none yet.
    let respondent = app.token_client(Role::Respondent).await;
    let (status, own) = read(&respondent, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["cases"].as_array().unwrap().len(), 0, "{own}");
    let thanks_id = cases.iter().find(|case| case["text"].as_str().unwrap().contains("Merci")).unwrap()["case_id"].as_i64().unwrap();
    let (status, assigned) =
        send(&manager, &app, &format!("/api/v1/cases/{thanks_id}/assign"), json!({"login": "test-respondent"})).await;
    assert_eq!(status, 200, "{assigned}");
    let (_, own) = read(&respondent, &app, "/api/v1/organisations/mamh/inbox").await;
    let own_ids: Vec<i64> = own["cases"].as_array().unwrap().iter().map(|case| case["case_id"].as_i64().unwrap()).collect();
    assert_eq!(own_ids, [thanks_id], "{own}");
    assert_eq!(own["cases"][0]["assignee"]["display_name"], "Personne test-respondent", "{own}");

    // Staff may not read cases; nobody reads another organisation's inbox.
    let staff = app.token_client(Role::Staff).await;
    assert_eq!(read(&staff, &app, "/api/v1/organisations/mamh/inbox").await.0, 403);
    assert_eq!(read(&manager, &app, "/api/v1/organisations/mess/inbox").await.0, 403);
}

#[tokio::test]
async fn a_designation_is_listed_audited_and_found_by_the_audit_search() {
    let app = spawn_app(&["mamh"]).await;
    app.create_user("mamh", "r.tremblay", Role::Respondent).await;
    app.create_user("mamh", "s.gagnon", Role::Respondent).await;
    let sector_manager = app.token_client(Role::SectorManager).await;
    let community_manager = app.token_client(Role::CommunityManager).await;
    let staff = app.token_client(Role::Staff).await;

    let designation = json!({"unit": "urbanisme", "sector": "dcom", "respondent": "r.tremblay", "substitute": "s.gagnon"});
    let (status, refusal) = send(&community_manager, &app, "/api/v1/organisations/mamh/respondents", designation.clone()).await;
    assert_eq!(status, 403, "{refusal}");
    let (status, created) = send(&sector_manager, &app, "/api/v1/organisations/mamh/respondents", designation).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["respondent"]["login"], "r.tremblay");
    assert_eq!(created["substitute"]["login"], "s.gagnon");
    let (status, refusal) = send(
        &sector_manager,
        &app,
        "/api/v1/organisations/mamh/respondents",
        json!({"unit": "urbanisme", "sector": "dcom", "respondent": "personne"}),
    )
    .await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("unknown_login")), "{refusal}");

    // The community manager (who reads cases) lists it; staff may not.
    let (status, listed) = read(&community_manager, &app, "/api/v1/organisations/mamh/respondents").await;
    assert_eq!(status, 200, "{listed}");
    let designations = listed["designations"].as_array().unwrap();
    assert_eq!(designations.len(), 1, "{listed}");
    assert_eq!(designations[0]["unit"], "urbanisme");
    assert_eq!(designations[0]["respondent"]["login"], "r.tremblay");
    assert_eq!(designations[0]["respondent"]["display_name"], "Personne r.tremblay");
    assert_eq!(read(&staff, &app, "/api/v1/organisations/mamh/respondents").await.0, 403);

    // An absence, then the list shows it.
    let absence = json!({"login": "r.tremblay", "starts_at": "2030-03-02T08:00:00-05:00", "ends_at": "2030-03-06T17:00:00-05:00", "reason": "Congé"});
    assert_eq!(send(&community_manager, &app, "/api/v1/organisations/mamh/absences", absence.clone()).await.0, 403);
    let (status, bad) = send(
        &sector_manager,
        &app,
        "/api/v1/organisations/mamh/absences",
        json!({"login": "r.tremblay", "starts_at": "demain", "ends_at": "2030-03-06T17:00:00-05:00", "reason": ""}),
    )
    .await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_time")), "{bad}");
    let (status, recorded) = send(&sector_manager, &app, "/api/v1/organisations/mamh/absences", absence).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["login"], "r.tremblay");
    assert_eq!(recorded["starts_at"], "2030-03-02T13:00:00Z");
    let (_, listed) = read(&community_manager, &app, "/api/v1/organisations/mamh/respondents").await;
    assert_eq!(listed["absences"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["absences"][0]["reason"], "Congé");

    // A case routed to the sector goes to its respondent; an absence in force recorded
    // through the API hands it to the substitute at once, as the page does.
    post_messages(&app, json!([incoming("w-absence", "Quand le règlement d'urbanisme sera-t-il adopté?")])).await;
    let (_, inbox) = read(&community_manager, &app, "/api/v1/organisations/mamh/inbox").await;
    let case_id = inbox["cases"][0]["case_id"].as_i64().unwrap();
    let (status, routed) =
        send(&community_manager, &app, &format!("/api/v1/cases/{case_id}/route"), json!({"route": "respondent:dcom"})).await;
    assert_eq!(status, 200, "{routed}");
    let assignee = |inbox: &Value| inbox["cases"][0]["assignee"]["display_name"].as_str().map(str::to_owned);
    let (_, inbox) = read(&community_manager, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(assignee(&inbox).as_deref(), Some("Personne r.tremblay"), "{inbox}");
    let now = jiff::Timestamp::now();
    let in_force = json!({
        "login": "r.tremblay",
        "starts_at": (now - jiff::SignedDuration::from_hours(1)).to_string(),
        "ends_at": (now + jiff::SignedDuration::from_hours(72)).to_string(),
        "reason": "Maladie",
    });
    assert_eq!(send(&sector_manager, &app, "/api/v1/organisations/mamh/absences", in_force).await.0, 201);
    let (_, inbox) = read(&community_manager, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(assignee(&inbox).as_deref(), Some("Personne s.gagnon"), "{inbox}");

    // The audit search finds the designation's entry; the chain is intact.
    let director = app.token_client(Role::Director).await;
    let (status, audit) = read(&director, &app, "/api/v1/audit?actor=test-sector-manager").await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(audit["chain"]["intact"], true);
    let entries = audit["entries"].as_array().unwrap();
    assert!(!entries.is_empty(), "{audit}");
    assert!(entries.iter().all(|entry| entry["actor"].as_str().unwrap().contains("test-sector-manager")), "{audit}");
    assert!(entries.iter().any(|entry| entry["after"].is_null() && entry["changes_hidden"] == true), "{audit}");
    let actions: Vec<&str> = entries.iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert!(actions.iter().any(|action| action.contains("respondent") || action.contains("designat")), "{actions:?}");
    // A page of one, then the next one before it.
    let (_, one) = read(&director, &app, "/api/v1/audit?limit=1").await;
    let before = one["next_before"].as_u64().expect("more entries");
    let (_, older) = read(&director, &app, &format!("/api/v1/audit?limit=1&before={before}")).await;
    assert!(older["entries"][0]["sequence"].as_u64().unwrap() < before);
    // A community manager may not read the log.
    assert_eq!(read(&community_manager, &app, "/api/v1/audit").await.0, 403);
}

#[tokio::test]
async fn the_commitment_report_counts_cases_per_stage_for_report_readers_only() {
    let app = spawn_app(&["mamh"]).await;
    post_messages(&app, json!([incoming("c-1", "C'est quand la prochaine séance du conseil?")])).await;
    let community_manager = app.token_client(Role::CommunityManager).await;
    let (status, report) = read(&community_manager, &app, "/api/v1/organisations/mamh/commitments?from=2025-04-01&to=2025-05-01").await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "{report}");
    assert!(rows.iter().all(|row| row["week"] == "2025-W16"), "{report}");
    assert!(rows.iter().any(|row| row["stage"] == "triage" && row["cases"] == 1), "{report}");
    // Outside the period, nothing.
    let (_, empty) = read(&community_manager, &app, "/api/v1/organisations/mamh/commitments?from=2026-01-01").await;
    assert_eq!(empty["rows"].as_array().unwrap().len(), 0, "{empty}");
    let (status, bad) = read(&community_manager, &app, "/api/v1/organisations/mamh/commitments?from=avril").await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_date")));
    let staff = app.token_client(Role::Staff).await;
    assert_eq!(read(&staff, &app, "/api/v1/organisations/mamh/commitments").await.0, 403);
}

/// The inbox gives the committed first-response deadline of the profile: a question received
/// on Monday 14 April 2025 at 10:00 (Montréal) under MAMH's "first return" commitment of
/// 14 business hours (1 h 30 + 11 h 30 + 1 h, office hours 8:30–12:00 and 13:00–16:30) is
/// due on Wednesday 16 April at 10:00 (5 h 30 on Monday, 7 h on Tuesday, 1 h 30 on
/// Wednesday), 14:00 UTC; long passed, so it is overdue with negative business time left.
#[tokio::test]
async fn the_inbox_gives_the_committed_deadline_and_the_business_time_left() {
    let app = spawn_app(&["mamh"]).await;
    post_messages(
        &app,
        json!([
            incoming("d-1", "Bonjour, quand le programme d'aide financière pour les municipalités ouvrira-t-il ?"),
            incoming("d-2", "Merci beaucoup pour l'information, c'est très clair!"),
        ]),
    )
    .await;
    let manager = app.token_client(Role::CommunityManager).await;
    let (status, inbox) = read(&manager, &app, "/api/v1/organisations/mamh/inbox").await;
    assert_eq!(status, 200, "{inbox}");
    let cases = inbox["cases"].as_array().unwrap();
    let question = cases.iter().find(|case| case["text"].as_str().unwrap().contains("programme")).expect("the question's case");
    assert_eq!(question["committed_due"], "2025-04-16T14:00:00Z", "{question:#}");
    assert_eq!(question["first_response_due"], "2025-04-16T14:00:00Z", "{question:#}");
    assert_eq!(question["overdue"], true, "{question:#}");
    let left = question["business_seconds_left"].as_i64().expect("business time left");
    // At least the rest of 2025's office hours after 16 April have passed.
    assert!(left < -7 * 3600 * 100, "{question:#}");
    for case in cases {
        let object = case.as_object().unwrap();
        for field in ["committed_due", "first_response_due", "business_seconds_left", "overdue"] {
            assert!(object.contains_key(field), "{field} missing: {case:#}");
        }
        if case["first_response_due"].is_null() {
            assert!(case["committed_due"].is_null() && case["business_seconds_left"].is_null(), "{case:#}");
        }
    }
}
