//! Test helpers shared by the integration suites: `spawn_app` starts the real application on
//! port 0 with a fresh database and the preset organisations loaded, and stops it when the
//! returned `TestApp` is dropped. No network beyond loopback, nothing mocked.

#![allow(clippy::unwrap_used)]

use domain::audit::{Actor, Attribution};
use domain::entities::{Organisation, OrganisationId, ProfileId};
use domain::profile::Profile;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    pub address: SocketAddr,
    pub store: store::Store,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    organisations: Vec<String>,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    /// The absolute URL of `path` on the running application.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Starts the application on a fresh SQLite database in a temporary directory, serving the
/// given preset profiles.
pub async fn spawn_app(presets: &[&str]) -> TestApp {
    spawn_app_with(presets, |state| state).await
}

/// Like [`spawn_app`], with the application's state adjusted by `configure` before the
/// server starts (for instance `|state| state.with_oidc(…)`, for options `balise serve`
/// takes from flags).
pub async fn spawn_app_with(presets: &[&str], configure: impl FnOnce(web::AppState) -> web::AppState) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data_dir.path().join("balise.sqlite3").display());
    let store = store::Store::connect(&url).await.unwrap();
    let by = Attribution::by(Actor::system("testkit").unwrap());
    let mut organisations = Vec::new();
    for preset in presets {
        let profile = Profile::preset(preset).unwrap_or_else(|| panic!("no preset {preset}"));
        store
            .upsert_organisation(
                &by,
                &Organisation {
                    id: OrganisationId::parse(profile.id()).unwrap(),
                    name: profile.identity().name.clone(),
                    profile_id: ProfileId::parse(profile.id()).unwrap(),
                },
            )
            .await
            .unwrap();
        organisations.push(web::OrganisationEntry {
            id: profile.id().to_owned(),
            profile: Arc::new(profile),
        });
    }
    let organisation_ids = organisations.iter().map(|entry| entry.id.clone()).collect();
    let state = configure(web::AppState::new(store.clone(), organisations));
    let application = web::Application::build("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let address = application.local_addr().unwrap();
    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        store,
        client: reqwest::Client::new(),
        shutdown: Some(shutdown),
        organisations: organisation_ids,
        _data_dir: data_dir,
    }
}

/// The password of every user the helpers below create.
pub const TEST_PASSWORD: &str = "mot-de-passe-de-test";

/// A signed-in browser-like client: its default headers carry the session cookie and the
/// session's CSRF token (`X-CSRF-Token`), so unsafe API calls pass the CSRF check.
pub struct SignedIn {
    pub client: reqwest::Client,
    pub login: String,
    pub session_token: String,
    pub csrf_token: String,
}

/// The login the helpers give the test user of a role: `test-community-manager`…
pub fn test_login(role: domain::profile::Role) -> String {
    format!("test-{}", role.id().replace('_', "-"))
}

fn form_encode(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

impl TestApp {
    /// The first organisation the app serves (the one test users belong to).
    pub fn first_organisation(&self) -> &str {
        &self.organisations[0]
    }

    /// Creates a user of `organisation` with `role` and the password [`TEST_PASSWORD`],
    /// or returns the existing one with that login.
    pub async fn create_user(&self, organisation: &str, login: &str, role: domain::profile::Role) -> domain::entities::User {
        let parsed = domain::entities::Login::parse(login).unwrap();
        if let Some(user) = self.store.get_user_by_login(&parsed).await.unwrap() {
            return user;
        }
        let password = web::auth::password::NewPassword::parse(TEST_PASSWORD).unwrap();
        let hash = web::auth::password::hash_password_blocking(password).await.unwrap();
        let new_user = domain::entities::NewUser {
            organisation_id: OrganisationId::parse(organisation).unwrap(),
            login: parsed,
            display_name: format!("Personne {login}"),
            role: domain::entities::RoleId::parse(role.id()).unwrap(),
            password_hash: hash,
        };
        self.store.add_user(&Attribution::by(Actor::system("testkit").unwrap()), &new_user).await.unwrap()
    }

    /// Signs in through `POST /connexion` as `login`; `None` when the server refuses.
    pub async fn try_sign_in(&self, login: &str, password: &str) -> Option<SignedIn> {
        let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = raw
            .post(self.url("/connexion"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("login={}&password={}", form_encode(login), form_encode(password)))
            .send()
            .await
            .unwrap();
        if response.status().as_u16() != 303 {
            return None;
        }
        let cookie = response.headers().get("set-cookie")?.to_str().unwrap().to_owned();
        let session_token = cookie.split(';').next()?.strip_prefix("balise_session=")?.to_owned();
        let session = self
            .store
            .session_by_token_hash(&web::auth::secrets::token_hash(&session_token))
            .await
            .unwrap()?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", format!("balise_session={session_token}").parse().unwrap());
        headers.insert("x-csrf-token", session.csrf_token.parse().unwrap());
        let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
        Some(SignedIn { client, login: login.to_owned(), session_token, csrf_token: session.csrf_token })
    }

    /// Signs in as the test user of `role` in the first organisation (created if needed).
    pub async fn sign_in_session(&self, role: domain::profile::Role) -> SignedIn {
        let login = test_login(role);
        self.create_user(self.first_organisation(), &login, role).await;
        self.try_sign_in(&login, TEST_PASSWORD)
            .await
            .unwrap_or_else(|| panic!("sign-in of {login} refused"))
    }

    /// A client signed in as the test user of `role` (session cookie and CSRF header).
    pub async fn sign_in(&self, role: domain::profile::Role) -> reqwest::Client {
        self.sign_in_session(role).await.client
    }

    /// An API token of the test user of `role` (created if needed), for `Authorization: Bearer`.
    pub async fn api_token(&self, role: domain::profile::Role) -> String {
        let login = test_login(role);
        let user = self.create_user(self.first_organisation(), &login, role).await;
        let secret = web::auth::secrets::random_api_token().unwrap();
        let token = store::auth::NewApiToken {
            user_id: user.id,
            name: "testkit".to_owned(),
            token_hash: web::auth::secrets::token_hash(&secret),
        };
        self.store
            .create_api_token(&Attribution::by(Actor::system("testkit").unwrap()), &token)
            .await
            .unwrap();
        secret
    }

    /// A client whose every request carries an API token of the test user of `role`.
    pub async fn token_client(&self, role: domain::profile::Role) -> reqwest::Client {
        let secret = self.api_token(role).await;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {secret}").parse().unwrap());
        reqwest::Client::builder().default_headers(headers).build().unwrap()
    }
}
