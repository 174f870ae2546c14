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
        AppState { inner: Arc::new(Inner { store, organisations, pipeline }) }
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
