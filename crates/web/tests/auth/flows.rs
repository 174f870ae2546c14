//! The journeys of signing in and out, refusals, lock-out and API tokens.

use domain::profile::Role;
use reqwest::redirect::Policy;
use serde_json::Value;
use testkit::{spawn_app, TestApp, TEST_PASSWORD};

fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

async fn post_sign_in(app: &TestApp, body: &str) -> reqwest::Response {
    no_redirect()
        .post(app.url("/connexion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn actions(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .audit_entries(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.event.action.as_str().to_owned(), entry.event.attribution.actor.to_audit_text(), entry.event.entity_id))
        .collect()
}

#[tokio::test]
async fn sign_in_page_is_french_with_english_on_request() {
    let app = spawn_app(&["mamh"]).await;
    let french = app.client.get(app.url("/connexion")).send().await.unwrap();
    assert_eq!(french.status().as_u16(), 200);
    let french = french.text().await.unwrap();
    assert!(french.contains(r#"<html lang="fr-CA">"#));
    assert!(french.contains("Mot de passe"));
    assert!(french.contains(r#"<label for="login">Identifiant</label>"#));
    let english = app.client.get(app.url("/connexion?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(english.contains(r#"<html lang="en-CA">"#));
    assert!(english.contains("Password"));
}

#[tokio::test]
async fn a_good_password_opens_a_session_with_a_strict_cookie() {
    let app = spawn_app(&["mamh"]).await;
    app.create_user("mamh", "c.tremblay", Role::CommunityManager).await;
    let response = post_sign_in(&app, &format!("login=c.tremblay&password={TEST_PASSWORD}&suite=%2Fboite%3Ffiltre%3Durgent")).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/boite?filtre=urgent");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("balise_session="));
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=86400"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback: no Secure attribute");
    let token = cookie.split(';').next().unwrap().trim_start_matches("balise_session=");
    assert_eq!(token.len(), 64);
    // The database keeps only the token's hash.
    assert!(app.store.session_by_token_hash(token).await.unwrap().is_none());
    assert!(app.store.session_by_token_hash(&web::auth::secrets::token_hash(token)).await.unwrap().is_some());

    let signed_in = reqwest::Client::new()
        .get(app.url("/api/v1/organisations"))
        .header("cookie", format!("balise_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    assert!(actions(&app).await.iter().any(|(action, actor, _)| action == "signed_in" && actor == "user:c.tremblay"));
}

#[tokio::test]
async fn return_paths_never_leave_the_site() {
    let app = spawn_app(&["mamh"]).await;
    app.create_user("mamh", "c.tremblay", Role::CommunityManager).await;
    for hostile in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example"] {
        let response = post_sign_in(&app, &format!("login=c.tremblay&password={TEST_PASSWORD}&suite={hostile}")).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/", "{hostile}");
    }
}

#[tokio::test]
async fn wrong_or_unknown_credentials_get_the_same_answer_and_are_audited() {
    let app = spawn_app(&["mamh"]).await;
    app.create_user("mamh", "c.tremblay", Role::CommunityManager).await;
    let wrong = post_sign_in(&app, "login=c.tremblay&password=pas-le-bon-mot-de-passe").await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    let wrong = wrong.text().await.unwrap();
    let unknown = post_sign_in(&app, "login=personne&password=pas-le-bon-mot-de-passe").await.text().await.unwrap();
    assert!(wrong.contains("Identifiant ou mot de passe incorrect."));
    assert!(unknown.contains("Identifiant ou mot de passe incorrect."));
    let failures: Vec<_> = actions(&app).await.into_iter().filter(|(action, _, _)| action == "sign_in_failed").collect();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].1, "system:anonymous");
    assert_eq!(failures[0].2, "login:c.tremblay");
    assert_eq!(failures[1].2, "login:personne");
    // The typed login comes back escaped in the form.
    let hostile = post_sign_in(&app, "login=%3Cscript%3Ex%3C%2Fscript%3E&password=zzzzzzzzzzzzz").await.text().await.unwrap();
    assert!(!hostile.contains("<script>x</script>"));
    assert!(hostile.contains("&lt;script&gt;") || hostile.contains("&#60;script&#62;"), "escaped");
}

#[tokio::test]
async fn five_failures_lock_the_login_even_against_the_right_password() {
    let app = spawn_app(&["mamh"]).await;
    app.create_user("mamh", "c.tremblay", Role::CommunityManager).await;
    for attempt in 1..=4 {
        let response = post_sign_in(&app, "login=c.tremblay&password=mauvais-mot-de-passe").await;
        assert_eq!(response.status().as_u16(), 401, "attempt {attempt}");
    }
    let fifth = post_sign_in(&app, "login=c.tremblay&password=mauvais-mot-de-passe").await;
    assert_eq!(fifth.status().as_u16(), 429);
    assert!(fifth.text().await.unwrap().contains("Réessayez dans 15 minutes"));
    let right = post_sign_in(&app, &format!("login=c.tremblay&password={TEST_PASSWORD}")).await;
    assert_eq!(right.status().as_u16(), 429, "locked out even with the right password");
    assert!(right.headers().get("set-cookie").is_none());
    // Same answer for a login that does not exist: the lock-out reveals nothing.
    for _ in 0..5 {
        post_sign_in(&app, "login=fantome&password=mauvais-mot-de-passe").await;
    }
    let ghost = post_sign_in(&app, "login=fantome&password=mauvais-mot-de-passe").await;
    assert_eq!(ghost.status().as_u16(), 429);
    // Other people are not affected.
    app.create_user("mamh", "d.roy", Role::Director).await;
    assert!(app.try_sign_in("d.roy", TEST_PASSWORD).await.is_some());
    let log = actions(&app).await;
    assert!(log.iter().any(|(action, _, id)| action == "sign_in_locked_out" && id == "login:c.tremblay"));
    assert!(log.iter().any(|(action, _, id)| action == "sign_in_refused" && id == "login:c.tremblay"));
}

#[tokio::test]
async fn nobody_signed_in_gets_401_on_the_api_and_the_sign_in_page_elsewhere() {
    let app = spawn_app(&["mamh"]).await;
    let api = app.client.get(app.url("/api/v1/organisations")).send().await.unwrap();
    assert_eq!(api.status().as_u16(), 401);
    assert_eq!(api.headers()["www-authenticate"], "Bearer");
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert!(body["error"]["message"].as_str().unwrap().contains("Connexion requise"));

    let page = no_redirect().get(app.url("/organisations/mamh?onglet=heures")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 303);
    assert_eq!(page.headers()["location"], "/connexion?suite=/organisations/mamh%3Fonglet%3Dheures");

    let forged = reqwest::Client::new()
        .get(app.url("/api/v1/organisations"))
        .header("cookie", "balise_session=0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    let bad_token = reqwest::Client::new()
        .get(app.url("/api/v1/organisations"))
        .header("authorization", "Bearer balise_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status().as_u16(), 401);
    let health = app.client.get(app.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the health check stays public");
}

#[tokio::test]
async fn forbidden_is_403_in_french_for_the_api_and_for_pages() {
    let app = spawn_app(&["mamh"]).await;
    let advisor = app.sign_in(Role::CommunicationsAdvisor).await;
    let api = advisor.get(app.url("/api/v1/audit/verify")).send().await.unwrap();
    assert_eq!(api.status().as_u16(), 403);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(body["error"]["message"], "Votre rôle ne vous permet pas de consulter le journal d'audit.");
}

#[tokio::test]
async fn sign_out_needs_the_csrf_token_and_ends_the_session() {
    let app = spawn_app(&["mamh"]).await;
    let session = app.sign_in_session(Role::CommunityManager).await;
    let cookie = format!("balise_session={}", session.session_token);
    let bare = || no_redirect().post(app.url("/deconnexion")).header("cookie", cookie.clone()).header("content-type", "application/x-www-form-urlencoded");

    let without = bare().body("").send().await.unwrap();
    assert_eq!(without.status().as_u16(), 403);
    assert!(without.text().await.unwrap().contains("jeton CSRF"));
    let wrong = bare().body("csrf=0123456789").send().await.unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    let still = session.client.get(app.url("/api/v1/organisations")).send().await.unwrap();
    assert_eq!(still.status().as_u16(), 200, "refused sign-outs leave the session alone");

    let out = bare().body(format!("csrf={}", session.csrf_token)).send().await.unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(out.headers()["location"], "/connexion");
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after = session.client.get(app.url("/api/v1/organisations")).send().await.unwrap();
    assert_eq!(after.status().as_u16(), 401, "the old cookie no longer works");
    assert!(actions(&app).await.iter().any(|(action, actor, _)| action == "signed_out" && actor == "user:test-community-manager"));
}

#[tokio::test]
async fn unsafe_api_calls_with_a_cookie_need_the_csrf_header() {
    let app = spawn_app(&["mamh"]).await;
    let session = app.sign_in_session(Role::CommunityManager).await;
    let cookie_only = reqwest::Client::new()
        .post(app.url("/api/v1/tokens"))
        .header("cookie", format!("balise_session={}", session.session_token))
        .json(&serde_json::json!({"name": "script"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cookie_only.status().as_u16(), 403);
    let body: Value = cookie_only.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_token_invalid");
    // The testkit client sends X-CSRF-Token.
    let with_header = session.client.post(app.url("/api/v1/tokens")).json(&serde_json::json!({"name": "script"})).send().await.unwrap();
    assert_eq!(with_header.status().as_u16(), 201);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app(&["mamh"]).await;
    let session = app.sign_in_session(Role::CommunityManager).await;
    let response = session
        .client
        .post(app.url("/api/v1/tokens"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let same_site = session
        .client
        .post(app.url("/api/v1/tokens"))
        .header("origin", format!("http://{}", app.address))
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status().as_u16(), 201);
}

#[tokio::test]
async fn api_tokens_are_shown_once_act_with_the_role_and_can_be_revoked() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let created = manager.post(app.url("/api/v1/tokens")).json(&serde_json::json!({"name": "connecteur facebook"})).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("balise_"));
    assert_eq!(created["role"], "community_manager");
    assert_eq!(created["name"], "connecteur facebook");
    let id = created["id"].as_i64().unwrap();

    let bearer = |path: &str| reqwest::Client::new().get(app.url(path)).header("authorization", format!("Bearer {secret}"));
    let used = bearer("/api/v1/organisations/mamh/messages").send().await.unwrap();
    assert_eq!(used.status().as_u16(), 200);
    let refused = bearer("/api/v1/audit/verify").send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403, "a community manager may not read the audit log");

    let listed: Value = manager.get(app.url("/api/v1/tokens")).send().await.unwrap().json().await.unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("token").is_none(), "the secret is never listed");
    assert!(listed[0]["last_used_at"].is_string());

    // A token needs no CSRF header for unsafe calls.
    let posted = reqwest::Client::new()
        .post(app.url("/api/v1/messages"))
        .header("authorization", format!("Bearer {secret}"))
        .json(&serde_json::json!([]))
        .send()
        .await
        .unwrap();
    assert_ne!(posted.status().as_u16(), 403);
    assert_ne!(posted.status().as_u16(), 401);

    // Someone else cannot revoke it; its owner can.
    let other = app.sign_in(Role::Director).await;
    let foreign = other.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap();
    assert_eq!(foreign.status().as_u16(), 404);
    let revoked = manager.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 204);
    let after = bearer("/api/v1/organisations/mamh/messages").send().await.unwrap();
    assert_eq!(after.status().as_u16(), 401);
    let log = actions(&app).await;
    assert!(log.iter().any(|(action, actor, _)| action == "api_token_created" && actor == "user:test-community-manager"));
    assert!(log.iter().any(|(action, _, _)| action == "api_token_revoked"));

    let bad_name = manager.post(app.url("/api/v1/tokens")).json(&serde_json::json!({"name": "  "})).send().await.unwrap();
    assert_eq!(bad_name.status().as_u16(), 400);
}

#[tokio::test]
async fn an_administrator_sees_and_revokes_every_token() {
    let app = spawn_app(&["mamh"]).await;
    let secret = app.api_token(Role::CommunityManager).await;
    let administrator = app.sign_in(Role::Administrator).await;
    let listed: Value = administrator.get(app.url("/api/v1/tokens")).send().await.unwrap().json().await.unwrap();
    let id = listed[0]["id"].as_i64().unwrap();
    let revoked = administrator.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 204);
    let after = reqwest::Client::new()
        .get(app.url("/api/v1/organisations"))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 401);
}

#[tokio::test]
async fn people_see_only_their_own_organisation() {
    let app = spawn_app(&["mamh", "mess"]).await;
    let director = app.sign_in(Role::Director).await;
    let own = director.get(app.url("/api/v1/organisations/mamh/messages")).send().await.unwrap();
    assert_eq!(own.status().as_u16(), 200);
    let other = director.get(app.url("/api/v1/organisations/mess/messages")).send().await.unwrap();
    assert_eq!(other.status().as_u16(), 403);
}
