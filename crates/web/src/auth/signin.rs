//! The sign-in page (`GET`/`POST /connexion`, French; English with `?lang=en`) and sign-out
//! (`POST /deconnexion`). A sign-in is refused while its login is locked out (5 failures in
//! 15 minutes lock it for 15 minutes), with the same message whether or not the login
//! exists; an unknown login costs the same argon2 check as a wrong password. Every outcome
//! is audited: `signed_in`, `sign_in_failed`, `sign_in_locked_out`, `sign_in_refused`
//! (attempt during a lock-out), `signed_out`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::audit::{Actor, Attribution, AuditAction, AuditEvent, EntityKind};
use domain::entities::Login;
use domain::profile::Role;
use jiff::Timestamp;
use serde::Deserialize;
use store::auth::LockoutRule;

use super::password::verify_password_blocking;
use super::secrets::{random_token, token_hash};
use super::session::{
    cleared_session_cookie, cookie_should_be_secure, session_cookie, session_token, ABSOLUTE_LIMIT, IDLE_LIMIT,
};
use super::{CsrfForm, CurrentUser, OptionalUser};
use crate::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(sign_in_page).post(sign_in))
        .route("/deconnexion", post(sign_out))
}

/// A path to come back to after signing in, kept only when it is a path of this site:
/// it must start with one `/` (not `//`, which a browser reads as another host), hold no
/// backslash or control character, and not be the sign-in page itself. Anything else
/// becomes `/`, so the parameter cannot redirect anyone to another site.
pub fn safe_return_path(candidate: &str) -> String {
    let acceptable = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate.chars().any(char::is_control)
        && !candidate.starts_with("/connexion")
        && candidate.len() <= 2048;
    if acceptable { candidate.to_owned() } else { "/".to_owned() }
}

/// Percent-encodes everything but unreserved characters and `/`, for a query value.
pub(super) fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The page's words in one language.
struct Texts {
    lang: &'static str,
    title: &'static str,
    heading: &'static str,
    login_label: &'static str,
    password_label: &'static str,
    submit: &'static str,
    help: &'static str,
    language_nav: &'static str,
    other_language: &'static str,
    other_language_code: &'static str,
    wrong_credentials: &'static str,
    locked_out: &'static str,
    unavailable: &'static str,
}

const FRENCH: Texts = Texts {
    lang: "fr-CA",
    title: "Connexion",
    heading: "Connexion à Balise",
    login_label: "Identifiant",
    password_label: "Mot de passe",
    submit: "Se connecter",
    help: "Mot de passe oublié ? Demandez à l'administratrice ou à l'administrateur de Balise de votre organisme de le réinitialiser.",
    language_nav: "Langue",
    other_language: "English",
    other_language_code: "en",
    wrong_credentials: "Identifiant ou mot de passe incorrect.",
    locked_out: "Trop de tentatives de connexion ont échoué pour cet identifiant. Réessayez dans 15 minutes.",
    unavailable: "La connexion est momentanément impossible. Réessayez dans quelques instants.",
};

const ENGLISH: Texts = Texts {
    lang: "en-CA",
    title: "Sign in",
    heading: "Sign in to Balise",
    login_label: "Username",
    password_label: "Password",
    submit: "Sign in",
    help: "Forgot your password? Ask your organisation's Balise administrator to reset it.",
    language_nav: "Language",
    other_language: "Français",
    other_language_code: "fr",
    wrong_credentials: "Wrong username or password.",
    locked_out: "Too many failed sign-in attempts for this username. Try again in 15 minutes.",
    unavailable: "Signing in is not possible right now. Try again in a moment.",
};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    lang: &'a str,
    english: bool,
    text: &'a Texts,
    other_language_href: String,
    login: &'a str,
    suite: &'a str,
    error: Option<&'a str>,
    /// OpenID Connect's button (words, link), when the installation configures it.
    oidc_button: Option<(String, String)>,
    oidc_heading: &'a str,
}

#[derive(Deserialize)]
struct SignInQuery {
    suite: Option<String>,
    lang: Option<String>,
}

impl SignInQuery {
    fn english(&self) -> bool {
        self.lang.as_deref() == Some("en")
    }
}

#[derive(Deserialize)]
struct SignInForm {
    login: String,
    password: String,
    suite: Option<String>,
}

fn render(state: &AppState, status: StatusCode, english: bool, login: &str, suite: &str, error: Option<&str>) -> Response {
    let text = if english { &ENGLISH } else { &FRENCH };
    let lang = if english { crate::i18n::Lang::En } else { crate::i18n::Lang::Fr };
    let oidc_button = super::oidc::sign_in_button(state, lang, suite);
    let oidc_heading = lang.t("signin.oidc_heading");
    let other_language_href = format!(
        "/connexion?suite={}{}",
        percent_encode(suite),
        if english { "" } else { "&lang=en" }
    );
    let page = SignInPage { lang: text.lang, english, text, other_language_href, login, suite, error, oidc_button, oidc_heading };
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "sign-in page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn sign_in_page(
    State(state): State<AppState>,
    OptionalUser(user): OptionalUser,
    Query(query): Query<SignInQuery>,
) -> Response {
    let suite = safe_return_path(query.suite.as_deref().unwrap_or("/"));
    if user.is_some() {
        return Redirect::to(&suite).into_response();
    }
    render(&state, StatusCode::OK, query.english(), "", &suite, None)
}

