//! The editorial calendar over real HTTP on a real server (port 0, fresh SQLite database):
//! drafting, approval by the sector, validation, publication into the outbox; refusal (403)
//! of someone without the step's role; nobody approving their own draft; changes requested;
//! the checks that hold back a variant a network would refuse; postponement (propose, then
//! confirm); the iCalendar feed with and without its token; the CSV export; press releases.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use domain::audit::{Actor, Attribution};
use domain::entities::{Organisation, OrganisationId, ProfileId};
use domain::profile::{Profile, Role};
use serde_json::{Value, json};
use testkit::{TestApp, spawn_app};

const FACEBOOK_TEXT: &str = "L'été arrive : vérifiez que la clôture de votre piscine résidentielle respecte les normes de sécurité pour protéger les enfants de votre quartier.";

fn entry_body(title: &str, when: &str) -> Value {
    json!({
        "title": title,
        "scheduled_at": when,
        "campaign": "Sécurité des piscines",
        "sector": "habitation",
        "budget": "0 $",
        "variants": [
            {
                "network": "facebook",
                "message": FACEBOOK_TEXT,
                "hashtags": ["piscine"],
                "link": "https://www.quebec.ca/piscines",
                "image": {"reference": "piscine.png", "alt_text": "Une clôture fermée autour d'une piscine creusée."},
            },
            {
                "network": "x",
                "message": "Sécurité des piscines résidentielles : les règles à connaître avant la baignade de cet été.",
            }
        ]
    })
}

async fn create(client: &reqwest::Client, app: &TestApp, body: &Value) -> Value {
    let response = client.post(app.url("/api/v1/organisations/mamh/entries")).json(body).send().await.unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn decide(client: &reqwest::Client, app: &TestApp, id: i64, step: &str, decision: &str) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/entries/{id}/decisions")))
        .json(&json!({"step": step, "decision": decision, "comment": format!("{decision} à l'étape {step}")}))
        .send()
        .await
        .unwrap()
}

async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test]
async fn drafting_approval_by_the_sector_validation_and_publication() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let sector = app.sign_in(Role::SectorManager).await;
    let dcom = app.sign_in(Role::CommunicationsManager).await;

    let entry = create(&manager, &app, &entry_body("Piscines", "2026-06-02T14:00:00Z")).await;
    let id = entry["id"].as_i64().unwrap();
    assert_eq!(entry["step"], "drafting");
    // The profile's UTM convention was added to the link.
    let link = entry["variants"][0]["link"].as_str().unwrap();
    assert!(link.contains("utm_source=facebook") && link.contains("utm_medium=social"), "{link}");
    assert_eq!(entry["chain"].as_array().unwrap().len(), 5);

    let after_draft = ok_json(decide(&manager, &app, id, "drafting", "approve").await).await;
    assert_eq!(after_draft["step"], "approval");
    let after_approval = ok_json(decide(&sector, &app, id, "approval", "approve").await).await;
    assert_eq!(after_approval["step"], "validation");
    // The sector may not publish: refused before anything changes.
    assert_eq!(decide(&sector, &app, id, "validation", "approve").await.status(), 403);
    let after_validation = ok_json(decide(&dcom, &app, id, "validation", "approve").await).await;
    assert_eq!(after_validation["step"], "publication");
    assert_eq!(decide(&dcom, &app, id, "publication", "approve").await.status(), 403);
    let published = ok_json(decide(&manager, &app, id, "publication", "approve").await).await;
    assert_eq!(published["status"], "published");

    let detail = ok_json(manager.get(app.url(&format!("/api/v1/entries/{id}"))).send().await.unwrap()).await;
    let decisions = detail["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 4);
    assert_eq!(decisions[1]["role"], "sector_manager");
    assert_eq!(decisions[1]["comment"], "approve à l'étape approval");
    let outbox = app.store.pending_publications(10).await.unwrap();
    assert_eq!(outbox.iter().map(|p| p.network.as_str()).collect::<Vec<_>>(), ["facebook", "x"]);
    // Published: the sector can no longer withdraw it.
    let withdraw = sector.post(app.url(&format!("/api/v1/entries/{id}/withdraw"))).json(&json!({})).send().await.unwrap();
    assert_eq!(withdraw.status(), 409);
}

