//! OpenID Connect sign-in against a real provider: panva's certified `oidc-provider`, run by
//! `tests/oidc/provider.mjs` on loopback (its development login and consent forms accept any
//! login, which becomes the subject). A reqwest client that keeps cookies plays the
//! browser through Balise, the provider's forms and back. When Node.js or the package is
//! missing the tests say so and stop, unless `BALISE_REQUIRE_BROWSER=1` (set by
//! `scripts/test`), where they fail instead.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine;
use domain::audit::{Actor, Attribution};
use domain::entities::{Organisation, OrganisationId, ProfileId};
use domain::profile::{Profile, Role};
use reqwest::redirect::Policy;
use store::auth::{EmailAddress, OidcIdentity};
use tokio::sync::oneshot;
use web::auth::oidc::{Oidc, OidcConfig, OidcSettings};

const CLIENT_ID: &str = "balise";
const CLIENT_SECRET: &str = "balise-secret-de-test";

fn provider_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

/// Why the provider cannot run here, if it cannot.
fn provider_missing() -> Option<String> {
    let node = Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !node.is_ok_and(|status| status.success()) {
        return Some("node is not on PATH".to_owned());
    }
    if !provider_folder().join("node_modules/oidc-provider/package.json").is_file() {
        return Some("tests/oidc/node_modules is missing (run scripts/install-deps)".to_owned());
    }
    None
}

/// `true` when the test may go on; `false` (after saying why) when it should stop.
fn provider_can_run(test: &str) -> bool {
    match provider_missing() {
        None => true,
        Some(reason) if std::env::var("BALISE_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("{test}: BALISE_REQUIRE_BROWSER=1 but the OpenID provider cannot run: {reason}")
        }
        Some(reason) => {
            eprintln!("{test}: skipped, the OpenID provider cannot run: {reason}");
            false
        }
    }
}

/// The Node provider, killed when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

