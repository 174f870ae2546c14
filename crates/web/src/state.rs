//! The state every request handler shares: the store, the organisations this instance
//! serves (each with its loaded policy profile), and the intake pipeline built once for
//! them (its moderation engine and triage matchers are compiled at start, not per request).

use domain::entities::OrganisationId;
use domain::profile::Profile;
use std::sync::Arc;

/// One organisation served by this instance.
#[derive(Clone, Debug)]
pub struct OrganisationEntry {
    pub id: String,
    pub profile: Arc<Profile>,
}

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    /// OpenID Connect sign-in, when the installation configures it.
    oidc: Option<Arc<crate::auth::oidc::Oidc>>,
}

struct Inner {
    store: store::Store,
    organisations: Vec<OrganisationEntry>,
    pipeline: Arc<pipeline::Pipeline>,
}

impl AppState {
    /// Builds the state and its intake pipeline. Organisations whose id is not a valid
    /// organisation id cannot receive messages; the profile parser guarantees they are.
    pub fn new(store: store::Store, organisations: Vec<OrganisationEntry>) -> AppState {
        let pipeline_organisations = organisations
            .iter()
            .filter_map(|entry| Some((OrganisationId::parse(&entry.id).ok()?, entry.profile.clone())))
            .collect();
        let pipeline = Arc::new(pipeline::Pipeline::new(store.clone(), pipeline_organisations, None));
        AppState { inner: Arc::new(Inner { store, organisations, pipeline }), oidc: None }
    }

    /// The same state with OpenID Connect sign-in turned on.
    pub fn with_oidc(self, oidc: crate::auth::oidc::Oidc) -> AppState {
        AppState { oidc: Some(Arc::new(oidc)), ..self }
    }

    /// OpenID Connect sign-in, when configured.
    pub fn oidc(&self) -> Option<&crate::auth::oidc::Oidc> {
        self.oidc.as_deref()
    }

    /// The intake pipeline: store first, then moderate, triage and plan deadlines.
    pub fn pipeline(&self) -> Arc<pipeline::Pipeline> {
        Arc::clone(&self.inner.pipeline)
    }

    pub fn store(&self) -> &store::Store {
        &self.inner.store
    }

    pub fn organisations(&self) -> &[OrganisationEntry] {
        &self.inner.organisations
    }

    pub fn organisation(&self, id: &str) -> Option<&OrganisationEntry> {
        self.inner.organisations.iter().find(|entry| entry.id == id)
    }
}
