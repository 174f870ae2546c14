//! The extractors ([`CurrentUser`], [`OptionalUser`], [`CsrfForm`]) and the layer that
//! applies the access table to every request. Authentication happens once per request: the
//! layer or the first extractor stores the [`CurrentUser`] in the request's extensions and
//! the others read it from there.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::profile::Role;
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::routes::{rule_for, Access};
use super::secrets::{constant_time_equal, token_hash};
use super::session::{session_state, session_token, SessionState};
use super::{AuthError, CurrentUser, Surface};
use crate::AppState;

/// The header scripts put the session's CSRF token in for unsafe API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Whether a method changes nothing (no CSRF check needed).
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Where to come back after signing in: the page asked for (with its query), for pages.
fn return_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |value| value.as_str().to_owned())
    } else {
        "/".to_owned()
    }
}

/// Who sent the request: `Ok(None)` when nobody is signed in (no credentials, or credentials
/// that are unknown, expired or revoked). A cookie-authenticated unsafe API call without the
/// right `X-CSRF-Token` is refused here.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, AuthError> {
    let surface = Surface::of_path(parts.uri.path());
    let store = state.store();
    let now = Timestamp::now();
    if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
        let Some(token) = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty())
        else {
            return Ok(None);
        };
        let found = store
            .api_token_by_hash(&token_hash(token))
            .await
            .map_err(|error| AuthError::internal(surface, &error))?;
        let Some((api_token, user)) = found else { return Ok(None) };
        if api_token.revoked_at.is_some() {
            return Ok(None);
        }
        // A token acts with the role its user had when creating it; if an administrator
        // has since changed that role, the token stops working rather than keep old rights.
        if api_token.role != user.role {
            tracing::warn!(login = %user.login, token = api_token.id, "API token refused: the user's role changed");
            return Ok(None);
        }
        let Some(role) = Role::parse(user.role.as_str()) else {
            tracing::error!(login = %user.login, role = %user.role, "user has a role no profile knows");
            return Ok(None);
        };
        let recently_used = api_token
            .last_used_at
            .is_some_and(|at| now.duration_since(at) < super::session::RENEWAL_GRANULARITY);
        if !recently_used {
            store
                .touch_api_token(api_token.id, now)
                .await
                .map_err(|error| AuthError::internal(surface, &error))?;
        }
        return Ok(Some(CurrentUser {
            user_id: user.id,
            organisation_id: user.organisation_id,
            login: user.login.as_str().to_owned(),
            display_name: user.display_name,
            role,
            csrf_token: None,
            surface,
        }));
    }
    let Some(token) = session_token(&parts.headers) else { return Ok(None) };
    let hash = token_hash(&token);
    let found = store
        .session_by_token_hash(&hash)
        .await
        .map_err(|error| AuthError::internal(surface, &error))?;
    let Some(session) = found else { return Ok(None) };
    match session_state(session.created_at, session.last_seen_at, now) {
        SessionState::IdleExpired | SessionState::AbsoluteExpired => return Ok(None),
        SessionState::Valid { renew: true } => store
            .touch_session(&hash, now)
            .await
            .map_err(|error| AuthError::internal(surface, &error))?,
        SessionState::Valid { renew: false } => {}
    }
    let Some(role) = Role::parse(session.user.role.as_str()) else {
        tracing::error!(login = %session.user.login, role = %session.user.role, "user has a role no profile knows");
        return Ok(None);
    };
    if surface == Surface::Api && !is_safe(&parts.method) {
        let header_token = parts.headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok());
        if !header_token.is_some_and(|given| constant_time_equal(given, &session.csrf_token)) {
            tracing::warn!(login = %session.user.login, path = parts.uri.path(), "API call refused: CSRF header missing or wrong");
            return Err(AuthError::csrf(surface));
        }
    }
    Ok(Some(CurrentUser {
        user_id: session.user.id,
        organisation_id: session.user.organisation_id,
        login: session.user.login.as_str().to_owned(),
        display_name: session.user.display_name,
        role,
        csrf_token: Some(session.csrf_token),
        surface,
    }))
}

