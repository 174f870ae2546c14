//! Refusals: 401 / redirect to the sign-in page when nobody is signed in, 403 when the
//! person may not, 403 when a form's CSRF token is wrong. The API gets
//! `{"error":{"code","message"}}` (French); pages get a redirect or a short page in the
//! reader's language (`crate::error_pages`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

use super::Surface;

/// Why a request was refused.
#[derive(Debug)]
pub struct AuthError {
    surface: Surface,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Nobody signed in (or the session expired, or the token is unknown or revoked).
    Unauthenticated { return_to: String },
    /// Signed in, but not allowed.
    Forbidden { message: String },
    /// The CSRF token is missing or wrong.
    Csrf,
    /// The request came from another site (`Origin` header).
    CrossOrigin,
    /// The store failed; the detail is in the log.
    Internal,
}

impl AuthError {
    /// Nobody is signed in; pages come back to `return_to` after signing in.
    pub fn unauthenticated(surface: Surface, return_to: impl Into<String>) -> AuthError {
        AuthError { surface, kind: Kind::Unauthenticated { return_to: return_to.into() } }
    }

    /// The person may not do this; `message` is French and says what.
    pub fn forbidden(surface: Surface, message: String) -> AuthError {
        AuthError { surface, kind: Kind::Forbidden { message } }
    }

    /// The CSRF token is missing or does not match the session's.
    pub fn csrf(surface: Surface) -> AuthError {
        AuthError { surface, kind: Kind::Csrf }
    }

    /// The request's `Origin` is another site.
    pub fn cross_origin(surface: Surface) -> AuthError {
        AuthError { surface, kind: Kind::CrossOrigin }
    }

    /// The store failed (logged here).
    pub fn internal(surface: Surface, error: &dyn std::fmt::Display) -> AuthError {
        tracing::error!(%error, "authentication failed on a store error");
        AuthError { surface, kind: Kind::Internal }
    }

    /// The HTTP status of the refusal.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            Kind::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Kind::Forbidden { .. } | Kind::Csrf | Kind::CrossOrigin => StatusCode::FORBIDDEN,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code_and_message(&self) -> (&'static str, String) {
        match &self.kind {
            Kind::Unauthenticated { .. } => (
                "unauthenticated",
                "Connexion requise : ouvrez une session ou fournissez un jeton d'API valide (Authorization: Bearer …).".to_owned(),
            ),
            Kind::Forbidden { message } => ("forbidden", message.clone()),
            Kind::Csrf => (
                "csrf_token_invalid",
                "Le formulaire a expiré ou ne provient pas de Balise (jeton CSRF absent ou invalide). Rechargez la page et recommencez.".to_owned(),
            ),
            Kind::CrossOrigin => (
                "cross_origin",
                "Requête refusée : elle provient d'un autre site que Balise.".to_owned(),
            ),
            Kind::Internal => (
                "internal",
                "Erreur interne ; l'opération n'a pas été effectuée.".to_owned(),
            ),
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (code, message) = self.code_and_message();
        match (self.surface, &self.kind) {
            (Surface::Api, _) => {
                let body = serde_json::json!({ "error": { "code": code, "message": message } });
                let mut response = (status, Json(body)).into_response();
                if status == StatusCode::UNAUTHORIZED {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            (Surface::Page, Kind::Unauthenticated { return_to }) => {
                let target = format!("/connexion?suite={}", super::signin::percent_encode(return_to));
                Redirect::to(&target).into_response()
            }
            (Surface::Page, kind) => {
                // The sentence is the reader's language's; a refusal's precise French reason
                // follows it on a French page only (it has no English wording).
                let lang = crate::i18n::Lang::of_current_request();
                let (key, detail) = match kind {
                    Kind::Forbidden { message } => ("error.forbidden", Some(message.as_str())),
                    Kind::Csrf => ("error.csrf", None),
                    Kind::CrossOrigin => ("error.cross_origin", None),
                    Kind::Unauthenticated { .. } => ("error.unauthenticated", None),
                    Kind::Internal => ("error.internal", None),
                };
                crate::error_pages::page(lang, status, key, detail)
            }
        }
    }
}