fn anonymous() -> Attribution {
    Attribution::by(Actor::System("anonymous".to_owned()))
}

/// The login as typed, bounded, for the lock-out bookkeeping and the log.
fn attempted_login(typed: &str) -> String {
    typed.trim().chars().take(128).collect()
}

async fn sign_in(
    State(state): State<AppState>,
    Query(query): Query<SignInQuery>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let english = query.english();
    let text = if english { &ENGLISH } else { &FRENCH };
    let suite = safe_return_path(form.suite.as_deref().or(query.suite.as_deref()).unwrap_or("/"));
    let login_text = attempted_login(&form.login);
    let store = state.store();
    let unavailable = |error: store::StoreError| {
        tracing::error!(%error, "sign-in failed on a store error");
        render(&state, StatusCode::SERVICE_UNAVAILABLE, english, &login_text, &suite, Some(text.unavailable))
    };

    match store.active_lockout(&login_text, Timestamp::now()).await {
        Ok(Some(_)) => {
            let refused = AuditAction::parse("sign_in_refused").map(|action| AuditEvent {
                attribution: anonymous(),
                action,
                entity_kind: EntityKind::Other,
                entity_id: format!("login:{login_text}"),
                before_json: None,
                after_json: Some(serde_json::json!({ "reason": "locked_out" }).to_string()),
            });
            if let Ok(event) = refused
                && let Err(error) = store.record_audit_event(&event).await
            {
                return unavailable(error);
            }
            return render(&state, StatusCode::TOO_MANY_REQUESTS, english, &login_text, &suite, Some(text.locked_out));
        }
        Ok(None) => {}
        Err(error) => return unavailable(error),
    }

    let user = match Login::parse(&login_text) {
        Ok(login) => match store.get_user_by_login(&login).await {
            Ok(user) => user,
            Err(error) => return unavailable(error),
        },
        Err(_) => None,
    };
    let password_matches =
        verify_password_blocking(form.password, user.as_ref().map(|user| user.password_hash.clone())).await;
    let signed_in_user = user.filter(|user| password_matches && Role::parse(user.role.as_str()).is_some());

    let Some(user) = signed_in_user else {
        return match store.record_sign_in_failure(&anonymous(), &login_text, LockoutRule::DEFAULT).await {
            Ok(outcome) if outcome.locked_until.is_some() => {
                render(&state, StatusCode::TOO_MANY_REQUESTS, english, &login_text, &suite, Some(text.locked_out))
            }
            Ok(_) => render(&state, StatusCode::UNAUTHORIZED, english, &login_text, &suite, Some(text.wrong_credentials)),
            Err(error) => unavailable(error),
        };
    };

    let (Ok(token), Ok(csrf)) = (random_token(), random_token()) else {
        tracing::error!("the OS random number generator failed during sign-in");
        return render(&state, StatusCode::SERVICE_UNAVAILABLE, english, &login_text, &suite, Some(text.unavailable));
    };
    let by = Attribution::by(Actor::User(user.login.clone()));
    if let Err(error) = store.create_session(&by, user.id, &token_hash(&token), &csrf).await {
        return unavailable(error);
    }
    // Housekeeping: expired sessions are already refused; forget them now and then.
    let now = Timestamp::now();
    if let (Ok(idle_before), Ok(opened_before)) = (now.checked_sub(IDLE_LIMIT), now.checked_sub(ABSOLUTE_LIMIT))
        && let Err(error) = store.purge_expired_sessions(idle_before, opened_before).await
    {
        tracing::warn!(%error, "expired sessions were not purged");
    }
    let cookie = session_cookie(&token, cookie_should_be_secure(&headers));
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, suite), (header::SET_COOKIE, cookie), (header::CACHE_CONTROL, "no-store".to_owned())],
    )
        .into_response()
}

#[derive(Deserialize)]
struct SignOutForm {}

async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    CsrfForm(SignOutForm {}): CsrfForm<SignOutForm>,
) -> Response {
    if let Some(token) = session_token(&headers)
        && let Err(error) = state.store().delete_session(&user.attribution(), &token_hash(&token)).await
    {
        return super::AuthError::internal(user.surface(), &error).into_response();
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/connexion".to_owned()),
            (header::SET_COOKIE, cleared_session_cookie(cookie_should_be_secure(&headers))),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_return_targets() {
        assert_eq!(safe_return_path("/dossiers/12?onglet=historique"), "/dossiers/12?onglet=historique");
        assert_eq!(safe_return_path("/"), "/");
        for hostile in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "",
            "/connexion?suite=//evil.example",
            "/a\nLocation: x",
        ] {
            assert_eq!(safe_return_path(hostile), "/", "{hostile:?}");
        }
    }

    #[test]
    fn percent_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(percent_encode("/dossiers/12?a=b&c"), "/dossiers/12%3Fa%3Db%26c");
        assert_eq!(percent_encode("/é"), "/%C3%A9");
    }
}
