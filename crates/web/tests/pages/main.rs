//! The pages, end to end over HTTP on the real application: each page renders for a role
//! that may see it and is refused (403) to one that may not; the inbox puts urgent cases
//! first and marks the evidence with every citizen string escaped; personal information is
//! masked for a director and shown to a community manager; a form without its CSRF token is
//! refused; a route changed through the case page's form is in the audit log; English is a
//! whole-page switch.

#![allow(clippy::unwrap_used)]

use domain::audit::{Actor, Attribution};
use domain::entities::{
    AccountHandle, Author, CaseId, ExternalId, MessageKind, Network, NewAccount, NewMessage, OrganisationId,
};
use domain::profile::Role;
use store::MessageInsertion;
use store::intake::{CaseIntake, DeadlineRecord, IntakeRecorded, IntakeResult, StageDeadline, SuggestionRecord, VerdictRecord};
use testkit::{TestApp, spawn_app};

mod languages;

const PASSWORD: &str = "mot-de-passe-des-pages";

/// A signed-in person: a client carrying only the session cookie (as a browser does; forms
/// carry the CSRF token in their hidden field), and the session's tokens.
struct Session {
    client: reqwest::Client,
    login: String,
    session_token: String,
    csrf_token: String,
}

/// Creates a user of the MAMH organisation with `role`.
async fn create_user(app: &TestApp, login: &str, role: Role) -> domain::entities::User {
    let parsed = domain::entities::Login::parse(login).unwrap();
    if let Some(user) = app.store.get_user_by_login(&parsed).await.unwrap() {
        return user;
    }
    let password = web::auth::password::NewPassword::parse(PASSWORD).unwrap();
    let user = domain::entities::NewUser {
        organisation_id: OrganisationId::parse("mamh").unwrap(),
        login: parsed,
        display_name: format!("Personne {login}"),
        role: domain::entities::RoleId::parse(role.id()).unwrap(),
        password_hash: web::auth::password::hash_password(&password).unwrap(),
    };
    app.store.add_user(&system(), &user).await.unwrap()
}

