//! Who is asking: sign-in, sessions, CSRF protection, API tokens, and the permission check
//! every page and API route makes on the server.
//!
//! **API boundary:** handlers take a [`CurrentUser`] (any signed-in person, by session
//! cookie or API token) and call [`CurrentUser::require`] with the profile permission the
//! action needs. Forms that change anything are read through [`CsrfForm`], which checks the
//! session's CSRF token before the handler runs. Before any handler, the layer
//! [`enforce_route_table`] applies the access table of [`routes`] to every request, so a
//! route cannot be reached by someone its table line excludes even if its handler forgot to
//! check. `docs/security.md` explains the whole scheme.

mod error;
mod extract;
pub mod oidc;
pub mod password;
pub mod routes;
pub mod secrets;
pub mod session;
mod signin;
mod tokens;

use crate::AppState;
use axum::Router;
use domain::entities::{OrganisationId, UserId};
use domain::profile::{Permission, Role};

pub use error::AuthError;
pub use extract::{enforce_route_table, CsrfForm, OptionalUser};
pub use signin::safe_return_path;

/// A signed-in person, as the handlers see them.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// The session's CSRF token, to put in every form (`<input type="hidden" name="csrf"
    /// value="…">`) and in the `X-CSRF-Token` header of scripts' unsafe API calls; `None`
    /// for an API token (no CSRF risk without a cookie).
    pub csrf_token: Option<String>,
    /// Whether the request was for the JSON API (errors as JSON) or a page (errors as HTML).
    surface: Surface,
}

/// Which kind of answer a refusal should take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// `/api/…`: JSON errors.
    Api,
    /// Everything else: pages and redirects.
    Page,
}

impl Surface {
    /// The surface of a request path.
    pub fn of_path(path: &str) -> Surface {
        if path == "/api" || path.starts_with("/api/") { Surface::Api } else { Surface::Page }
    }
}

impl CurrentUser {
    /// Whether the person's role may do `permission` under their organisation's profile.
    pub fn may(&self, state: &AppState, permission: Permission) -> bool {
        state
            .organisation(self.organisation_id.as_str())
            .is_some_and(|entry| entry.profile.may(self.role, permission))
    }

    /// Refuses (403) when the person's role may not do `permission`. The refusal is logged.
    pub fn require(&self, state: &AppState, permission: Permission) -> Result<(), AuthError> {
        if self.may(state, permission) {
            return Ok(());
        }
        tracing::warn!(login = %self.login, role = %self.role, permission = %permission, "permission refused");
        Err(AuthError::forbidden(self.surface, permission_refusal(permission)))
    }

    /// Refuses (403) when the person does not work for `organisation_id`: nobody sees or
    /// changes another organisation's records.
    pub fn require_organisation(&self, organisation_id: &str) -> Result<(), AuthError> {
        if self.organisation_id.as_str() == organisation_id {
            return Ok(());
        }
        tracing::warn!(login = %self.login, organisation = organisation_id, "other organisation refused");
        Err(AuthError::forbidden(
            self.surface,
            "Vous n'avez pas accès aux dossiers de cet organisme.".to_owned(),
        ))
    }

    /// Whether the request came with an API token rather than a session cookie.
    pub fn by_api_token(&self) -> bool {
        self.csrf_token.is_none()
    }

    /// Whether the request was for the JSON API (`true`) or a page.
    pub fn is_api(&self) -> bool {
        self.surface == Surface::Api
    }

    /// The surface refusals should use.
    pub fn surface(&self) -> Surface {
        self.surface
    }

    /// The audit log's actor for changes this person makes.
    pub fn attribution(&self) -> domain::audit::Attribution {
        match domain::entities::Login::parse(&self.login) {
            Ok(login) => domain::audit::Attribution::by(domain::audit::Actor::User(login)),
            // The login came from the store, where it was parsed when written.
            Err(_) => domain::audit::Attribution::by(domain::audit::Actor::System("unknown-user".to_owned())),
        }
    }
}

/// The French sentence of a refusal.
fn permission_refusal(permission: Permission) -> String {
    let action = match permission {
        Permission::ReadCases => "consulter les dossiers",
        Permission::Moderate => "modérer les messages",
        Permission::BlockAuthor => "bloquer un auteur",
        Permission::Triage => "aiguiller les dossiers",
        Permission::Reply => "répondre au nom de l'organisme",
        Permission::Escalate => "transmettre un dossier",
        Permission::SupplyAnswer => "proposer une réponse",
        Permission::SuggestPublication => "suggérer une publication",
        Permission::DraftPublication => "rédiger une publication",
        Permission::ApprovePublication => "approuver une publication",
        Permission::ValidatePublication => "valider une publication",
        Permission::Publish => "publier au nom de l'organisme",
        Permission::ManageCalendar => "gérer le calendrier éditorial",
        Permission::ManageAccounts => "gérer les comptes institutionnels",
        Permission::DesignateRespondent => "désigner les répondants",
        Permission::ManageUsers => "gérer les utilisateurs",
        Permission::ManageProfile => "modifier le profil de l'organisme",
        Permission::ReadReports => "consulter les rapports",
        Permission::ReadAudit => "consulter le journal d'audit",
        Permission::ReadPersonalInfo => "voir les renseignements personnels",
        Permission::ReceiveInterpellation => "recevoir les interpellations",
        Permission::ManageStaffObligations => "gérer les obligations du personnel",
        Permission::SignConsent => "signer un consentement",
    };
    format!("Votre rôle ne vous permet pas de {action}.")
}

/// The routes of sign-in, sign-out and API token management.
pub fn router() -> Router<AppState> {
    signin::router().merge(tokens::router()).merge(oidc::router())
}
