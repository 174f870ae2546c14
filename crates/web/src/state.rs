//! The state every request handler shares: the store and the organisations this instance
//! serves, each with its loaded policy profile.

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
}

impl AppState {
    pub fn new(store: store::Store, organisations: Vec<OrganisationEntry>) -> AppState {
        AppState { inner: Arc::new(Inner { store, organisations }) }
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