/// Signs in through `POST /connexion` as the test user of `role`.
async fn sign_in_session(app: &TestApp, role: Role) -> Session {
    let login = format!("pages-{}", role.id().replace('_', "-"));
    create_user(app, &login, role).await;
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = raw
        .post(app.url("/connexion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login={login}&password={PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "sign-in of {login} refused");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session_token = cookie.split(';').next().unwrap().strip_prefix("balise_session=").unwrap().to_owned();
    let session = app
        .store
        .session_by_token_hash(&web::auth::secrets::token_hash(&session_token))
        .await
        .unwrap()
        .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("balise_session={session_token}").parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Session { client, login, session_token, csrf_token: session.csrf_token }
}

async fn sign_in(app: &TestApp, role: Role) -> reqwest::Client {
    sign_in_session(app, role).await.client
}

fn system() -> Attribution {
    Attribution::by(Actor::system("test").unwrap())
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// The hostile words every test citizen writes, with a phone number as personal information.
const HOSTILE: &str = "Espèce d'idiot <script>alert(1)</script> \"><img src=x onerror=alert(2)> appelez le 418-555-0199";

struct Seeded {
    calm: CaseId,
    urgent: CaseId,
    hostile: CaseId,
}

fn char_span(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).unwrap();
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

async fn intake(
    app: &TestApp,
    account: &domain::entities::Account,
    external_id: &str,
    text: &str,
    verdict: VerdictRecord,
    route: &str,
    due: &str,
) -> CaseId {
    let message = NewMessage {
        network: account.network.clone(),
        account_id: account.id,
        external_id: ExternalId::parse(external_id).unwrap(),
        thread: Some(ExternalId::parse("publication-1").unwrap()),
        author: Author { external_id: ExternalId::parse(&format!("auteur-{external_id}")).unwrap(), display_name: "Jeanne <b>Citoyenne</b>".into() },
        text: text.into(),
        kind: MessageKind::Comment,
        received_at: at("2026-03-02T14:05:06Z"),
    };
    let outcomes = app.store.insert_messages(&system(), &[message]).await.unwrap();
    let MessageInsertion::New(message_id) = outcomes[0] else { panic!("{outcomes:?}") };
    let (family, target) = route.split_once(':').map_or((route, None), |(family, target)| (family, Some(target.to_owned())));
    let case = CaseIntake {
        suggestion: SuggestionRecord {
            route: route.into(),
            route_family: family.into(),
            target_id: target,
            reasons_json: r#"[{"code":"test","text_fr":"Raison <i>de test</i>."}]"#.into(),
            alternatives_json: "[]".into(),
            reply_expected: true,
            suggested_page_json: Some(r#"{"url":"javascript:alert(3)","title":"Piège","score":1.0}"#.into()),
        },
        suggestion_rule: None,
        deadlines: Some(DeadlineRecord {
            commitment_id: "first_response".into(),
            clock_start: at("2026-03-02T14:05:06Z"),
            stages: vec![StageDeadline { stage: "triage".into(), starts: at("2026-03-02T14:05:06Z"), planned_due: at(due), ended_at: None }],
            first_response_due: at(due),
            committed_due: at(due),
        }),
    };
    let recorded = app
        .store
        .record_intake(&system(), &[IntakeResult::Processed { message_id, verdict, verdict_rule: None, case: Some(case) }])
        .await
        .unwrap();
    let IntakeRecorded::CaseOpened(case_id) = recorded[0] else { panic!("{recorded:?}") };
    case_id
}

fn verdict(urgent: Option<&str>, categories: &[&str], evidence: serde_json::Value) -> VerdictRecord {
    VerdictRecord {
        action: if categories.is_empty() && urgent.is_none() { "publish".into() } else { "hide".into() },
        categories: categories.iter().map(|category| (*category).to_owned()).collect(),
        urgent: urgent.map(str::to_owned),
        clauses: vec![],
        evidence_json: evidence.to_string(),
        language: "fr".into(),
        explanation: "Propos injurieux : « idiot ». Numéro : « 418-555-0199 ».".into(),
        substance_remains: false,
        engine_version: "test".into(),
    }
}

async fn seed(app: &TestApp) -> Seeded {
    let account = app
        .store
        .add_account(
            &system(),
            &NewAccount {
                organisation_id: OrganisationId::parse("mamh").unwrap(),
                network: Network::parse("facebook").unwrap(),
                handle: AccountHandle::parse("@mamh").unwrap(),
            },
        )
        .await
        .unwrap();
    let calm = intake(app, &account, "calme", "Quand ouvre le bureau?", verdict(None, &[], serde_json::json!([])), "ask_precision", "2026-03-02T15:00:00Z").await;
    let (insult_start, insult_end) = char_span(HOSTILE, "idiot");
    let (phone_start, phone_end) = char_span(HOSTILE, "418-555-0199");
    let (script_start, script_end) = char_span(HOSTILE, "<script>alert(1)</script>");
    let evidence = serde_json::json!([
        {"category": "abusive", "start": insult_start, "end": insult_end, "matched": "idiot"},
        {"category": "abusive", "start": script_start, "end": script_end, "matched": "<script>alert(1)</script>"},
        {"category": "personal_info", "start": phone_start, "end": phone_end, "matched": "418-555-0199"},
    ]);
    let hostile = intake(app, &account, "hostile", HOSTILE, verdict(None, &["abusive", "personal_info"], evidence), "netiquette", "2026-03-04T15:00:00Z").await;
    let urgent = intake(app, &account, "urgent", "Je vais tout faire sauter", verdict(Some("threat"), &[], serde_json::json!([])), "urgent", "2026-03-09T15:00:00Z").await;
    Seeded { calm, urgent, hostile }
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn each_page_renders_for_an_allowed_role_and_is_refused_to_a_forbidden_one() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let case_path = format!("/cas/{}", seeded.calm.get());
    let community_manager = sign_in(&app, Role::CommunityManager).await;
    let director = sign_in(&app, Role::Director).await;
    let staff = sign_in(&app, Role::Staff).await;
    let sector_manager = sign_in(&app, Role::SectorManager).await;

    let allowed: [(&reqwest::Client, &str, &str); 8] = [
        (&community_manager, "/boite", "Boîte de réception"),
        (&community_manager, &case_path, "Décision de modération expliquée"),
        (&community_manager, "/repondants", "Répondants"),
        (&community_manager, "/engagements", "Engagements de réponse"),
        (&community_manager, "/profil", "Nétiquette"),
        (&director, "/journal", "Chaîne intègre."),
        (&sector_manager, "/repondants", "Enregistrer la désignation"),
        (&staff, "/profil", "Heures de bureau"),
    ];
    for (client, path, expected) in allowed {
        let (status, body) = get(client, &app, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(expected), "{path} lacks {expected}");
        assert_eq!(body.matches("<h1").count(), 1, "{path} has one h1");
        assert!(body.contains("<html lang=\"fr-CA\">"), "{path}");
        assert!(body.contains("href=\"#contenu\""), "{path} has a skip link");
    }
    let forbidden: [(&reqwest::Client, &str); 6] = [
        (&community_manager, "/journal"),
        (&staff, "/boite"),
        (&staff, &case_path),
        (&staff, "/repondants"),
        (&staff, "/engagements"),
        (&staff, "/engagements.csv"),
    ];
    for (client, path) in forbidden {
        let (status, _) = get(client, &app, path).await;
        assert_eq!(status, 403, "{path}");
    }
    // Nobody signed in: sent to the sign-in page.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = anonymous.get(app.url("/boite")).send().await.unwrap();
    assert!(response.status().is_redirection());
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/connexion"));

    // A respondent sees only the cases assigned to them.
    let respondent = sign_in(&app, Role::Respondent).await;
    let (status, body) = get(&respondent, &app, "/boite").await;
    assert_eq!(status, 200);
    assert!(!body.contains(&format!("/cas/{}", seeded.calm.get())));
    assert_eq!(get(&respondent, &app, &case_path).await.0, 403);

    // Navigation shows only what the role opens.
    let (_, body) = get(&community_manager, &app, "/profil").await;
    assert!(body.contains("href=\"/boite\"") && body.contains("href=\"/calendrier\"") && !body.contains("href=\"/journal\""));
}

#[tokio::test]
async fn the_inbox_puts_urgent_first_and_marks_evidence_with_everything_escaped() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let community_manager = sign_in(&app, Role::CommunityManager).await;
    let (status, body) = get(&community_manager, &app, "/boite").await;
    assert_eq!(status, 200);
    let position = |case: CaseId| body.find(&format!("href=\"/cas/{}\"", case.get())).unwrap();
    assert!(position(seeded.urgent) < position(seeded.calm), "urgent first");
    assert!(position(seeded.calm) < position(seeded.hostile), "then the nearest deadline");

    // Hostile words come out as text, never as markup.
    assert!(!body.contains("<script>alert"), "raw script tag");
    assert!(!body.contains("<img src=x"), "raw img tag");
    assert!(!body.contains("<b>Citoyenne"), "raw markup in the author's name");
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(body.contains("&#34;&#62;&#60;img src=x onerror=alert(2)&#62;"));
    assert!(body.contains("Jeanne &#60;b&#62;Citoyenne&#60;/b&#62;"));
    // The offending words are marked, with the category in words (not colour alone).
    assert!(body.contains("data-category=\"abusive\">idiot<span class=\"mark-label\">[propos injurieux, vulgaires ou violents]</span></mark>"), "{body}");
    // A community manager reads personal information.
    assert!(body.contains(">418-555-0199<"));
    // The countdown is in business time, late here (the deadlines are in the past).
    assert!(body.contains("en retard de"));
    assert!(body.contains("ouvrable"));
    assert!(body.contains("src=\"/static/balise.js\""));
    assert!(body.contains("id=\"aide-clavier\""));

    // Filters narrow, as a GET form.
    let (_, urgent_only) = get(&community_manager, &app, "/boite?categorie=threat").await;
    assert!(urgent_only.contains(&format!("href=\"/cas/{}\"", seeded.urgent.get())));
    assert!(!urgent_only.contains(&format!("href=\"/cas/{}\"", seeded.calm.get())));
    assert_eq!(get(&community_manager, &app, "/boite?apres=nimporte").await.0, 400);

    // The case page escapes as well, and never links to a javascript: address.
    let (status, case_page) = get(&community_manager, &app, &format!("/cas/{}", seeded.hostile.get())).await;
    assert_eq!(status, 200);
    assert!(!case_page.contains("<script>alert") && !case_page.contains("<img src=x") && !case_page.contains("<i>de test"));
    assert!(!case_page.contains("javascript:"));
    assert!(case_page.contains("Raison &#60;i&#62;de test&#60;/i&#62;."));
}

#[tokio::test]
async fn personal_information_is_masked_for_a_director_and_shown_to_a_community_manager() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let director = sign_in(&app, Role::Director).await;
    let community_manager = sign_in(&app, Role::CommunityManager).await;
    for path in ["/boite".to_owned(), format!("/cas/{}", seeded.hostile.get())] {
        let (status, masked) = get(&director, &app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!masked.contains("418-555-0199"), "{path} shows personal information to a director");
        assert!(masked.contains("••••••••••••"), "{path}");
        assert!(masked.contains("idiot"), "{path}: only personal information is masked");
        let (_, visible) = get(&community_manager, &app, &path).await;
        assert!(visible.contains("418-555-0199"), "{path}");
    }
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let session = sign_in_session(&app, Role::CommunityManager).await;
    // A browser-like client with the session cookie only (no CSRF header).
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("balise_session={}", session.session_token).parse().unwrap());
    let cookie_only = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let path = format!("/cas/{}/acheminement", seeded.calm.get());
    for body in ["route=positive".to_owned(), "route=positive&csrf=faux".to_owned()] {
        let response = cookie_only
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403, "{body}");
    }
    let suggestion = app.store.get_suggestion(seeded.calm).await.unwrap().unwrap();
    assert_eq!(suggestion.confirmation, None);
}

