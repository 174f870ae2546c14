//! Who is asking: sign-in, sessions, CSRF protection, API tokens, and the permission check
//! every page and API route makes on the server.
//!
//! **API boundary:** handlers take a [`CurrentUser`] (any signed-in person, by session
//! cookie or API token) and call [`CurrentUser::require`] with the profile permission the
//! action needs. Forms that change anything are read through [`CsrfForm`], which checks the
//! session's CSRF token before the handler runs.

use crate::AppState;
use axum::Router;
use domain::entities::{OrganisationId, UserId};
use domain::profile::{Permission, Role};

/// A signed-in person, as the handlers see them.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// The session's CSRF token, to put in every form; `None` for an API token.
    pub csrf_token: Option<String>,
}

impl CurrentUser {
    /// Whether the person's role may do `permission` under their organisation's profile.
    pub fn may(&self, state: &AppState, permission: Permission) -> bool {
        state
            .organisation(self.organisation_id.as_str())
            .is_some_and(|entry| entry.profile.may(self.role, permission))
    }
}

/// The routes of sign-in and sign-out.
pub fn router() -> Router<AppState> {
    Router::new()
}