/// Where the provider's diagnostics go (kept for a failing test's reader).
fn provider_log() -> Stdio {
    let path = std::env::temp_dir().join(format!("balise-oidc-provider-{}.log", std::process::id()));
    std::fs::OpenOptions::new().create(true).append(true).open(path).map(Stdio::from).unwrap_or_else(|_| Stdio::null())
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_provider(redirect_uri: &str) -> Provider {
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .arg("0")
        .arg(redirect_uri)
        .current_dir(provider_folder())
        .stdout(Stdio::piped())
        .stderr(provider_log())
        .spawn()
        .expect("node starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("the provider prints its address");
    // Keep reading, so the provider never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let issuer = line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_owned();
    Provider { child, issuer }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Balise with OpenID Connect configured, on a fresh SQLite database (or, for a second
/// instance, on another's).
struct App {
    base: String,
    database_url: String,
    store: store::Store,
    _shutdown: oneshot::Sender<()>,
    _data_dir: Option<tempfile::TempDir>,
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn add_user(&self, login: &str, email: Option<&str>) -> domain::entities::User {
        let password = web::auth::password::NewPassword::parse("mot-de-passe-de-test").unwrap();
        let hash = web::auth::password::hash_password_blocking(password).await.unwrap();
        let user = self
            .store
            .add_user(
                &system(),
                &domain::entities::NewUser {
                    organisation_id: OrganisationId::parse("mamh").unwrap(),
                    login: domain::entities::Login::parse(login).unwrap(),
                    display_name: format!("Personne {login}"),
                    role: domain::entities::RoleId::parse(Role::CommunityManager.id()).unwrap(),
                    password_hash: hash,
                },
            )
            .await
            .unwrap();
        if let Some(email) = email {
            self.store.set_user_email(&system(), user.id, Some(&EmailAddress::parse(email).unwrap())).await.unwrap();
        }
        user
    }

    async fn actions(&self) -> Vec<(String, Option<String>)> {
        self.store
            .audit_entries(0, 100_000)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| (entry.event.action.as_str().to_owned(), entry.event.after_json))
            .collect()
    }
}

fn system() -> Attribution {
    Attribution::by(Actor::system("test").unwrap())
}

async fn spawn_balise(port: u16, issuer: &str) -> App {
    let data_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data_dir.path().join("balise.sqlite3").display());
    let app = spawn_instance(port, issuer, port, &url).await;
    App { _data_dir: Some(data_dir), ..app }
}

/// One Balise instance listening on `port`, on the database at `url`, whose callback as
/// registered at the provider is on `redirect_port` (behind a load balancer, every instance
/// has the same public callback address).
async fn spawn_instance(port: u16, issuer: &str, redirect_port: u16, url: &str) -> App {
    spawn_instance_bounded(port, issuer, redirect_port, url, web::auth::oidc::MAX_PENDING).await
}

/// The same, refusing starts past `max_pending` pending sign-ins.
async fn spawn_instance_bounded(port: u16, issuer: &str, redirect_port: u16, url: &str, max_pending: u64) -> App {
    let store = store::Store::connect(url).await.unwrap();
    let profile = Profile::preset("mamh").unwrap();
    store
        .upsert_organisation(
            &system(),
            &Organisation {
                id: OrganisationId::parse(profile.id()).unwrap(),
                name: profile.identity().name.clone(),
                profile_id: ProfileId::parse(profile.id()).unwrap(),
            },
        )
        .await
        .unwrap();
    let organisations = vec![web::OrganisationEntry { id: profile.id().to_owned(), profile: Arc::new(profile) }];
    let config = OidcConfig::parse(OidcSettings {
        issuer: issuer.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        redirect_url: format!("http://127.0.0.1:{redirect_port}/connexion/oidc/retour"),
        button_label: Some("Se connecter avec ClicSÉQUR".to_owned()),
        scopes: None,
    })
    .unwrap();
    let state = web::AppState::new(store.clone(), organisations).with_oidc(Oidc::new(config).unwrap().with_max_pending(max_pending));
    let application = web::Application::build(format!("127.0.0.1:{port}").parse().unwrap(), state).await.unwrap();
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    App { base: format!("http://127.0.0.1:{port}"), database_url: url.to_owned(), store, _shutdown: shutdown, _data_dir: None }
}

/// A provider and a Balise that knows it.
async fn provider_and_balise() -> (Provider, App) {
    let (provider, app, _port) = provider_and_balise_on_port().await;
    (provider, app)
}

/// The same, with the port of Balise's registered callback.
async fn provider_and_balise_on_port() -> (Provider, App, u16) {
    let port = free_port();
    let provider = start_provider(&format!("http://127.0.0.1:{port}/connexion/oidc/retour"));
    let app = spawn_balise(port, &provider.issuer).await;
    (provider, app, port)
}

/// A browser-like client: keeps cookies, follows no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

fn location(response: &reqwest::Response, current: &str) -> String {
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    if location.starts_with("http") {
        return location;
    }
    let origin: String = current.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    format!("{origin}{location}")
}

/// The first form of a page: its action and its fields, with `login`/`password` filled.
fn form_of(html: &str, login: &str) -> (String, Vec<(String, String)>) {
    let form = &html[html.find("<form").expect("a form")..];
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        Some(tag[start..start + tag[start..].find('"')?].to_owned())
    };
    let action = attribute(&form[..form.find('>').unwrap()], "action").expect("an action");
    let mut fields = Vec::new();
    for piece in form.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let Some(name) = attribute(tag, "name") else { continue };
        let value = match name.as_str() {
            "login" => login.to_owned(),
            "password" => "peu-importe".to_owned(),
            _ => attribute(tag, "value").unwrap_or_default(),
        };
        fields.push((name, value));
    }
    (action, fields)
}

/// Starts a sign-in at Balise and goes through the provider's forms as `provider_login`;
/// returns the callback URL the provider sends the browser back to (not followed yet).
async fn through_provider(client: &reqwest::Client, app: &App, provider_login: &str) -> String {
    let start = client.get(app.url("/connexion/oidc?suite=%2Fboite")).send().await.unwrap();
    assert_eq!(start.status().as_u16(), 303, "start: {:?}", start.text().await);
    let mut url = location(&start, &app.base);
    for _ in 0..20 {
        if url.starts_with(&app.url("/connexion/oidc/retour")) {
            return url;
        }
        let response = client.get(&url).send().await.unwrap();
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            url = location(&response, &url);
            continue;
        }
        assert_eq!(status, 200, "{url}");
        let html = response.text().await.unwrap();
        let (action, fields) = form_of(&html, provider_login);
        let posted = client.post(&action).form(&fields).send().await.unwrap();
        assert!(posted.status().is_redirection(), "form at {action}: {}", posted.status());
        url = location(&posted, &action);
    }
    panic!("the provider never sent the browser back to Balise");
}