#[tokio::test]
async fn a_route_changed_through_the_case_page_is_recorded_in_the_audit_log() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let session = sign_in_session(&app, Role::CommunityManager).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("balise_session={}", session.session_token).parse().unwrap());
    let browser = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let case_path = format!("/cas/{}", seeded.calm.get());
    // The form on the page carries the session's token in its hidden field.
    let page = browser.get(app.url(&case_path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("action=\"{case_path}/acheminement\"")));
    assert!(page.contains(&format!("name=\"csrf\" value=\"{}\"", session.csrf_token)));
    let response = browser
        .post(app.url(&format!("{case_path}/acheminement")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&route=respondent%3Adcom", session.csrf_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{case_path}?ok=route_changed"));

    let entries = app.store.case_audit(seeded.calm).await.unwrap();
    let change = entries.iter().find(|entry| entry.event.action.as_str() == "route_changed").expect("route_changed in the audit log");
    assert_eq!(change.event.attribution.actor.to_audit_text(), format!("user:{}", session.login));
    assert!(change.event.after_json.as_deref().unwrap().contains("respondent:dcom"));

    let after = browser.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(after.contains("L&#39;acheminement du dossier est enregistré."));
    assert!(after.contains("route_changed"), "the history table shows the entry");
    // A role without `triage` may not use the form.
    let director = sign_in_session(&app, Role::Director).await;
    let refused = director
        .client
        .post(app.url(&format!("{case_path}/acheminement")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&route=positive", director.csrf_token))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn english_is_a_whole_page_switch_remembered_by_a_cookie() {
    let app = spawn_app(&["mamh"]).await;
    seed(&app).await;
    let session = sign_in_session(&app, Role::CommunityManager).await;
    let response = session.client.get(app.url("/boite?lang=en")).send().await.unwrap();
    let cookie = response.headers().get_all("set-cookie").iter().any(|value| value.to_str().unwrap().starts_with("balise_lang=en"));
    assert!(cookie, "the choice is remembered");
    let body = response.text().await.unwrap();
    assert!(body.contains("<html lang=\"en-CA\">"));
    assert!(body.contains(">Inbox<") && body.contains("business time"));
    for french in ["Boîte de réception", "Se déconnecter", "Filtrer", "ouvrable", "Acheminement"] {
        assert!(!body.contains(french), "French {french} on the English page");
    }
    // With the cookie and no query, the next page is English too.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("balise_session={}; balise_lang=en", session.session_token).parse().unwrap());
    let english = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let body = english.get(app.url("/profil")).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("<html lang=\"en-CA\">") && body.contains("Office hours"));
}

