//! The case API over real HTTP: reading a case (personal information masked for roles
//! without `read_personal_info`), route changes and their re-planning, moderation decisions,
//! warnings and blocks, replies that leave only once a person with `reply` confirms them,
//! respondents' proposed answers and their review.

use domain::entities::{ExternalId, Network};
use domain::profile::Role;
use jiff::Timestamp;
use serde_json::Value;
use testkit::{spawn_app, TestApp};

fn incoming(external_id: &str, text: &str, received_at: &str) -> Value {
    serde_json::json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": external_id,
        "author": format!("auteur-{external_id}"), "author_name": "Jeanne Tremblay", "text": text,
        "kind": "comment", "received_at": received_at,
    })
}

/// Posts the messages as a connector and returns the case id of each, in order.
async fn cases_for(app: &TestApp, messages: &[Value]) -> Vec<i64> {
    let connector = app.token_client(Role::CommunityManager).await;
    let response = connector.post(app.url("/api/v1/messages")).json(&messages).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let mut ids = Vec::new();
    for message in messages {
        let network = Network::parse("facebook").unwrap();
        let external = ExternalId::parse(message["external_id"].as_str().unwrap()).unwrap();
        let stored = app.store.find_message(&network, &external).await.unwrap().unwrap();
        let case = app.store.find_case_for_message(stored.id).await.unwrap().expect("a case");
        ids.push(case.id.get());
    }
    ids
}

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn read(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn time(value: &Value) -> Timestamp {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_urgent_case_is_due_within_the_clock_hour_and_a_route_change_replans_it() {
    let app = spawn_app(&["mamh"]).await;
    // Saturday night: the office is closed, the urgent clock runs anyway.
    let ids = cases_for(&app, &[incoming("u-1", "Je vais faire sauter l'édifice demain matin.", "2025-04-19T23:10:00-04:00")]).await;
    let manager = app.token_client(Role::CommunityManager).await;
    let path = format!("/api/v1/cases/{}", ids[0]);
    let (status, case) = read(&manager, &app, &path).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["suggestion"]["route"], "urgent");
    assert_eq!(case["deadlines"]["commitment_id"], "urgent");
    let received = time(&case["message"]["received_at"]);
    assert_eq!(time(&case["deadlines"]["first_response_due"]), received.checked_add(jiff::SignedDuration::from_hours(1)).unwrap());

    // A director reads but may not change the route.
    let director = app.token_client(Role::Director).await;
    let (status, refusal) = send(&director, &app, &format!("{path}/route"), serde_json::json!({"route": "positive"})).await;
    assert_eq!(status, 403, "{refusal}");
    assert_eq!(refusal["error"]["code"], "forbidden");
    // Unknown routes and targets are refused with a reason.
    let (status, refusal) = send(&manager, &app, &format!("{path}/route"), serde_json::json!({"route": "regional_directorate:atlantide"})).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("route_target_unknown")));
    let (status, refusal) = send(&manager, &app, &format!("{path}/route"), serde_json::json!({"route": "nowhere"})).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("route_invalid")));

    // To another organisation: the 24-hour clock-time fallback of R-25 from now.
    let before = Timestamp::now();
    let (status, changed) = send(&manager, &app, &format!("{path}/route"), serde_json::json!({"route": "other_organisation:cmq"})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["suggestion"]["confirmation"]["route"], "other_organisation:cmq");
    assert_eq!(changed["suggestion"]["confirmation"]["by"], "user:test-community-manager");
    assert_eq!(changed["case"]["route"], "other_organisation");
    assert_eq!(changed["deadlines"]["commitment_id"], "other_organisation_answer");
    let due = time(&changed["deadlines"]["first_response_due"]);
    let start = time(&changed["deadlines"]["clock_start"]);
    assert!(start >= before.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap());
    assert_eq!(due, start.checked_add(jiff::SignedDuration::from_hours(24)).unwrap());
    // Back to an ordinary route: the first-response commitment from receipt.
    let (status, back) = send(&manager, &app, &format!("{path}/route"), serde_json::json!({"route": "regional_directorate:demo-montreal"})).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["deadlines"]["commitment_id"], "first_return");
    let actions: Vec<&str> = back["history"].as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|action| **action == "route_changed").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|action| **action == "deadlines_replanned").count(), 2, "{actions:?}");
    let change = back["history"].as_array().unwrap().iter().rev().find(|entry| entry["action"] == "route_changed").unwrap();
    assert_eq!(change["before"]["route"], "other_organisation:cmq");
    assert_eq!(change["after"]["route"], "regional_directorate:demo-montreal");
    assert_eq!(change["actor"], "user:test-community-manager");

    let (status, _) = read(&manager, &app, "/api/v1/cases/999999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_reply_leaves_only_once_a_person_with_the_reply_permission_confirms_it() {
    let app = spawn_app(&["mamh"]).await;
    let ids = cases_for(&app, &[incoming("q-1", "Quand ouvre le programme d'aide financière pour les municipalités?", "2025-04-14T10:00:00-04:00")]).await;
    let path = format!("/api/v1/cases/{}", ids[0]);
    let manager = app.token_client(Role::CommunityManager).await;
    let respondent = app.token_client(Role::Respondent).await;

    // The default text is the profile's template for the route, with the author's name.
    let (status, draft) = send(&manager, &app, &format!("{path}/replies"), serde_json::json!({})).await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "draft");
    let text = draft["text"].as_str().unwrap();
    assert!(text.starts_with("Bonjour Jeanne Tremblay"), "{text}");
    assert!(!text.contains('{'), "every placeholder filled: {text}");

    // The respondent proposes; the communications team approves: a second draft.
    let (status, answer) = send(&respondent, &app, &format!("{path}/answers"), serde_json::json!({"text": "Le programme ouvre le 1er mai."})).await;
    assert_eq!(status, 201, "{answer}");
    let (status, refusal) = send(&respondent, &app, &format!("/api/v1/answers/{}/review", answer["id"]), serde_json::json!({"decision": "approve"})).await;
    assert_eq!(status, 403, "a respondent does not review: {refusal}");
    let (status, refusal) = send(&manager, &app, &format!("{path}/answers"), serde_json::json!({"text": "x"})).await;
    assert_eq!(status, 403, "a community manager does not supply answers: {refusal}");
    let (status, reviewed) = send(&manager, &app, &format!("/api/v1/answers/{}/review", answer["id"]), serde_json::json!({"decision": "approve", "comment": "Parfait."})).await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["status"], "approved");
    let (_, case) = read(&manager, &app, &path).await;
    let replies = case["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2);
    let approved = &replies[1];
    assert_eq!(approved["answer_id"], answer["id"]);
    assert_eq!(case["case"]["status"], "in_progress");

    // Someone without `reply` cannot confirm; nothing leaves.
    let confirm = format!("/api/v1/replies/{}/confirm", approved["id"]);
    let (status, _) = send(&respondent, &app, &confirm, serde_json::json!({})).await;
    assert_eq!(status, 403);
    let organisation = domain::entities::OrganisationId::parse("mamh").unwrap();
    assert!(app.store.outbox_items(&organisation, "pending").await.unwrap().is_empty());

    // The manager edits and confirms: one reply in the outbox, the case answered.
    let (status, edited) = send(&manager, &app, &format!("/api/v1/replies/{}", approved["id"]), serde_json::json!({"text": "Bonjour Jeanne, le programme ouvre le 1er mai."})).await;
    assert_eq!(status, 200, "{edited}");
    let (status, confirmed) = send(&manager, &app, &confirm, serde_json::json!({})).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");
    let outbox = app.store.outbox_items(&organisation, "pending").await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].payload_json.contains("le programme ouvre le 1er mai"));
    let (status, again) = send(&manager, &app, &confirm, serde_json::json!({})).await;
    assert_eq!(status, 400, "{again}");
    let (_, case) = read(&manager, &app, &path).await;
    assert_eq!(case["case"]["status"], "answered");
    assert!(case["deadlines"]["stages"].as_array().unwrap().iter().all(|stage| !stage["ended_at"].is_null()));
}

