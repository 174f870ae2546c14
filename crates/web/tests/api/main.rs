//! The JSON API and the pages, exercised over real HTTP on a real server bound to port 0
//! with a fresh SQLite database.

#![allow(clippy::unwrap_used)]

mod cases;
mod openapi;
mod workplace;

use domain::profile::Role;
use serde_json::Value;
use testkit::spawn_app;

/// A GET as a signed-in director (who may read cases and the audit log, and change nothing).
async fn get_json(app: &testkit::TestApp, path: &str) -> (u16, Value) {
    let client = app.sign_in(Role::Director).await;
    get_json_with(app, &client, path).await
}

async fn get_json_with(app: &testkit::TestApp, client: &reqwest::Client, path: &str) -> (u16, Value) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn health_reports_backend_and_organisations() {
    let app = spawn_app(&["mamh", "mess"]).await;
    let (status, body) = get_json(&app, "/api/v1/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["backend"], "sqlite");
    assert_eq!(body["organisations"], 2);
}

#[tokio::test]
async fn organisations_are_listed_with_their_identity() {
    let app = spawn_app(&["mamh", "mess"]).await;
    let (status, body) = get_json(&app, "/api/v1/organisations").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["mamh", "mess"]);
    assert_eq!(body[0]["abbreviation"], "MAMH");
    assert_eq!(body[0]["time_zone"], "America/Toronto");
}

#[tokio::test]
async fn organisation_detail_carries_clauses_hours_and_stages() {
    let app = spawn_app(&["mamh"]).await;
    let (status, body) = get_json(&app, "/api/v1/organisations/mamh").await;
    assert_eq!(status, 200);
    assert!(body["clauses"].as_array().unwrap().len() >= 8);
    assert_eq!(body["business_hours"][0]["weekday"], "monday");
    assert_eq!(body["business_hours"][0]["windows"].as_array().unwrap().len(), 2);
    assert_eq!(body["business_hours"][5]["windows"].as_array().unwrap().len(), 0);
    let stages: Vec<&str> = body["commitments"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| stage["id"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["triage", "sector", "review"]);
}

#[tokio::test]
async fn holidays_follow_the_public_service_rules() {
    let app = spawn_app(&["mamh"]).await;
    let (status, body) = get_json(&app, "/api/v1/organisations/mamh/holidays?year=2011").await;
    assert_eq!(status, 200);
    let dates: Vec<&str> = body.as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
    for expected in ["2011-12-23", "2011-12-26", "2011-12-27", "2011-12-30"] {
        assert!(dates.contains(&expected), "{expected} missing from {dates:?}");
    }
}

#[tokio::test]
async fn errors_have_a_stable_code_and_a_french_message() {
    let app = spawn_app(&["mamh"]).await;
    let (status, body) = get_json(&app, "/api/v1/organisations/inconnue").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("Aucune organisation"));

    let (status, body) = get_json(&app, "/api/v1/organisations/mamh/holidays?year=30000").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_year");
}

#[tokio::test]
async fn audit_chain_is_intact_after_loading() {
    let app = spawn_app(&["mamh"]).await;
    let (status, body) = get_json(&app, "/api/v1/audit/verify").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "intact");
    assert!(body["entries"].as_u64().unwrap() >= 1, "loading the organisation is audited");
}

#[tokio::test]
async fn pages_are_french_and_list_the_rules() {
    let app = spawn_app(&["mamh"]).await;
    let client = app.sign_in(Role::Director).await;
    let index = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(index.contains(r#"<html lang="fr-CA">"#));
    assert!(index.contains("/organisations/mamh"));
    let page = client.get(app.url("/organisations/mamh")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Nétiquette"));
    assert!(page.contains("Jours fériés observés"));
    let missing = client.get(app.url("/organisations/nope")).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

fn incoming(external_id: &str, text: &str) -> Value {
    serde_json::json!({
        "network": "facebook", "account": "@MAMHQuebec", "external_id": external_id,
        "author": "citoyen-1", "author_name": "Citoyen <b>Un</b>", "text": text, "kind": "comment",
        "received_at": "2025-04-17T16:00:00-04:00"
    })
}

#[tokio::test]
async fn posted_messages_come_back_with_verdict_route_and_deadlines() {
    let app = spawn_app(&["mamh"]).await;
    let hostile = r#"<script>alert("x")</script> Câlisse, c'est quand la prochaine séance du conseil?"#;
    let batch = serde_json::json!([
        incoming("m-1", "Je vais faire sauter l'édifice demain matin."),
        incoming("m-2", hostile),
        incoming("m-3", "Merci beaucoup pour l'information, c'est très clair!"),
    ]);
    // A connector posts with an API token of a community manager.
    let connector = app.token_client(Role::CommunityManager).await;
    let response = connector.post(app.url("/api/v1/messages")).json(&batch).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 202);

    let (status, body) = get_json_with(&app, &connector, "/api/v1/organisations/mamh/messages").await;
    assert_eq!(status, 200);
    let messages = body.as_array().unwrap();
    assert_eq!(messages.len(), 3);
    let by_id = |id: &str| messages.iter().find(|m| m["external_id"] == id).unwrap();

    let threat = by_id("m-1");
    assert_eq!(threat["verdict"]["urgent"], "threat");
    assert_eq!(threat["verdict"]["action"], "review", "urgent is never hidden");
    assert_eq!(threat["case"]["suggested_route"], "urgent");

    let abusive = by_id("m-2");
    assert_eq!(abusive["text"], hostile, "the citizen's words come back unedited");
    assert!(abusive["verdict"]["categories"].as_array().unwrap().iter().any(|c| c == "abusive"));
    // Received Thursday 16:00 before Easter: Good Friday and Easter Monday are skipped.
    let stages: Vec<&str> = abusive["case"]["stages"].as_array().unwrap().iter().map(|s| s["due"].as_str().unwrap()).collect();
    assert_eq!(stages, ["2025-04-22T09:30:00-04:00", "2025-04-23T15:00:00-04:00", "2025-04-23T16:00:00-04:00"]);
    assert_eq!(abusive["case"]["first_response_due"], "2025-04-23T16:00:00-04:00");

    let thanks = by_id("m-3");
    assert_eq!(thanks["verdict"]["action"], "publish");
    assert_eq!(thanks["case"]["suggested_route"], "positive");

    // The raw body never carries the script tag unescaped in a way a browser would run:
    // JSON keeps it as a string, served as application/json.
    let raw = connector.get(app.url("/api/v1/organisations/mamh/messages")).send().await.unwrap();
    assert!(raw.headers()["content-type"].to_str().unwrap().starts_with("application/json"));

    let (_, audit) = get_json(&app, "/api/v1/audit/verify").await;
    assert_eq!(audit["status"], "intact");
}