#[tokio::test]
async fn the_csv_exports_neutralise_formulas_and_are_audited() {
    let app = spawn_app(&["mamh"]).await;
    seed(&app).await;
    let manager = create_user(&app, "=HYPERLINK(x)", Role::SectorManager).await;
    let respondent = create_user(&app, "r.tremblay", Role::Respondent).await;
    let designation = domain::respondents::Designation {
        organisation_id: OrganisationId::parse("mamh").unwrap(),
        unit: domain::respondents::UnitId::parse("urbanisme").unwrap(),
        sector: domain::respondents::SectorId::from_stored("dcom").unwrap(),
        respondent: respondent.id,
        substitute: Some(manager.id),
    };
    app.store.designate_respondent(&system(), &designation).await.unwrap();
    let community_manager = sign_in(&app, Role::CommunityManager).await;
    let response = community_manager.get(app.url("/repondants.csv")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK(x)"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    let entries = app.store.audit_entries(0, 1_000).await.unwrap();
    assert!(entries.iter().any(|entry| entry.event.action.as_str() == "respondents_exported"));
    let (status, csv) = get(&community_manager, &app, "/engagements.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("secteur,etape,semaine"));
}

/// A browser-like client: the session cookie only, forms carry the token in their field.
fn browser(session: &Session) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("balise_session={}", session.session_token).parse().unwrap());
    reqwest::Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn post_form(client: &reqwest::Client, app: &TestApp, path: &str, body: &str) -> (u16, String) {
    let response = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location)
}