/// The signed-in person of a request, authenticating if nothing did before.
async fn current_user(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, AuthError> {
    if let Some(user) = parts.extensions.get::<CurrentUser>() {
        return Ok(Some(user.clone()));
    }
    let user = authenticate(parts, state).await?;
    if let Some(user) = &user {
        parts.extensions.insert(user.clone());
    }
    Ok(user)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match current_user(parts, state).await? {
            Some(user) => Ok(user),
            None => Err(AuthError::unauthenticated(Surface::of_path(parts.uri.path()), return_path(parts))),
        }
    }
}

/// The signed-in person if there is one, for pages anyone may see (the home page).
#[derive(Clone, Debug)]
pub struct OptionalUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for OptionalUser {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        current_user(parts, state).await.map(OptionalUser)
    }
}

/// An `application/x-www-form-urlencoded` form from a signed-in person's page, read only
/// when its `csrf` field (or an `X-CSRF-Token` header) equals the session's CSRF token;
/// otherwise 403. The form type need not declare the `csrf` field.
#[derive(Clone, Debug)]
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let surface = Surface::of_path(parts.uri.path());
        let user = match current_user(&mut parts, state).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(AuthError::unauthenticated(surface, "/").into_response()),
            Err(error) => return Err(error.into_response()),
        };
        // A form is a browser's: it needs the session's token, which API tokens lack.
        let Some(expected) = user.csrf_token.clone() else {
            return Err(AuthError::csrf(surface).into_response());
        };
        let request = Request::from_parts(parts, body);
        let header_token = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: None });
        let matches = field.csrf.or(header_token).is_some_and(|given| constant_time_equal(&given, &expected));
        if !matches {
            tracing::warn!(login = %user.login, "form refused: CSRF token missing or wrong");
            return Err(AuthError::csrf(surface).into_response());
        }
        match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(form) => Ok(CsrfForm(form)),
            Err(error) => Err((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                format!("Formulaire invalide : {error}"),
            )
                .into_response()),
        }
    }
}

/// Whether an unsafe request's `Origin` (when the browser sent one) is this server.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()) else {
        return true;
    };
    let origin_authority = origin.split_once("://").map_or(origin, |(_, rest)| rest).trim_end_matches('/');
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok()).unwrap_or("");
    if origin_authority.eq_ignore_ascii_case(host) {
        return true;
    }
    std::env::var("BALISE_PUBLIC_URL").is_ok_and(|public| {
        let public = public.trim().trim_end_matches('/');
        public.eq_ignore_ascii_case(origin.trim_end_matches('/'))
    })
}

/// The layer that checks every routed request against the access table before its handler
/// runs: public routes pass; the others need a signed-in person whose role satisfies the
/// route's rule (401 or a redirect to the sign-in page, else 403). A route missing from the
/// table is treated as "any signed-in person" and logged as an error (the matrix test fails
/// on it). Unsafe requests from another origin are refused.
pub async fn enforce_route_table(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let surface = Surface::of_path(request.uri().path());
    if !is_safe(request.method()) && !same_origin(request.headers()) {
        tracing::warn!(path = request.uri().path(), "cross-origin request refused");
        return AuthError::cross_origin(surface).into_response();
    }
    let Some(matched) = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned()) else {
        return next.run(request).await;
    };
    let access = match rule_for(request.method(), &matched) {
        Some(rule) => rule.access,
        None => {
            tracing::error!(method = %request.method(), path = %matched, "route missing from the access table (crates/web/src/auth/routes.rs); requiring a signed-in person");
            Access::SignedIn
        }
    };
    if access == Access::Public {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let user = match current_user(&mut parts, &state).await {
        Ok(Some(user)) => user,
        Ok(None) => return AuthError::unauthenticated(surface, return_path(&parts)).into_response(),
        Err(error) => return error.into_response(),
    };
    let allowed = match access {
        Access::Public | Access::SignedIn => Ok(()),
        Access::Permission(permission) => user.require(&state, permission),
        Access::AnyOf(permissions) => match permissions.iter().copied().find(|permission| user.may(&state, *permission)) {
            Some(_) => Ok(()),
            None => match permissions.first() {
                Some(first) => user.require(&state, *first),
                None => Ok(()),
            },
        },
    };
    if let Err(refusal) = allowed {
        return refusal.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