#[tokio::test]
async fn moderation_warnings_and_blocks_keep_the_words_and_mask_personal_information_for_other_roles() {
    let app = spawn_app(&["mamh"]).await;
    let words = "Espèce de crétin, rappelez-moi au 418 555-1234 immédiatement!";
    let ids = cases_for(&app, &[incoming("n-1", words, "2025-04-14T10:00:00-04:00")]).await;
    let path = format!("/api/v1/cases/{}", ids[0]);
    let manager = app.token_client(Role::CommunityManager).await;
    let advisor = app.token_client(Role::CommunicationsAdvisor).await;
    let director = app.token_client(Role::Director).await;

    let (status, decision) = send(&manager, &app, &format!("{path}/moderation"), serde_json::json!({"action": "hide", "clause": "mamh-a7-injurieux"})).await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["action"], "hide");
    let (status, refusal) = send(&manager, &app, &format!("{path}/moderation"), serde_json::json!({"action": "burn"})).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("moderation_action_invalid")));
    let (status, refusal) = send(&manager, &app, &format!("{path}/moderation"), serde_json::json!({"action": "delete", "clause": "inventee"})).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("clause_unknown")));
    let (status, _) = send(&advisor, &app, &format!("{path}/moderation"), serde_json::json!({"action": "delete"})).await;
    assert_eq!(status, 403);

    // MAMH blocks after one warning (S2 §8.2: "si la situation se reproduit").
    let (status, warning) = send(&manager, &app, &format!("{path}/warnings"), serde_json::json!({"clause": "mamh-a7-injurieux"})).await;
    assert_eq!(status, 200, "{warning}");
    assert_eq!((warning["warnings_on_account"].as_u64(), warning["block_proposed"].as_bool()), (Some(1), Some(true)));
    let (status, _) = send(&advisor, &app, &format!("{path}/block"), serde_json::json!({"reason": "récidive"})).await;
    assert_eq!(status, 403);
    let (status, block) = send(&manager, &app, &format!("{path}/block"), serde_json::json!({"reason": "Propos injurieux répétés"})).await;
    assert_eq!(status, 201, "{block}");
    let (status, _) = send(&manager, &app, &format!("{path}/block"), serde_json::json!({"reason": "encore"})).await;
    assert_eq!(status, 409);

    // The community manager reads the words as received; the director, without
    // `read_personal_info`, gets the phone number masked in the response only.
    let (_, full) = read(&manager, &app, &path).await;
    assert_eq!(full["message"]["text"], words);
    assert_eq!(full["author_history"]["warnings"], 1);
    assert_eq!(full["author_history"]["blocked"], true);
    assert_eq!(full["moderation_actions"].as_array().unwrap().len(), 1);
    let (status, masked) = read(&director, &app, &path).await;
    assert_eq!(status, 200);
    let masked_text = masked["message"]["text"].as_str().unwrap();
    assert_eq!(masked_text, "Espèce de crétin, rappelez-moi au ••• •••••••• immédiatement!");
    assert!(!masked.to_string().contains("555-1234"), "no copy of the number anywhere in the response: {masked:#}");
    // The store keeps the words.
    let stored = app.store.get_message(domain::entities::MessageId::new(full["message"]["id"].as_i64().unwrap())).await.unwrap().unwrap();
    assert_eq!(stored.received.text, words);
    let kinds: Vec<String> = app
        .store
        .outbox_items(&domain::entities::OrganisationId::parse("mamh").unwrap(), "pending")
        .await
        .unwrap()
        .into_iter()
        .map(|item| item.kind)
        .collect();
    assert_eq!(kinds, ["hide", "block"]);
}

#[tokio::test]
async fn assignment_is_by_login_within_the_organisation() {
    let app = spawn_app(&["mamh"]).await;
    let ids = cases_for(&app, &[incoming("a-1", "Quand ouvre le programme d'aide?", "2025-04-14T10:00:00-04:00")]).await;
    let path = format!("/api/v1/cases/{}/assign", ids[0]);
    let manager = app.token_client(Role::CommunityManager).await;
    let respondent = app.create_user("mamh", "r.gagnon", Role::Respondent).await;
    let (status, assignment) = send(&manager, &app, &path, serde_json::json!({"login": "r.gagnon"})).await;
    assert_eq!(status, 200, "{assignment}");
    assert_eq!(assignment["user_id"], respondent.id.get());
    let (status, refusal) = send(&manager, &app, &path, serde_json::json!({"login": "personne"})).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("user_unknown")));
    let respondent_client = app.token_client(Role::Respondent).await;
    let (status, _) = send(&respondent_client, &app, &path, serde_json::json!({"login": "r.gagnon"})).await;
    assert_eq!(status, 403);
}