#[tokio::test]
async fn a_respondent_answers_the_community_manager_reviews_hides_and_replies_in_two_steps() {
    let app = spawn_app(&["mamh"]).await;
    let seeded = seed(&app).await;
    let case_path = format!("/cas/{}", seeded.calm.get());
    let respondent_session = sign_in_session(&app, Role::Respondent).await;
    let respondent_user = app.store.get_user_by_login(&domain::entities::Login::parse(&respondent_session.login).unwrap()).await.unwrap().unwrap();
    app.store.assign_case(&system(), seeded.calm, respondent_user.id).await.unwrap();
    let respondent = browser(&respondent_session);

    // The respondent now sees the case and only the answer form among the actions.
    let page = respondent.get(app.url(&case_path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/reponse-proposee\""));
    assert!(!page.contains("/acheminement\"") && !page.contains("/moderation\"") && !page.contains("/reponse/confirmation\""));
    let (status, location) = post_form(
        &respondent,
        &app,
        &format!("{case_path}/reponse-proposee"),
        &format!("csrf={}&text=Le+programme+ouvre+le+1er+avril.", respondent_session.csrf_token),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, format!("{case_path}?ok=answer_proposed").as_str()));

    let manager_session = sign_in_session(&app, Role::CommunityManager).await;
    let manager = browser(&manager_session);
    let answers = app.store.case_answers(seeded.calm).await.unwrap();
    assert_eq!(answers.len(), 1);
    let (status, _) = post_form(
        &manager,
        &app,
        &format!("{case_path}/revision"),
        &format!("csrf={}&answer_id={}&decision=approve&comment=", manager_session.csrf_token, answers[0].id),
    )
    .await;
    assert_eq!(status, 303);
    // Approved, the answer is a draft: nothing is sent before the separate confirmation.
    let replies = app.store.case_replies(seeded.calm).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].status, store::case_actions::ReplyStatus::Draft);
    let page = manager.get(app.url(&case_path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Le programme ouvre le 1er avril.") && page.contains("/reponse/confirmation\""));
    let (status, _) = post_form(
        &manager,
        &app,
        &format!("{case_path}/reponse/confirmation"),
        &format!("csrf={}&reply_id={}", manager_session.csrf_token, replies[0].id),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(app.store.case_replies(seeded.calm).await.unwrap()[0].status, store::case_actions::ReplyStatus::Confirmed);

    // Hiding the hostile comment through its form is recorded; the citizen's words stay.
    let hostile_path = format!("/cas/{}", seeded.hostile.get());
    let (status, location) = post_form(
        &manager,
        &app,
        &format!("{hostile_path}/moderation"),
        &format!("csrf={}&action=hide&clause=", manager_session.csrf_token),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, format!("{hostile_path}?ok=hidden").as_str()));
    let decisions = app.store.case_moderation_actions(seeded.hostile).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].action, store::case_actions::ModerationAction::Hide);
    let message = app.store.get_message(decisions[0].message_id).await.unwrap().unwrap();
    assert_eq!(message.received.text, HOSTILE);
    // An unknown action is refused, and so is an unknown clause.
    let (status, _) = post_form(&manager, &app, &format!("{hostile_path}/moderation"), &format!("csrf={}&action=burn", manager_session.csrf_token)).await;
    assert_eq!(status, 400);
    let (status, _) = post_form(&manager, &app, &format!("{hostile_path}/moderation"), &format!("csrf={}&action=hide&clause=nope", manager_session.csrf_token)).await;
    assert_eq!(status, 400);

    let actions: Vec<String> = app.store.case_audit(seeded.calm).await.unwrap().iter().map(|entry| entry.event.action.as_str().to_owned()).collect();
    for expected in ["answer_proposed", "answer_approved", "reply_prepared", "reply_confirmed"] {
        assert!(actions.iter().any(|action| action == expected), "{expected} missing from {actions:?}");
    }
}