#[tokio::test]
async fn a_linked_person_signs_in_through_the_provider_and_reaches_the_inbox() {
    if !provider_can_run("a_linked_person_signs_in_through_the_provider_and_reaches_the_inbox") {
        return;
    }
    let (provider, app) = provider_and_balise().await;
    let user = app.add_user("c.tremblay", None).await;
    let identity = OidcIdentity { issuer: provider.issuer.clone(), subject: "c.tremblay-sujet".to_owned() };
    app.store.link_oidc_identity(&system(), user.id, &identity).await.unwrap();

    // The sign-in page offers the configured button.
    let client = browser();
    let page = client.get(app.url("/connexion?suite=%2Fboite")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Se connecter avec ClicSÉQUR"), "{page}");
    assert!(page.contains(r#"href="/connexion/oidc?suite=/boite&#38;lang=fr""#), "{page}");

    let callback = through_provider(&client, &app, "c.tremblay-sujet").await;
    assert!(callback.contains("code=") && callback.contains("state="), "{callback}");
    let back = client.get(&callback).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 200);
    let cookies: Vec<String> =
        back.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().any(|cookie| cookie.starts_with("balise_session=") && cookie.contains("SameSite=Strict")), "{cookies:?}");
    assert!(cookies.iter().any(|cookie| cookie.starts_with("balise_oidc=;")), "the state cookie is cleared: {cookies:?}");
    let html = back.text().await.unwrap();
    assert!(html.contains(r#"<meta http-equiv="refresh" content="0;url=/boite">"#), "{html}");
    assert!(html.contains("Connexion réussie"));

    let inbox = client.get(app.url("/boite")).send().await.unwrap();
    assert_eq!(inbox.status().as_u16(), 200, "the session opens the inbox");

    let actions = app.actions().await;
    let (_, signed_in) = actions.iter().rev().find(|(action, _)| action == "signed_in").expect("signed_in audited");
    let signed_in: serde_json::Value = serde_json::from_str(signed_in.as_deref().unwrap()).unwrap();
    assert_eq!(signed_in["method"], "oidc");
    assert_eq!(signed_in["issuer"], provider.issuer.as_str());
    assert_eq!(signed_in["login"], "c.tremblay");

    // The same answer again (a replay, or a reload of the callback): refused, even with the
    // state cookie put back.
    let replay = client.get(&callback).send().await.unwrap();
    assert_eq!(replay.status().as_u16(), 400);
    assert!(replay.text().await.unwrap().contains("a expiré ou a déjà servi"));
    let state = callback.split("state=").nth(1).unwrap().split('&').next().unwrap();
    let with_cookie = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let replay = with_cookie.get(&callback).header("cookie", format!("balise_oidc={state}")).send().await.unwrap();
    assert_eq!(replay.status().as_u16(), 400);
    assert!(app.actions().await.iter().any(|(action, after)| action == "oidc_sign_in_failed"
        && after.as_deref().is_some_and(|after| after.contains("state_unknown_or_reused"))));
}

#[tokio::test]
async fn a_first_sign_in_links_the_account_by_its_verified_email_only() {
    if !provider_can_run("a_first_sign_in_links_the_account_by_its_verified_email_only") {
        return;
    }
    let (provider, app) = provider_and_balise().await;
    let user = app.add_user("m.gagnon", Some("M.Gagnon@exemple.gouv.qc.ca")).await;
    let client = browser();
    let callback = through_provider(&client, &app, "m.gagnon").await;
    assert_eq!(client.get(&callback).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(client.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 200);
    let identity = OidcIdentity { issuer: provider.issuer.clone(), subject: "m.gagnon".to_owned() };
    assert_eq!(app.store.user_by_oidc_identity(&identity).await.unwrap().map(|found| found.id), Some(user.id));
    assert!(app.actions().await.iter().any(|(action, after)| action == "oidc_identity_linked"
        && after.as_deref().is_some_and(|after| after.contains("verified_email"))));

    // An address the provider did not verify links nothing.
    app.add_user("nonverifie.b", Some("nonverifie.b@exemple.gouv.qc.ca")).await;
    let other = browser();
    let callback = through_provider(&other, &app, "nonverifie.b").await;
    let refused = other.get(&callback).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let inbox = other.get(app.url("/boite")).send().await.unwrap();
    assert_eq!(inbox.status().as_u16(), 303, "no session");
}

#[tokio::test]
async fn an_unknown_identity_is_refused_in_french_and_audited() {
    if !provider_can_run("an_unknown_identity_is_refused_in_french_and_audited") {
        return;
    }
    let (_provider, app) = provider_and_balise().await;
    app.add_user("c.tremblay", Some("c.tremblay@exemple.gouv.qc.ca")).await;
    let client = browser();
    let callback = through_provider(&client, &app, "inconnu.x").await;
    let refused = client.get(&callback).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused.headers().get_all("set-cookie").iter().all(|cookie| !cookie.to_str().unwrap().starts_with("balise_session=")));
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr-CA">"#), "{html}");
    assert!(html.contains("aucun compte Balise n&#39;y est associé"), "{html}");
    assert!(html.contains("<code>inconnu.x</code>"), "the subject is shown to give the administrator: {html}");
    assert_eq!(client.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 303);
    assert!(app.actions().await.iter().any(|(action, after)| action == "oidc_sign_in_refused"
        && after.as_deref().is_some_and(|after| after.contains("unknown_identity") && after.contains("inconnu.x"))));
    assert!(!app.actions().await.iter().any(|(action, _)| action == "signed_in"));
}

#[tokio::test]
async fn a_callback_from_another_browser_or_with_another_state_is_refused() {
    if !provider_can_run("a_callback_from_another_browser_or_with_another_state_is_refused") {
        return;
    }
    let (provider, app) = provider_and_balise().await;
    let user = app.add_user("c.tremblay", None).await;
    let identity = OidcIdentity { issuer: provider.issuer.clone(), subject: "c.tremblay".to_owned() };
    app.store.link_oidc_identity(&system(), user.id, &identity).await.unwrap();
    let victim = browser();
    let callback = through_provider(&victim, &app, "c.tremblay").await;

    // Another browser (without the state cookie) cannot use the answer.
    let attacker = browser();
    let stolen = attacker.get(&callback).send().await.unwrap();
    assert_eq!(stolen.status().as_u16(), 400);
    assert_eq!(attacker.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 303);
    // The attempt did not consume the pending sign-in: the right browser still signs in.
    assert_eq!(victim.get(&callback).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(victim.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 200);

    // The right browser with another state than its cookie's is refused too.
    let second = browser();
    let callback = through_provider(&second, &app, "c.tremblay").await;
    let state = callback.split("state=").nth(1).unwrap().split('&').next().unwrap();
    let tampered = callback.replace(&format!("state={state}"), "state=autre-etat");
    assert_eq!(second.get(&tampered).send().await.unwrap().status().as_u16(), 400);
    assert_eq!(second.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 303);
    let reasons: Vec<String> = app
        .actions()
        .await
        .into_iter()
        .filter(|(action, _)| action == "oidc_sign_in_failed")
        .filter_map(|(_, after)| after)
        .collect();
    // Only the browser that started a sign-in leaves an entry: requests without the cookie
    // could come from any site's visitors.
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].contains("state_unknown_or_reused"), "{reasons:?}");
}

#[tokio::test]
async fn an_id_token_for_another_audience_or_another_nonce_is_refused() {
    if !provider_can_run("an_id_token_for_another_audience_or_another_nonce_is_refused") {
        return;
    }
    let (provider, _app) = provider_and_balise().await;
    // The test acts as the provider's other client and obtains a genuine ID token for it.
    let client = browser();
    let verifier = "verificateur-pkce-de-test-assez-long-pour-la-rfc-7636-0123456789";
    let challenge = web::auth::oidc::pkce_challenge(verifier);
    let redirect = "http://127.0.0.1:9/autre/retour";
    let authorize = format!(
        "{}/auth?client_id=autre-application&response_type=code&scope=openid&redirect_uri={}&state=s1&nonce=nonce-autre&code_challenge={challenge}&code_challenge_method=S256",
        provider.issuer,
        "http%3A%2F%2F127.0.0.1%3A9%2Fautre%2Fretour"
    );
    let mut url = authorize;
    let callback = loop {
        if url.starts_with(redirect) {
            break url;
        }
        let response = client.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            url = location(&response, &url);
            continue;
        }
        let html = response.text().await.unwrap();
        let (action, fields) = form_of(&html, "c.tremblay");
        let posted = client.post(&action).form(&fields).send().await.unwrap();
        url = location(&posted, &action);
    };
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let tokens: serde_json::Value = client
        .post(format!("{}/token", provider.issuer))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("client_id", "autre-application"),
            ("client_secret", "autre-secret-de-test"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let jwks: serde_json::Value = client.get(format!("{}/jwks", provider.issuer)).send().await.unwrap().json().await.unwrap();
    let keys = web::auth::oidc::id_token::usable_keys(&jwks);
    let now = jiff::Timestamp::now().as_second();
    use web::auth::oidc::id_token::{verify, Expected, IdTokenError};

    // For Balise (client `balise`), the token is for another audience.
    let for_balise = Expected { issuer: &provider.issuer, client_id: CLIENT_ID, nonce: "nonce-autre" };
    assert!(matches!(verify(id_token, &keys, &for_balise, now).unwrap_err(), IdTokenError::WrongAudience { .. }));
    // For its own client, it passes — but not with another sign-in's nonce.
    let genuine = Expected { issuer: &provider.issuer, client_id: "autre-application", nonce: "nonce-autre" };
    assert_eq!(verify(id_token, &keys, &genuine, now).unwrap().0.subject, "c.tremblay");
    let other_nonce = Expected { nonce: "nonce-d-une-autre-connexion", ..genuine.clone() };
    assert_eq!(verify(id_token, &keys, &other_nonce, now).unwrap_err(), IdTokenError::WrongNonce);
    // The header says RS256 with the provider's key id.
    let header = id_token.split('.').next().unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
}

#[tokio::test]
async fn a_provider_that_is_down_gives_a_clear_error_page_in_french_or_english() {
    // No Node needed: nobody listens at the issuer.
    let dead_issuer = format!("http://127.0.0.1:{}", free_port());
    let app = spawn_balise(free_port(), &dead_issuer).await;
    let client = browser();
    let started = std::time::Instant::now();
    let french = client.get(app.url("/connexion/oidc")).send().await.unwrap();
    assert_eq!(french.status().as_u16(), 502);
    let html = french.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr-CA">"#), "{html}");
    assert!(html.contains("Le fournisseur d&#39;identité ne répond pas"), "{html}");
    assert!(html.contains(r#"href="/connexion?lang=fr""#), "a way back: {html}");
    let english = client.get(app.url("/connexion/oidc?lang=en")).send().await.unwrap();
    assert_eq!(english.status().as_u16(), 502);
    assert!(english.text().await.unwrap().contains("The identity provider did not answer"));
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "bounded by the timeouts");
    // The local sign-in keeps working alongside.
    app.add_user("c.tremblay", None).await;
    let local = client
        .post(app.url("/connexion"))
        .form(&[("login", "c.tremblay"), ("password", "mot-de-passe-de-test"), ("suite", "/boite")])
        .send()
        .await
        .unwrap();
    assert_eq!(local.status().as_u16(), 303);
    assert_eq!(client.get(app.url("/boite")).send().await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn without_configuration_there_is_no_button_and_the_routes_say_so() {
    let app = testkit::spawn_app(&["mamh"]).await;
    let page = app.client.get(app.url("/connexion")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/connexion/oidc"), "{page}");
    let start = app.client.get(app.url("/connexion/oidc")).send().await.unwrap();
    assert_eq!(start.status().as_u16(), 404);
    assert!(start.text().await.unwrap().contains("n&#39;est pas configurée"));
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another_sharing_the_database() {
    if !provider_can_run("a_sign_in_started_on_one_instance_finishes_on_another_sharing_the_database") {
        return;
    }
    let (provider, first, registered_port) = provider_and_balise_on_port().await;
    // A second instance on the same database, as behind a load balancer without sticky
    // routing: same configuration, its own memory.
    let second = spawn_instance(free_port(), &provider.issuer, registered_port, &first.database_url).await;
    let user = first.add_user("c.tremblay", None).await;
    let identity = OidcIdentity { issuer: provider.issuer.clone(), subject: "c.tremblay".to_owned() };
    first.store.link_oidc_identity(&system(), user.id, &identity).await.unwrap();
    let entries_before_start = first.actions().await.len();

    let client = browser();
    let callback = through_provider(&client, &first, "c.tremblay").await;
    assert_eq!(first.actions().await.len(), entries_before_start, "starting a sign-in is not audited");
    // The provider's answer lands on the other instance (cookies are not bound to a port,
    // as they are not to one instance behind a load balancer).
    let on_second = callback.replacen(&first.base, &second.base, 1);
    assert!(on_second.starts_with(&second.url("/connexion/oidc/retour?")), "{on_second}");
    let back = client.get(&on_second).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 200, "{:?}", back.text().await);
    assert!(back.text().await.unwrap().contains(r#"<meta http-equiv="refresh" content="0;url=/boite">"#));
    assert_eq!(client.get(second.url("/boite")).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(client.get(first.url("/boite")).send().await.unwrap().status().as_u16(), 200, "one session for both");
    let actions = first.actions().await;
    let (_, signed_in) = actions.iter().rev().find(|(action, _)| action == "signed_in").expect("signed_in audited");
    assert!(signed_in.as_deref().unwrap().contains(r#""method":"oidc""#), "{signed_in:?}");

    // Taken once across instances: the same answer on the first instance is refused.
    let state = callback.split("state=").nth(1).unwrap().split('&').next().unwrap();
    let replay = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let refused = replay.get(&callback).header("cookie", format!("balise_oidc={state}")).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert!(first.actions().await.iter().any(|(action, after)| action == "oidc_sign_in_failed"
        && after.as_deref().is_some_and(|after| after.contains("state_unknown_or_reused"))));
}

#[tokio::test]
async fn a_pending_sign_in_is_stored_under_the_hash_of_its_state_and_starts_past_the_bound_are_refused() {
    if !provider_can_run("a_pending_sign_in_is_stored_under_the_hash_of_its_state_and_starts_past_the_bound_are_refused") {
        return;
    }
    let port = free_port();
    let provider = start_provider(&format!("http://127.0.0.1:{port}/connexion/oidc/retour"));
    let data_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data_dir.path().join("balise.sqlite3").display());
    let app = spawn_instance_bounded(port, &provider.issuer, port, &url, 2).await;
    let entries_before = app.actions().await.len();

    let client = browser();
    let mut states = Vec::new();
    for _ in 0..2 {
        let start = client.get(app.url("/connexion/oidc?suite=%2Fboite&lang=en")).send().await.unwrap();
        assert_eq!(start.status().as_u16(), 303);
        let to_provider = location(&start, &app.base);
        states.push(to_provider.split("state=").nth(1).unwrap().split('&').next().unwrap().to_owned());
    }
    // Past the bound: a clear page, in the language asked for, and nothing kept.
    for (lang, sentence) in [("fr", "Trop de connexions sont en cours"), ("en", "Too many sign-ins are in progress")] {
        let refused = client.get(app.url(&format!("/connexion/oidc?lang={lang}"))).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 503);
        assert_eq!(refused.headers()["retry-after"], "60");
        assert!(refused.text().await.unwrap().contains(sentence));
    }
    assert_eq!(app.actions().await.len(), entries_before, "starts, even refused, are not audited");

    // The row is keyed by the SHA-256 of the state, never by the state itself.
    let now = jiff::Timestamp::now();
    assert_eq!(app.store.take_pending_oidc_sign_in(&states[0], now).await.unwrap(), None);
    let pending = app.store.take_pending_oidc_sign_in(&web::auth::secrets::token_hash(&states[0]), now).await.unwrap().unwrap();
    assert_eq!((pending.return_path.as_str(), pending.lang.as_str()), ("/boite", "en"));
    assert_eq!(pending.expires_at.duration_since(pending.created_at), jiff::SignedDuration::from_secs(600));
    // One taken, there is room for a start again.
    let again = client.get(app.url("/connexion/oidc")).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 303);
}
