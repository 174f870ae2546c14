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
    let state = web::AppState::new(store.clone(), organisations);
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
        _data_dir: data_dir,
    }
}