#[tokio::test]
async fn someone_without_the_step_role_is_refused_with_403() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let respondent = app.sign_in(Role::Respondent).await;
    let staff = app.sign_in(Role::Staff).await;
    let entry = create(&manager, &app, &entry_body("Piscines", "2026-06-02T14:00:00Z")).await;
    let id = entry["id"].as_i64().unwrap();
    ok_json(decide(&manager, &app, id, "drafting", "approve").await).await;

    // Staff hold no approval permission: the access table refuses.
    assert_eq!(decide(&staff, &app, id, "approval", "approve").await.status(), 403);
    // The respondent holds approve_publication but only collaborates on the approval step
    // (Annexe 4): the chain refuses.
    let refused = decide(&respondent, &app, id, "approval", "approve").await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_a_carrier");
    let detail = ok_json(manager.get(app.url(&format!("/api/v1/entries/{id}"))).send().await.unwrap()).await;
    assert_eq!(detail["step"], "approval", "nothing moved");
    assert_eq!(detail["decisions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn changes_requested_go_back_to_drafting_then_refusal_ends_the_entry() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let sector = app.sign_in(Role::SectorManager).await;
    let entry = create(&manager, &app, &entry_body("Piscines", "2026-06-02T14:00:00Z")).await;
    let id = entry["id"].as_i64().unwrap();
    ok_json(decide(&manager, &app, id, "drafting", "approve").await).await;
    let back = ok_json(decide(&sector, &app, id, "approval", "request_changes").await).await;
    assert_eq!(back["step"], "drafting");
    // In drafting, the draft can be edited again.
    let mut edited = entry_body("Piscines (révisé)", "2026-06-02T14:00:00Z");
    edited["budget"] = json!("100 $");
    let updated = ok_json(manager.put(app.url(&format!("/api/v1/entries/{id}"))).json(&edited).send().await.unwrap()).await;
    assert_eq!(updated["title"], "Piscines (révisé)");
    ok_json(decide(&manager, &app, id, "drafting", "approve").await).await;
    // Past drafting, edits are refused.
    let late = manager.put(app.url(&format!("/api/v1/entries/{id}"))).json(&edited).send().await.unwrap();
    assert_eq!(late.status(), 409);
    let refused = ok_json(decide(&sector, &app, id, "approval", "refuse").await).await;
    assert_eq!(refused["status"], "refused");
    assert_eq!(decide(&sector, &app, id, "approval", "approve").await.status(), 409);
}

#[tokio::test]
async fn a_variant_a_network_would_refuse_holds_the_draft_back() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let mut body = entry_body("Trop long", "2026-06-02T14:00:00Z");
    body["variants"][1]["message"] = json!("é".repeat(300));
    body["variants"][0]["image"]["alt_text"] = json!("");
    let entry = create(&manager, &app, &body).await;
    let id = entry["id"].as_i64().unwrap();
    let checks = ok_json(manager.get(app.url(&format!("/api/v1/entries/{id}/checks"))).send().await.unwrap()).await;
    assert_eq!(checks["valid"], false);
    let codes: Vec<String> = checks["variants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_owned()))
        .collect();
    assert!(codes.contains(&"missing_alt_text".to_owned()), "{codes:?}");
    assert!(codes.iter().any(|c| c.contains("too_long")), "{codes:?}");
    assert_eq!(checks["variants"][1]["limit"], 280);
    let held = decide(&manager, &app, id, "drafting", "approve").await;
    assert_eq!(held.status(), 409);
    let error: Value = held.json().await.unwrap();
    assert_eq!(error["error"]["code"], "checks_failed");
    assert!(error["error"]["details"].is_array());
}

#[tokio::test]
async fn a_suggestion_carries_at_most_one_page() {
    let app = spawn_app(&["mamh"]).await;
    let staff = app.sign_in(Role::Staff).await;
    let mut body = entry_body("Idée du personnel", "2026-06-02T14:00:00Z");
    body["documentation"] = json!("mot ".repeat(501));
    let response = staff.post(app.url("/api/v1/organisations/mamh/entries")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "documentation_too_long");
    body["documentation"] = json!("Une courte note pour expliquer l'idée.");
    let created = create(&staff, &app, &body).await;
    assert_eq!(created["step"], "drafting", "the suggestion is done; drafting awaits the community managers");
}

#[tokio::test]
async fn postponement_proposes_then_confirms_new_times() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    // Tuesday 2026-06-02, 10:00 and 10:30 in Quebec (14:00Z, 14:30Z).
    let first = create(&manager, &app, &entry_body("Un", "2026-06-02T14:00:00Z")).await;
    let second = create(&manager, &app, &entry_body("Deux", "2026-06-02T14:30:00Z")).await;
    let (first_id, second_id) = (first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap());

    // Urgent news from 10:00 to 11:00 local: everything in that hour moves after it.
    let proposal = ok_json(
        manager
            .post(app.url("/api/v1/organisations/mamh/postpone"))
            .json(&json!({"from": "2026-06-02T14:00:00Z", "to": "2026-06-02T15:00:00Z", "spacing_minutes": 60}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(proposal["confirmed"], false);
    let moves = proposal["moves"].as_array().unwrap().clone();
    assert_eq!(moves.len(), 2);
    // 11:00 local, then one hour later on the same networks: 12:00 is lunch, so 13:00.
    assert_eq!(moves[0]["entry_id"], first_id);
    assert_eq!(moves[0]["to"], "2026-06-02T15:00:00Z");
    assert_eq!(moves[1]["entry_id"], second_id);
    assert_eq!(moves[1]["to"], "2026-06-02T17:00:00Z");
    // Nothing moved yet.
    let unchanged = ok_json(manager.get(app.url(&format!("/api/v1/entries/{first_id}"))).send().await.unwrap()).await;
    assert_eq!(unchanged["scheduled_at"], "2026-06-02T14:00:00Z");

    let missing_reason = manager
        .post(app.url("/api/v1/organisations/mamh/postpone"))
        .json(&json!({"moves": moves}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_reason.status(), 400);
    let confirmed = ok_json(
        manager
            .post(app.url("/api/v1/organisations/mamh/postpone"))
            .json(&json!({"moves": moves, "reason": "Actualité urgente : inondations"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(confirmed["confirmed"], true);
    let moved = ok_json(manager.get(app.url(&format!("/api/v1/entries/{second_id}"))).send().await.unwrap()).await;
    assert_eq!(moved["scheduled_at"], "2026-06-02T17:00:00Z");
    assert_eq!(moved["postponements"][0]["reason"], "Actualité urgente : inondations");

    // One entry alone, proposed after a given time; only the calendar's managers postpone.
    let sector = app.sign_in(Role::SectorManager).await;
    let refused = sector.post(app.url(&format!("/api/v1/entries/{first_id}/postpone"))).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let single = ok_json(
        manager
            .post(app.url(&format!("/api/v1/entries/{first_id}/postpone")))
            .json(&json!({"not_before": "2026-06-05T20:45:00Z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Friday 16:45 local is past closing (16:30): Monday 8:30 local.
    assert_eq!(single["moves"][0]["to"], "2026-06-08T12:30:00Z");
}

#[tokio::test]
async fn the_ical_feed_needs_its_token_and_the_csv_has_annexe_5_columns() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    create(&manager, &app, &entry_body("Piscines, été; sécurité", "2026-06-02T14:00:00Z")).await;
    let anonymous = reqwest::Client::new();
    let feed = app.url("/api/v1/organisations/mamh/calendar.ics");
    assert_eq!(anonymous.get(&feed).send().await.unwrap().status(), 404);
    assert_eq!(anonymous.get(format!("{feed}?token=inconnu")).send().await.unwrap().status(), 404);

    let token = ok_json(manager.post(app.url("/api/v1/organisations/mamh/calendar-token")).send().await.unwrap()).await;
    let path = token["path"].as_str().unwrap();
    let response = anonymous.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = response.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("DTSTART:20260602T140000Z"));
    assert!(ics.contains("SUMMARY:[facebook\\, x] Piscines\\, été\\; sécurité"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line}");
    }
    // Another organisation's path with this token is refused.
    let other = path.replace("/organisations/mamh/", "/organisations/mess/");
    assert_eq!(anonymous.get(app.url(&other)).send().await.unwrap().status(), 404);

    let csv = manager.get(app.url("/api/v1/organisations/mamh/calendar.csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("\"DATE / HEURE\",\"MÉDIA\",\"MESSAGE et mot-clic\",\"LIEN et balises UTM\""), "{header}");
    assert_eq!(text.lines().count(), 3, "one row per variant");
    assert!(text.contains("\"2026-06-02 10:00\",\"facebook\""));
    assert_eq!(anonymous.get(app.url("/api/v1/organisations/mamh/calendar.csv")).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn a_press_release_becomes_proposed_variants() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let html = "<html><head><title>Nouveau programme d'aide aux municipalités</title></head><body>\
        <h1>Nouveau programme d'aide aux municipalités</h1>\
        <p>QUÉBEC, le 2 juin 2026.</p>\
        <p>La ministre annonce aujourd'hui un nouveau programme d'aide financière destiné aux petites municipalités du Québec.</p>\
        </body></html>";
    let body = ok_json(
        manager
            .post(app.url("/api/v1/organisations/mamh/press-releases"))
            .json(&json!({"html": html, "url": "https://www.quebec.ca/nouvelles/1"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let variants = body["variants"].as_array().unwrap();
    let x = variants.iter().find(|v| v["network"] == "x").unwrap();
    assert!(x["message"].as_str().unwrap().starts_with("Nouveau programme d'aide aux municipalités"));
    let facebook = variants.iter().find(|v| v["network"] == "facebook").unwrap();
    assert!(facebook["message"].as_str().unwrap().contains("La ministre annonce"));
    let missing = manager.post(app.url("/api/v1/organisations/mamh/press-releases")).json(&json!({})).send().await.unwrap();
    assert_eq!(missing.status(), 400);
}

// ------------------------------------------------------------------ nobody approves their own draft

/// An organisation whose community managers may also approve (a small team): the chain
/// must still refuse that the person who drafted approves.
async fn spawn_small_team() -> (std::net::SocketAddr, store::Store, tempfile::TempDir, tokio::sync::oneshot::Sender<()>) {
    let text = Profile::preset_text("mamh").unwrap()
        .replacen(
            "permissions = [\"read_cases\", \"moderate\", \"block_author\", \"triage\", \"reply\", \"escalate\", \"suggest_publication\", \"draft_publication\", \"publish\",",
            "permissions = [\"read_cases\", \"moderate\", \"block_author\", \"triage\", \"reply\", \"escalate\", \"suggest_publication\", \"draft_publication\", \"approve_publication\", \"publish\",",
            1,
        )
        .replacen(
            "label = \"Approbation de la publication sociale (secteur)\"\ncarriers = [\"sector_manager\"]",
            "label = \"Approbation de la publication sociale (secteur)\"\ncarriers = [\"sector_manager\", \"community_manager\"]",
            1,
        );
    let profile = Profile::parse("small-team.toml", &text).unwrap();
    assert!(profile.editorial().unwrap().chain(domain::profile::ContentType::Regular).step("approval").unwrap().carriers.contains(&Role::CommunityManager));
    let data_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data_dir.path().join("balise.sqlite3").display());
    let store = store::Store::connect(&url).await.unwrap();
    let by = Attribution::by(Actor::system("test").unwrap());
    store
        .upsert_organisation(&by, &Organisation { id: OrganisationId::parse("mamh").unwrap(), name: "MAMH".into(), profile_id: ProfileId::parse("mamh").unwrap() })
        .await
        .unwrap();
    let state = web::AppState::new(store.clone(), vec![web::OrganisationEntry { id: "mamh".into(), profile: Arc::new(profile) }]);
    let application = web::Application::build("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
    let address = application.local_addr().unwrap();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    (address, store, data_dir, shutdown)
}

async fn sign_in_as(address: std::net::SocketAddr, store: &store::Store, login: &str, role: Role) -> reqwest::Client {
    let password = web::auth::password::NewPassword::parse(testkit::TEST_PASSWORD).unwrap();
    let hash = web::auth::password::hash_password_blocking(password).await.unwrap();
    store
        .add_user(
            &Attribution::by(Actor::system("test").unwrap()),
            &domain::entities::NewUser {
                organisation_id: OrganisationId::parse("mamh").unwrap(),
                login: domain::entities::Login::parse(login).unwrap(),
                display_name: login.into(),
                role: domain::entities::RoleId::parse(role.id()).unwrap(),
                password_hash: hash,
            },
        )
        .await
        .unwrap();
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = raw
        .post(format!("http://{address}/connexion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login={login}&password={}", testkit::TEST_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let token = cookie.strip_prefix("balise_session=").unwrap();
    let session = store.session_by_token_hash(&web::auth::secrets::token_hash(token)).await.unwrap().unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    headers.insert("x-csrf-token", session.csrf_token.parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

#[tokio::test]
async fn nobody_approves_their_own_draft() {
    let (address, store, _dir, _shutdown) = spawn_small_team().await;
    let alice = sign_in_as(address, &store, "alice", Role::CommunityManager).await;
    let bruno = sign_in_as(address, &store, "bruno", Role::CommunityManager).await;
    let url = |path: &str| format!("http://{address}{path}");
    let created = alice.post(url("/api/v1/organisations/mamh/entries")).json(&entry_body("Piscines", "2026-06-02T14:00:00Z")).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let submit = alice.post(url(&format!("/api/v1/entries/{id}/decisions"))).json(&json!({"step": "drafting", "decision": "approve"})).send().await.unwrap();
    assert_eq!(submit.status(), 200);
    let own = alice.post(url(&format!("/api/v1/entries/{id}/decisions"))).json(&json!({"step": "approval", "decision": "approve"})).send().await.unwrap();
    assert_eq!(own.status(), 403);
    assert_eq!(own.json::<Value>().await.unwrap()["error"]["code"], "own_draft");
    let colleague = bruno.post(url(&format!("/api/v1/entries/{id}/decisions"))).json(&json!({"step": "approval", "decision": "approve"})).send().await.unwrap();
    assert_eq!(colleague.status(), 200);
    assert_eq!(colleague.json::<Value>().await.unwrap()["step"], "validation");
}

// ------------------------------------------------------------------ pages

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let encode = |text: &str| {
                text.bytes()
                    .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
                    .collect::<String>()
            };
            format!("{}={}", encode(k), encode(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn post_form(client: &reqwest::Client, url: String, body: String) -> reqwest::Response {
    client.post(url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap()
}

#[tokio::test]
async fn pages_draft_approve_by_the_sector_validate_and_postpone() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in_session(Role::CommunityManager).await;
    let sector = app.sign_in_session(Role::SectorManager).await;
    let dcom = app.sign_in_session(Role::CommunicationsManager).await;
    let respondent = app.sign_in_session(Role::Respondent).await;

    // Drafting through the form (the time is the organisation's: 10:00 in Quebec).
    let created = post_form(
        &manager.client,
        app.url("/calendrier/nouvelle"),
        form(&[
            ("csrf", &manager.csrf_token),
            ("title", "Piscines <sécurité>"),
            ("scheduled_at", "2026-06-02T10:00"),
            ("content_type", "regular"),
            ("campaign", "Été"),
            ("sector", ""),
            ("facebook_message", FACEBOOK_TEXT),
            ("facebook_hashtags", "piscine"),
            ("facebook_link", "https://www.quebec.ca/piscines"),
            ("facebook_image", "piscine.png"),
            ("facebook_alt", "Une clôture fermée autour d'une piscine."),
            ("x_message", ""),
        ]),
    )
    .await;
    assert!(created.status().is_success() || created.status().is_redirection(), "{}", created.status());
    let entries = app.store.list_entries(&OrganisationId::parse("mamh").unwrap(), &store::editorial::EntryRange { include_unscheduled: true, ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 1);
    let id = entries[0].id.get();
    assert_eq!(entries[0].content.scheduled_at, Some("2026-06-02T14:00:00Z".parse().unwrap()));
    let page_url = app.url(&format!("/calendrier/publications/{id}"));

    // The calendar views show it, escaped.
    for view in ["mois", "semaine", "liste"] {
        let html = manager.client.get(app.url(&format!("/calendrier?vue={view}&date=2026-06-02"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Piscines &lt;sécurité&gt;") || html.contains("Piscines &#60;sécurité&#62;"), "{view}: {html}");
        assert!(!html.contains("<sécurité>"));
    }
    let filtered = manager.client.get(app.url("/calendrier?vue=liste&reseau=linkedin")).send().await.unwrap().text().await.unwrap();
    assert!(!filtered.contains("Piscines"), "the network filter hides entries without a LinkedIn variant");

    // The entry page: tone beside the variant, the chain, and the decision form for the carrier only.
    let html = manager.client.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("vulgarisateur"), "Annexe 1's tone for Facebook");
    assert!(html.contains("id=\"form-decision\""));
    assert!(html.contains("id=\"table-chaine\""));
    let html = respondent.client.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("id=\"form-decision\""), "the respondent carries no step now");

    // Submitting the draft: without the CSRF token the form is refused.
    let no_csrf = reqwest::Client::builder()
        .default_headers({
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("cookie", format!("balise_session={}", manager.session_token).parse().unwrap());
            headers
        })
        .build()
        .unwrap();
    let refused = post_form(&no_csrf, app.url(&format!("/calendrier/publications/{id}/decision")), form(&[("step", "drafting"), ("decision", "approve")])).await;
    assert_eq!(refused.status(), 403);
    post_form(&manager.client, app.url(&format!("/calendrier/publications/{id}/decision")), form(&[("csrf", &manager.csrf_token), ("step", "drafting"), ("decision", "approve")])).await;

    // The sector's approvals inbox lists it; the drafter's does not.
    let inbox = sector.client.get(app.url("/calendrier/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains(&format!("/calendrier/publications/{id}")), "{inbox}");
    let inbox = manager.client.get(app.url("/calendrier/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(!inbox.contains(&format!("/calendrier/publications/{id}")));

    // Someone without the role is refused (403) even when posting the form by hand.
    let forbidden = post_form(&respondent.client, app.url(&format!("/calendrier/publications/{id}/decision")), form(&[("csrf", &respondent.csrf_token), ("step", "approval"), ("decision", "approve")])).await;
    assert_eq!(forbidden.status(), 403);
    post_form(&sector.client, app.url(&format!("/calendrier/publications/{id}/decision")), form(&[("csrf", &sector.csrf_token), ("step", "approval"), ("decision", "approve"), ("comment", "Conforme au plan de communication.")])).await;
    post_form(&dcom.client, app.url(&format!("/calendrier/publications/{id}/decision")), form(&[("csrf", &dcom.csrf_token), ("step", "validation"), ("decision", "approve")])).await;
    let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
    assert_eq!(stored.status.step(), Some("publication"));
    let html = manager.client.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Conforme au plan de communication."));

    // Postponement: propose, then confirm with a reason.
    let proposal = post_form(&manager.client, app.url(&format!("/calendrier/publications/{id}/report")), form(&[("csrf", &manager.csrf_token), ("not_before", "2026-06-02T16:45"), ("spacing", "60")])).await;
    let html = proposal.text().await.unwrap();
    assert!(html.contains("2026-06-03 08:30"), "next opening after 16:30: {html}");
    let to = "2026-06-03T12:30:00Z";
    post_form(&manager.client, app.url(&format!("/calendrier/publications/{id}/report/confirmation")), form(&[("csrf", &manager.csrf_token), ("entry_id", &id.to_string()), ("from", "2026-06-02T14:00:00Z"), ("to", to), ("reason", "Actualité urgente")])).await;
    let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
    assert_eq!(stored.content.scheduled_at, Some(to.parse().unwrap()));

    // Subscription address, shown once, opens the feed.
    let html = post_form(&manager.client, app.url("/calendrier/abonnement"), form(&[("csrf", &manager.csrf_token)])).await.text().await.unwrap();
    let start = html.find("/api/v1/organisations/mamh/calendar.ics?token=").unwrap();
    let address: String = html[start..].chars().take_while(|c| *c != '"').collect();
    let ics = reqwest::get(app.url(&address)).await.unwrap().text().await.unwrap();
    assert!(ics.contains("DTSTART:20260603T123000Z"), "{ics}");
}

#[tokio::test]
async fn blog_posts_are_checked_for_their_word_count_and_a_quiet_blog_is_flagged() {
    // Baie-Comeau's policy has blog rules (S3 Annexe A).
    let app = spawn_app(&["baie-comeau"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let listing = ok_json(manager.get(app.url("/api/v1/organisations/baie-comeau/entries")).send().await.unwrap()).await;
    assert!(listing["blog_warning"].as_str().unwrap().contains("au moins une fois par semaine"));
    let body = json!({
        "title": "Billet",
        "scheduled_at": "2026-06-02T14:00:00Z",
        "variants": [{"network": "blog", "message": "Un billet bien trop court pour le blogue de la ville."}]
    });
    let response = manager.post(app.url("/api/v1/organisations/baie-comeau/entries")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let checks = ok_json(manager.get(app.url(&format!("/api/v1/entries/{id}/checks"))).send().await.unwrap()).await;
    assert_eq!(checks["variants"][0]["unit"], "mots");
    assert_eq!(checks["variants"][0]["problems"][0]["code"], "too_short");
    let problem = &checks["variants"][0]["problems"][0];
    assert!(problem["message"].as_str().unwrap().contains("mots"), "{problem}");
    assert!(problem["message_en"].as_str().unwrap().contains("words"), "{problem}");
    // MAMH has no blog rules: no warning.
    let mamh = spawn_app(&["mamh"]).await;
    let client = mamh.sign_in(Role::CommunityManager).await;
    let listing = ok_json(client.get(mamh.url("/api/v1/organisations/mamh/entries")).send().await.unwrap()).await;
    assert!(listing["blog_warning"].is_null());
}

#[tokio::test]
async fn a_live_video_needs_the_majority_of_annexe_6_recorded_with_the_entry() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in_session(Role::CommunityManager).await;
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), manager.csrf_token.clone()),
        ("title".into(), "Direct : consultation publique".into()),
        ("scheduled_at".into(), "2026-06-02T10:00".into()),
        ("facebook_message".into(), FACEBOOK_TEXT.into()),
        ("facebook_video".into(), "direct".into()),
        ("facebook_subtitles".into(), "on".into()),
        ("facebook_live".into(), "on".into()),
    ];
    for index in 0..5 {
        fields.push((format!("criterion_{index}"), "on".into()));
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_form(&manager.client, app.url("/calendrier/nouvelle"), form(&pairs)).await;
    let entries = app.store.list_entries(&OrganisationId::parse("mamh").unwrap(), &store::editorial::EntryRange { include_unscheduled: true, ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 1);
    let live = entries[0].content.live_video.unwrap();
    assert_eq!(live.satisfied(), 5, "the assessment is recorded with the entry");
    let id = entries[0].id.get();
    let html = manager.client.get(app.url(&format!("/calendrier/publications/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("5 / 10 (6 requis)"), "{html}");
    assert!(html.contains("data-code=\"live_video_below_majority\""));
    assert!(html.contains("Un direct doit satisfaire une majorité des critères"), "{html}");
    // The same problem on the English page is said in English only.
    let english = manager.client.get(app.url(&format!("/calendrier/publications/{id}?lang=en"))).send().await.unwrap().text().await.unwrap();
    assert!(english.contains("A live video must meet a majority of Annexe 6"), "{english}");
    assert!(!english.contains("Un direct doit satisfaire"), "{english}");
    let held = decide(&manager.client, &app, id, "drafting", "approve").await;
    assert_eq!(held.status(), 409);
    assert_eq!(held.json::<Value>().await.unwrap()["error"]["code"], "live_video_below_majority");
}

#[tokio::test]
async fn a_pasted_press_release_is_proposed_then_published_without_further_approval() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in_session(Role::CommunityManager).await;
    let text = "Nouveau programme d'aide aux municipalités\n\nLa ministre annonce aujourd'hui un nouveau programme d'aide financière destiné aux petites municipalités du Québec.";
    let html = post_form(&manager.client, app.url("/calendrier/communique"), form(&[("csrf", &manager.csrf_token), ("source", text), ("url", "https://www.quebec.ca/nouvelles/1")])).await.text().await.unwrap();
    assert!(html.contains("id=\"cpc-x\""), "{html}");
    assert!(html.contains("name=\"content_type\" value=\"press_release\""));
    // Creating it from the proposal: the press release chain is drafting then publication.
    post_form(
        &manager.client,
        app.url("/calendrier/nouvelle"),
        form(&[
            ("csrf", &manager.csrf_token),
            ("title", "Nouveau programme d'aide aux municipalités"),
            ("content_type", "press_release"),
            ("x_message", "Nouveau programme d'aide aux municipalités https://www.quebec.ca/nouvelles/1"),
            ("facebook_message", "La ministre annonce aujourd'hui un nouveau programme d'aide financière destiné aux petites municipalités du Québec. https://www.quebec.ca/nouvelles/1"),
        ]),
    )
    .await;
    let entries = app.store.list_entries(&OrganisationId::parse("mamh").unwrap(), &store::editorial::EntryRange { include_unscheduled: true, ..Default::default() }).await.unwrap();
    assert_eq!(entries.len(), 1);
    let id = entries[0].id.get();
    ok_json(decide(&manager.client, &app, id, "drafting", "approve").await).await;
    let published = ok_json(decide(&manager.client, &app, id, "publication", "approve").await).await;
    assert_eq!(published["status"], "published");
    // Someone who does not draft cannot open the import page.
    let sector = app.sign_in(Role::SectorManager).await;
    assert_eq!(sector.get(app.url("/calendrier/communique")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn a_period_is_freed_from_its_page_proposed_then_confirmed_with_a_reason() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in_session(Role::CommunityManager).await;
    let api = app.sign_in(Role::CommunityManager).await;
    // Tuesday 2026-06-02, 10:00 and 10:30 in Quebec; a third one at 14:00 stays put.
    let first = create(&api, &app, &entry_body("Un <premier>", "2026-06-02T14:00:00Z")).await["id"].as_i64().unwrap();
    let second = create(&api, &app, &entry_body("Deux", "2026-06-02T14:30:00Z")).await["id"].as_i64().unwrap();
    let third = create(&api, &app, &entry_body("Trois", "2026-06-02T18:00:00Z")).await["id"].as_i64().unwrap();

    let calendar = manager.client.get(app.url("/calendrier")).send().await.unwrap().text().await.unwrap();
    assert!(calendar.contains("href=\"/calendrier/report\""), "the calendar links to the period form");
    let page = manager.client.get(app.url("/calendrier/report")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("id=\"form-report-periode\""));

    // Urgent news from 10:00 to 11:00 local: the two entries in that hour move after it.
    let proposal = post_form(
        &manager.client,
        app.url("/calendrier/report"),
        form(&[("csrf", &manager.csrf_token), ("start", "2026-06-02T10:00"), ("end", "2026-06-02T11:00"), ("not_before", ""), ("spacing", "60")]),
    )
    .await;
    assert_eq!(proposal.status(), 200);
    let html = proposal.text().await.unwrap();
    assert!(html.contains("id=\"table-report-periode\""), "{html}");
    assert!(html.contains("Un &lt;premier&gt;") || html.contains("Un &#60;premier&#62;"), "titles escaped: {html}");
    assert!(!html.contains("Trois"), "the entry outside the period is not proposed");
    assert!(html.contains("2026-06-02 11:00") && html.contains("2026-06-02 13:00"), "{html}");
    let expected = format!("{first}|2026-06-02T14:00:00Z|2026-06-02T15:00:00Z;{second}|2026-06-02T14:30:00Z|2026-06-02T17:00:00Z");
    assert!(html.contains(&expected), "the confirmation carries the moves: {html}");
    // Nothing moved yet.
    let unchanged = app.store.get_entry(domain::editorial::EntryId::new(first)).await.unwrap().unwrap();
    assert_eq!(unchanged.content.scheduled_at, Some("2026-06-02T14:00:00Z".parse().unwrap()));

    // Without a reason the confirmation is refused; without the CSRF token too.
    let no_reason = post_form(&manager.client, app.url("/calendrier/report/confirmation"), form(&[("csrf", &manager.csrf_token), ("moves", &expected), ("reason", "")])).await;
    assert_eq!(no_reason.status(), 400);
    let cookie_only = reqwest::Client::builder()
        .default_headers({
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("cookie", format!("balise_session={}", manager.session_token).parse().unwrap());
            headers
        })
        .build()
        .unwrap();
    let no_csrf = post_form(&cookie_only, app.url("/calendrier/report/confirmation"), form(&[("moves", &expected), ("reason", "Inondations")])).await;
    assert_eq!(no_csrf.status(), 403);
    // Someone without manage_calendar is refused by the access table.
    let sector = app.sign_in_session(Role::SectorManager).await;
    assert_eq!(sector.client.get(app.url("/calendrier/report")).send().await.unwrap().status(), 403);
    let refused = post_form(&sector.client, app.url("/calendrier/report/confirmation"), form(&[("csrf", &sector.csrf_token), ("moves", &expected), ("reason", "Inondations")])).await;
    assert_eq!(refused.status(), 403);

    let confirmed = post_form(&manager.client, app.url("/calendrier/report/confirmation"), form(&[("csrf", &manager.csrf_token), ("moves", &expected), ("reason", "Actualité urgente : inondations")])).await;
    assert!(confirmed.status().is_redirection() || confirmed.status().is_success(), "{}", confirmed.status());
    for (id, to) in [(first, "2026-06-02T15:00:00Z"), (second, "2026-06-02T17:00:00Z"), (third, "2026-06-02T18:00:00Z")] {
        let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
        assert_eq!(stored.content.scheduled_at, Some(to.parse().unwrap()), "entry {id}");
    }
    let postponements = app.store.list_postponements(domain::editorial::EntryId::new(second)).await.unwrap();
    assert_eq!(postponements.len(), 1);
    assert_eq!(postponements[0].reason, "Actualité urgente : inondations");
    // Audited: the chain holds a postponement entry citing R-53.
    let audit = app.store.audit_entries(0, 10_000).await.unwrap();
    let postponed: Vec<_> = audit.iter().filter(|a| a.event.action.as_str() == "editorial_entry_postponed").collect();
    assert_eq!(postponed.len(), 2, "one audit entry per moved entry");
    assert!(postponed.iter().all(|a| a.event.attribution.rule.as_deref() == Some("R-53")));
    assert!(postponed.iter().any(|a| a.event.entity_id == format!("editorial_entry:{second}") && a.event.after_json.as_deref().unwrap_or("").contains("inondations")));
}

#[tokio::test]
async fn an_entry_is_edited_from_its_page_while_in_drafting_by_its_author_or_a_drafter() {
    let app = spawn_app(&["mamh"]).await;
    let staff = app.sign_in_session(Role::Staff).await;
    app.create_user("mamh", "autre-employe", Role::Staff).await;
    let other_staff = app.try_sign_in("autre-employe", testkit::TEST_PASSWORD).await.unwrap();
    let manager = app.sign_in_session(Role::CommunityManager).await;
    let sector = app.sign_in_session(Role::SectorManager).await;
    // A staff suggestion with a Facebook variant (image) and a YouTube variant the form does not show.
    let mut body = entry_body("Idée <piscines>", "2026-06-02T14:00:00Z");
    body["documentation"] = json!("Une note courte.");
    body["variants"][1] = json!({"network": "youtube", "message": "Sécurité des piscines résidentielles : les règles de base."});
    let created = staff.client.post(app.url("/api/v1/organisations/mamh/entries")).json(&body).send().await.unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let edit_url = app.url(&format!("/calendrier/publications/{id}/modifier"));

    // The form is prefilled with the entry and its variants, escaped.
    let page = manager.client.get(app.url(&format!("/calendrier/publications/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"lien-modifier\""), "a drafter sees the edit link");
    let html = staff.client.get(&edit_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"Idée &lt;piscines&gt;\"") || html.contains("value=\"Idée &#60;piscines&#62;\""), "{html}");
    assert!(html.contains("value=\"2026-06-02T10:00\""), "local time: {html}");
    assert!(html.contains("value=\"piscine.png\""), "{html}");
    assert!(html.contains("value=\"Une clôture fermée autour d&#39;une piscine creusée.\"") || html.contains("value=\"Une clôture fermée autour d&#x27;une piscine creusée.\""), "{html}");
    assert!(html.contains("Une note courte."));
    assert!(html.contains(&format!("action=\"/calendrier/publications/{id}/modifier\"")));

    // Another staff member (neither author nor drafter) and the sector are refused.
    assert_eq!(other_staff.client.get(&edit_url).send().await.unwrap().status(), 403);
    assert_eq!(sector.client.get(&edit_url).send().await.unwrap().status(), 403);
    let refused = post_form(&other_staff.client, edit_url.clone(), form(&[("csrf", &other_staff.csrf_token), ("title", "Détourné"), ("facebook_message", FACEBOOK_TEXT)])).await;
    assert_eq!(refused.status(), 403);

    // The author edits it.
    let saved = post_form(
        &staff.client,
        edit_url.clone(),
        form(&[
            ("csrf", &staff.csrf_token),
            ("title", "Idée : piscines (révisée)"),
            ("scheduled_at", "2026-06-03T11:00"),
            ("budget", "200 $"),
            ("documentation", "Une note courte, précisée."),
            ("facebook_message", FACEBOOK_TEXT),
            ("facebook_link", "https://www.quebec.ca/piscines"),
            ("facebook_image", "piscine.png"),
            ("facebook_alt", "Une clôture fermée."),
            ("linkedin_message", "Sécurité des piscines : ce que les municipalités doivent savoir."),
        ]),
    )
    .await;
    assert!(saved.status().is_redirection() || saved.status().is_success(), "{}", saved.status());
    let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
    assert_eq!(stored.content.title, "Idée : piscines (révisée)");
    assert_eq!(stored.content.scheduled_at, Some("2026-06-03T15:00:00Z".parse().unwrap()));
    assert_eq!(stored.content.budget.as_deref(), Some("200 $"));
    let networks: Vec<&str> = stored.content.variants.iter().map(|v| v.network.as_str()).collect();
    assert!(networks.contains(&"facebook") && networks.contains(&"linkedin") && networks.contains(&"youtube"), "{networks:?}");
    let facebook = stored.content.variants.iter().find(|v| v.network.as_str() == "facebook").unwrap();
    let link = facebook.link.as_deref().unwrap();
    assert_eq!(link.matches("utm_source=").count(), 1, "UTM tags once: {link}");
    // Audited.
    let audit = app.store.audit_entries(0, 10_000).await.unwrap();
    assert!(audit.iter().any(|a| a.event.action.as_str() == "editorial_entry_updated" && a.event.entity_id == format!("editorial_entry:{id}")));

    // Past drafting, nobody edits it and the link disappears.
    decide(&manager.client, &app, id, "drafting", "approve").await;
    let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
    assert_eq!(stored.status.step(), Some("approval"));
    let page = manager.client.get(app.url(&format!("/calendrier/publications/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"lien-modifier\""));
    assert_eq!(manager.client.get(&edit_url).send().await.unwrap().status(), 400);
    let late = post_form(&staff.client, edit_url, form(&[("csrf", &staff.csrf_token), ("title", "Trop tard"), ("facebook_message", FACEBOOK_TEXT)])).await;
    assert_eq!(late.status(), 400);
    let stored = app.store.get_entry(domain::editorial::EntryId::new(id)).await.unwrap().unwrap();
    assert_eq!(stored.content.title, "Idée : piscines (révisée)");
}

#[tokio::test]
async fn a_linkedin_variant_goes_to_the_outbox_with_its_reserved_characters_escaped() {
    let app = spawn_app(&["mamh"]).await;
    let manager = app.sign_in(Role::CommunityManager).await;
    let sector = app.sign_in(Role::SectorManager).await;
    let dcom = app.sign_in(Role::CommunicationsManager).await;
    let typed = "Programme d'aide (volet 2) : les municipalités admissibles @MAMH, détails sur notre site *dès aujourd'hui*.";
    let mut body = entry_body("Programme d'aide", "2026-06-02T14:00:00Z");
    body["variants"][1] = json!({"network": "linkedin", "message": typed, "hashtags": ["Québec"]});
    let id = create(&manager, &app, &body).await["id"].as_i64().unwrap();
    ok_json(decide(&manager, &app, id, "drafting", "approve").await).await;
    ok_json(decide(&sector, &app, id, "approval", "approve").await).await;
    ok_json(decide(&dcom, &app, id, "validation", "approve").await).await;
    ok_json(decide(&manager, &app, id, "publication", "approve").await).await;

    let outbox = app.store.pending_publications(10).await.unwrap();
    let linkedin = outbox.iter().find(|p| p.network == "linkedin").unwrap();
    let payload: Value = serde_json::from_str(&linkedin.payload_json).unwrap();
    let typed_full = format!("{typed} #Québec");
    assert_eq!(payload["typed_text"], typed_full.as_str());
    assert_eq!(
        payload["text"],
        "Programme d'aide \\(volet 2\\) : les municipalités admissibles \\@MAMH, détails sur notre site \\*dès aujourd'hui\\*. \\#Québec"
    );
    assert_eq!(payload["text"].as_str().unwrap(), publishing::escape_linkedin(&typed_full));
    // The message itself is kept as typed; other networks get their text unescaped.
    assert_eq!(payload["message"], typed);
    let facebook = outbox.iter().find(|p| p.network == "facebook").unwrap();
    let payload: Value = serde_json::from_str(&facebook.payload_json).unwrap();
    assert_eq!(payload["text"], payload["typed_text"]);
    assert!(payload["text"].as_str().unwrap().contains("#piscine"), "{payload}");
}
