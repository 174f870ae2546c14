//! OpenID Connect sign-in (issue 5, an option for government identity providers): the
//! identity provider authenticates, Balise authorises. Configured per installation (see
//! `balise serve --oidc-…`); without configuration the routes answer « non configurée » and
//! the sign-in page shows no button.
//!
//! The flow is the authorization code flow with PKCE (S256): `GET /connexion/oidc` keeps a
//! pending sign-in in the store (its `nonce`, PKCE verifier and return path, for 10 minutes,
//! keyed by the SHA-256 of its `state`, so the provider's answer may land on any instance
//! sharing the database), sets a short-lived cookie holding the `state`, and sends the
//! browser to the provider; `GET /connexion/oidc/retour` takes the pending sign-in back
//! (once, even across instances) only when the `state` of the query equals the cookie's (so
//! a sign-in cannot be replayed, nor started by another site for the victim's browser),
//! exchanges the code at the token endpoint with the client
//! secret, and verifies the ID token (`id_token.rs`). Nobody gets a role by signing in: the
//! person must already have a local account, linked to the provider's subject by an
//! administrator, or — at the first sign-in — found by an e-mail address the provider says
//! it verified. A success opens the same session as a password sign-in; every failure is
//! audited (`oidc_sign_in_failed`, `oidc_sign_in_refused`) but counts toward no lock-out.

mod http;
pub mod id_token;
pub mod provider;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use domain::audit::{Actor, Attribution, AuditAction, AuditEvent, EntityKind};
use domain::profile::Role;
use serde::Deserialize;
use sha2::Digest;
use std::time::Duration;
use store::auth::{EmailAddress, OidcIdentity, PendingOidcSave, PendingOidcSignIn};

use self::http::{Call, ProviderCallError, ProviderHttp};
use self::id_token::{Expected, IdTokenError, VerifiedIdentity};
use self::provider::{ClientAuthentication, Discovery, ProviderCache};
use super::secrets::{constant_time_equal, random_token, token_hash};
use super::session::{cookie_should_be_secure, session_cookie};
use crate::i18n::Lang;
use crate::AppState;

/// The path of the callback, to append to the public address for the redirect URL.
pub const CALLBACK_PATH: &str = "/connexion/oidc/retour";
/// The cookie that binds a pending sign-in to the browser that started it.
const STATE_COOKIE: &str = "balise_oidc";
/// How long a pending sign-in waits for the provider's answer.
const PENDING_LIFETIME: Duration = Duration::from_secs(600);
/// The most sign-ins pending at once in the installation, all instances together (each row
/// costs a few hundred bytes; the bound keeps anonymous requests from filling the database).
pub const MAX_PENDING: u64 = 10_000;

/// The configuration as given (flags and environment of `balise serve`).
#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// The provider's issuer URL, exactly as its discovery document and tokens write it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Balise's callback as registered at the provider (`…/connexion/oidc/retour`).
    pub redirect_url: String,
    /// The sign-in button's words; `None` for « Se connecter avec le fournisseur d'identité ».
    pub button_label: Option<String>,
    /// Space-separated scopes; `None` for `openid email`.
    pub scopes: Option<String>,
}

/// Why the configuration was refused (French: `balise serve` prints it).
#[derive(Debug, thiserror::Error)]
pub enum OidcConfigError {
    #[error("{field} : {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("client HTTPS : {0}")]
    Tls(#[from] rustls::Error),
}

/// The client secret, never printed.
#[derive(Clone)]
struct ClientSecret(String);

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("ClientSecret(***)")
    }
}

/// A checked configuration.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    issuer: String,
    client_id: String,
    client_secret: ClientSecret,
    redirect_url: String,
    button_label: Option<String>,
    scopes: String,
    /// Plain HTTP is accepted only for a provider on loopback (development, tests).
    allow_loopback_http: bool,
}

impl OidcConfig {
    /// Checks the settings: the issuer is an HTTPS URL (or HTTP on loopback) without query
    /// or fragment, the redirect URL ends with the callback path, the client id and secret
    /// are not empty, and the scopes include `openid`.
    pub fn parse(settings: OidcSettings) -> Result<OidcConfig, OidcConfigError> {
        let invalid = |field: &'static str, reason: &str| OidcConfigError::Invalid { field, reason: reason.to_owned() };
        let issuer = settings.issuer.trim().to_owned();
        let loopback_http = issuer.to_ascii_lowercase().strip_prefix("http://").is_some_and(provider::is_loopback_authority);
        if !provider::usable_url(&issuer, loopback_http) || issuer.contains(['?', '#']) {
            return Err(invalid(
                "--oidc-issuer",
                "l'émetteur doit être une adresse https:// sans paramètre ni fragment (http:// n'est accepté que sur la boucle locale)",
            ));
        }
        let client_id = settings.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.chars().any(char::is_control) {
            return Err(invalid("--oidc-client-id", "l'identifiant du client ne peut être vide"));
        }
        if settings.client_secret.is_empty() {
            return Err(invalid("BALISE_OIDC_CLIENT_SECRET", "le secret du client est vide"));
        }
        let redirect_url = settings.redirect_url.trim().to_owned();
        let redirect_loopback = redirect_url.to_ascii_lowercase().strip_prefix("http://").is_some_and(provider::is_loopback_authority);
        if !provider::usable_url(&redirect_url, redirect_loopback) || !redirect_url.ends_with(CALLBACK_PATH) {
            return Err(invalid(
                "--oidc-redirect-url",
                &format!("l'adresse de retour doit être https://… (ou http:// sur la boucle locale) et finir par {CALLBACK_PATH}"),
            ));
        }
        let button_label = match settings.button_label.map(|label| label.trim().to_owned()) {
            Some(label) if label.is_empty() || label.chars().count() > 100 || label.chars().any(char::is_control) => {
                return Err(invalid("--oidc-button-label", "le libellé doit compter de 1 à 100 caractères"));
            }
            other => other,
        };
        let scopes = settings.scopes.unwrap_or_else(|| "openid email".to_owned());
        let scopes: Vec<&str> = scopes.split_whitespace().collect();
        let scope_ok = |scope: &&str| scope.chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !scopes.contains(&"openid") || !scopes.iter().all(scope_ok) {
            return Err(invalid("--oidc-scopes", "les portées doivent comprendre « openid » et ne contenir que des caractères ASCII visibles"));
        }
        Ok(OidcConfig {
            issuer,
            client_id,
            client_secret: ClientSecret(settings.client_secret),
            redirect_url,
            button_label,
            scopes: scopes.join(" "),
            allow_loopback_http: loopback_http,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    pub fn scopes(&self) -> &str {
        &self.scopes
    }
}

/// The OpenID Connect side of the server: configuration, HTTP client and what is known of
/// the provider. The pending sign-ins are in the store, shared by every instance.
pub struct Oidc {
    config: OidcConfig,
    http: ProviderHttp,
    provider: ProviderCache,
    /// Past this many pending sign-ins, starts are refused (503).
    max_pending: u64,
}

impl Oidc {
    /// Builds the client (nothing is fetched yet).
    pub fn new(config: OidcConfig) -> Result<Oidc, OidcConfigError> {
        let http = ProviderHttp::new()?;
        let provider = ProviderCache::new(config.issuer.clone(), config.allow_loopback_http);
        Ok(Oidc { config, http, provider, max_pending: MAX_PENDING })
    }

    /// Another bound than [`MAX_PENDING`] on the sign-ins pending at once (every instance
    /// sharing a database should use the same).
    pub fn with_max_pending(self, max_pending: u64) -> Oidc {
        Oidc { max_pending, ..self }
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// Fetches the discovery document now (at start, to say early whether the provider
    /// answers); sign-ins fetch it anyway when needed.
    pub async fn check_provider(&self) -> Result<(), String> {
        self.provider.discovery(&self.http).await.map(|_| ()).map_err(|error| error.to_string())
    }
}

/// The routes of the flow.
pub(super) fn router() -> Router<AppState> {
    // The callback's path is written out (it is CALLBACK_PATH) so the access table's test,
    // which reads the router's source, sees it.
    Router::new().route("/connexion/oidc", get(start)).route("/connexion/oidc/retour", get(callback))
}

/// The sign-in page's button, when OpenID Connect is configured: its words and its link.
pub(super) fn sign_in_button(state: &AppState, lang: Lang, suite: &str) -> Option<(String, String)> {
    let oidc = state.oidc()?;
    let label = oidc.config.button_label.clone().unwrap_or_else(|| lang.t("signin.oidc_button").to_owned());
    let href = format!("/connexion/oidc?suite={}&lang={}", super::signin::percent_encode(suite), lang.code());
    Some((label, href))
}

#[derive(Template)]
#[template(path = "oidc.html")]
struct OidcPage<'a> {
    lang: Lang,
    title: &'a str,
    message: &'a str,
    subject: Option<&'a str>,
    /// Where the page's link (and, after a success, the automatic refresh) goes.
    next_href: &'a str,
    next_text: &'a str,
    refresh: bool,
}

fn render(page: &OidcPage<'_>, status: StatusCode, cookies: Vec<String>) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "OpenID Connect page failed to render");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response();
    for cookie in cookies {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A failure page: the reason's sentence, a link back to the sign-in page.
fn failure_page(lang: Lang, status: StatusCode, message_key: &str, subject: Option<&str>, secure: bool) -> Response {
    let back = format!("/connexion?lang={}", lang.code());
    let page = OidcPage {
        lang,
        title: lang.t("oidc.failed_title"),
        message: lang.t(message_key),
        subject,
        next_href: &back,
        next_text: lang.t("oidc.back_to_sign_in"),
        refresh: false,
    };
    render(&page, status, vec![cleared_state_cookie(secure)])
}

fn state_cookie(state: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = PENDING_LIFETIME.as_secs();
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, on which
    // browsers send Lax cookies (for GET) but not Strict ones.
    format!("{STATE_COOKIE}={state}; HttpOnly; SameSite=Lax; Path=/connexion/oidc; Max-Age={max_age}{secure}")
}

fn cleared_state_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{STATE_COOKIE}=; HttpOnly; SameSite=Lax; Path=/connexion/oidc; Max-Age=0{secure}")
}

fn state_from_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == STATE_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The PKCE challenge of a verifier (RFC 7636, S256).
pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// One `name=value` pair, form-encoded.
fn form_pair(name: &str, value: &str) -> String {
    serde_urlencoded::to_string([(name, value)]).unwrap_or_default()
}

#[derive(Deserialize)]
struct StartQuery {
    suite: Option<String>,
}

async fn start(State(state): State<AppState>, lang: Lang, Query(query): Query<StartQuery>, headers: HeaderMap) -> Response {
    let secure = cookie_should_be_secure(&headers);
    let Some(oidc) = state.oidc() else {
        return failure_page(lang, StatusCode::NOT_FOUND, "oidc.not_configured", None, secure);
    };
    let suite = super::safe_return_path(query.suite.as_deref().unwrap_or("/"));
    let discovery = match oidc.provider.discovery(&oidc.http).await {
        Ok(discovery) => discovery,
        Err(error) => {
            tracing::error!(%error, "OpenID Connect sign-in could not start");
            return failure_page(lang, StatusCode::BAD_GATEWAY, "oidc.provider_unavailable", None, secure);
        }
    };
    let (Ok(state_value), Ok(nonce), Ok(verifier)) = (random_token(), random_token(), random_token()) else {
        tracing::error!("the OS random number generator failed during an OpenID Connect sign-in");
        return failure_page(lang, StatusCode::SERVICE_UNAVAILABLE, "oidc.unavailable", None, secure);
    };
    let challenge = pkce_challenge(&verifier);
    let created_at = jiff::Timestamp::now();
    let pending = PendingOidcSignIn {
        nonce: nonce.clone(),
        pkce_verifier: verifier,
        return_path: suite,
        lang: lang.code().to_owned(),
        created_at,
        expires_at: created_at + PENDING_LIFETIME,
    };
    // No audit entry for a start: it is anonymous, and one entry per start would let anyone
    // fill the log. The sign-in itself and its failures are audited at the callback.
    match state.store().save_pending_oidc_sign_in(&token_hash(&state_value), &pending, oidc.max_pending).await {
        Ok(PendingOidcSave::Saved) => {}
        Ok(PendingOidcSave::TooMany) => {
            tracing::warn!(max = oidc.max_pending, "too many OpenID Connect sign-ins pending; a start was refused");
            let mut busy = failure_page(lang, StatusCode::SERVICE_UNAVAILABLE, "oidc.busy", None, secure);
            busy.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            return busy;
        }
        Err(error) => {
            tracing::error!(%error, "a pending OpenID Connect sign-in could not be saved");
            return failure_page(lang, StatusCode::SERVICE_UNAVAILABLE, "oidc.unavailable", None, secure);
        }
    }
    let ui_locales = if lang.is_en() { "en-CA en fr-CA" } else { "fr-CA fr en-CA" };
    let query = [
        form_pair("response_type", "code"),
        form_pair("client_id", &oidc.config.client_id),
        form_pair("redirect_uri", &oidc.config.redirect_url),
        form_pair("scope", &oidc.config.scopes),
        form_pair("state", &state_value),
        form_pair("nonce", &nonce),
        form_pair("code_challenge", &challenge),
        form_pair("code_challenge_method", "S256"),
        form_pair("ui_locales", ui_locales),
    ]
    .join("&");
    let separator = if discovery.authorization_endpoint.contains('?') { '&' } else { '?' };
    let location = format!("{}{separator}{query}", discovery.authorization_endpoint);
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::SET_COOKIE, state_cookie(&state_value, secure)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// Why a callback failed: the audit code, the HTTP status, the sentence shown.
struct Failure {
    reason: String,
    status: StatusCode,
    message_key: &'static str,
    subject: Option<String>,
}

impl Failure {
    fn new(reason: impl Into<String>, status: StatusCode, message_key: &'static str) -> Failure {
        Failure { reason: reason.into(), status, message_key, subject: None }
    }

    fn provider(error: &ProviderCallError) -> Failure {
        tracing::error!(%error, "OpenID Connect provider call failed");
        Failure::new(error.code(), StatusCode::BAD_GATEWAY, "oidc.provider_unavailable")
    }

    fn token(error: &IdTokenError) -> Failure {
        tracing::warn!(%error, "OpenID Connect ID token refused");
        Failure::new(error.code(), StatusCode::UNAUTHORIZED, "oidc.invalid_token")
    }

    fn store(error: &store::StoreError) -> Failure {
        tracing::error!(%error, "OpenID Connect sign-in failed on a store error");
        Failure::new("store_error", StatusCode::SERVICE_UNAVAILABLE, "oidc.unavailable")
    }
}

async fn callback(State(state): State<AppState>, lang: Lang, Query(query): Query<CallbackQuery>, headers: HeaderMap) -> Response {
    let secure = cookie_should_be_secure(&headers);
    let Some(oidc) = state.oidc() else {
        return failure_page(lang, StatusCode::NOT_FOUND, "oidc.not_configured", None, secure);
    };
    let cookie_state = state_from_cookie(&headers);
    let pending = match (query.state.as_deref(), cookie_state.as_deref()) {
        (Some(from_query), Some(from_cookie)) if constant_time_equal(from_query, from_cookie) => {
            match state.store().take_pending_oidc_sign_in(&token_hash(from_query), jiff::Timestamp::now()).await {
                Ok(pending) => pending,
                Err(error) => {
                    // The pending sign-in may still be there: nothing is audited, the
                    // person may try the provider's answer again.
                    tracing::error!(%error, "a pending OpenID Connect sign-in could not be read");
                    return failure_page(lang, StatusCode::SERVICE_UNAVAILABLE, "oidc.unavailable", None, secure);
                }
            }
        }
        _ => None,
    };
    let Some(pending) = pending else {
        if cookie_state.is_some() {
            audit_failure(&state, oidc, "oidc_sign_in_failed", "state_unknown_or_reused", None).await;
        } else {
            // Not audited: without the cookie this browser started no sign-in here, and any
            // site can make its visitors' browsers request this URL (an audit entry per
            // request would let it fill the log).
            tracing::warn!("OpenID Connect callback without the state cookie refused");
        }
        return failure_page(lang, StatusCode::BAD_REQUEST, "oidc.expired", None, secure);
    };
    // The language chosen at the start (the provider's redirect carries none).
    let lang = Lang::parse(&pending.lang).unwrap_or(lang);
    match finish(&state, oidc, &query, &pending).await {
        Ok((user, token)) => {
            tracing::info!(login = %user.login, issuer = %oidc.config.issuer, "signed in through OpenID Connect");
            let page = OidcPage {
                lang,
                title: lang.t("oidc.signed_in_title"),
                message: lang.t("oidc.signed_in"),
                subject: None,
                next_href: &pending.return_path,
                next_text: lang.t("oidc.continue"),
                // A page that moves on by itself, rather than a redirect: the session cookie
                // is SameSite=Strict, and browsers do not send it on a redirect chain that
                // started at the provider's site; a navigation from this page is same-site.
                refresh: true,
            };
            render(&page, StatusCode::OK, vec![session_cookie(&token, secure), cleared_state_cookie(secure)])
        }
        Err(failure) => {
            let action = if failure.message_key == "oidc.unknown_identity" { "oidc_sign_in_refused" } else { "oidc_sign_in_failed" };
            audit_failure(&state, oidc, action, &failure.reason, failure.subject.as_deref()).await;
            failure_page(lang, failure.status, failure.message_key, failure.subject.as_deref(), secure)
        }
    }
}

/// Everything after the state check: the provider's answer, the code exchange, the ID
/// token, the account, the session. Returns the user and the session's cookie token.
async fn finish(
    state: &AppState,
    oidc: &Oidc,
    query: &CallbackQuery,
    pending: &PendingOidcSignIn,
) -> Result<(domain::entities::User, String), Failure> {
    if let Some(error) = &query.error {
        let code: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        return Err(Failure::new(format!("provider_refused:{code}"), StatusCode::UNAUTHORIZED, "oidc.denied"));
    }
    // RFC 9207: when the provider names itself in the answer, it must be ours (mix-up attack).
    if let Some(iss) = &query.iss
        && iss != &oidc.config.issuer
    {
        return Err(Failure::new("issuer_mismatch", StatusCode::BAD_REQUEST, "oidc.invalid_token"));
    }
    let Some(code) = query.code.as_deref().filter(|code| !code.is_empty() && code.len() <= 4096) else {
        return Err(Failure::new("no_code", StatusCode::BAD_REQUEST, "oidc.invalid_token"));
    };
    let discovery = oidc.provider.discovery(&oidc.http).await.map_err(|error| Failure::provider(&error))?;
    let tokens = exchange_code(oidc, &discovery, code, &pending.pkce_verifier).await.map_err(|error| match &error {
        ProviderCallError::Status { status: 400 | 401, .. } => {
            tracing::warn!(%error, "the token endpoint refused the code");
            Failure::new("token_refused", StatusCode::UNAUTHORIZED, "oidc.invalid_token")
        }
        _ => Failure::provider(&error),
    })?;
    let Some(id_token) = tokens.get("id_token").and_then(serde_json::Value::as_str) else {
        return Err(Failure::provider(&ProviderCallError::Garbage { what: "token", detail: "no id_token".to_owned() }));
    };
    let expected = Expected { issuer: &oidc.config.issuer, client_id: &oidc.config.client_id, nonce: &pending.nonce };
    let now = jiff::Timestamp::now().as_second();
    let mut keys = oidc.provider.keys(&oidc.http, &discovery, false).await.map_err(|error| Failure::provider(&error))?;
    let mut verified = id_token::verify(id_token, &keys, &expected, now);
    if matches!(verified, Err(IdTokenError::UnknownKey(_))) {
        keys = oidc.provider.keys(&oidc.http, &discovery, true).await.map_err(|error| Failure::provider(&error))?;
        verified = id_token::verify(id_token, &keys, &expected, now);
    }
    let (identity, _claims) = verified.map_err(|error| Failure::token(&error))?;
    let oidc_identity = OidcIdentity { issuer: oidc.config.issuer.clone(), subject: identity.subject.clone() };

    let store = state.store();
    let linked = store.user_by_oidc_identity(&oidc_identity).await.map_err(|error| Failure::store(&error))?;
    let (user, link_by_email) = match linked {
        Some(user) => (user, false),
        None => {
            let email = match identity.verified_email.clone() {
                Some(email) => Some(email),
                None => verified_email_from_userinfo(oidc, &discovery, &tokens, &identity).await,
            };
            let found = match email.as_deref().map(EmailAddress::parse) {
                Some(Ok(email)) => store
                    .user_by_email_unlinked(&oidc.config.issuer, &email)
                    .await
                    .map_err(|error| Failure::store(&error))?,
                _ => None,
            };
            let Some(user) = found else {
                let mut failure = Failure::new("unknown_identity", StatusCode::FORBIDDEN, "oidc.unknown_identity");
                failure.subject = Some(identity.subject.clone());
                return Err(failure);
            };
            (user, true)
        }
    };
    if Role::parse(user.role.as_str()).is_none() {
        return Err(Failure::new("role_unknown", StatusCode::FORBIDDEN, "oidc.unknown_identity"));
    }
    let (Ok(token), Ok(csrf)) = (random_token(), random_token()) else {
        tracing::error!("the OS random number generator failed during an OpenID Connect sign-in");
        return Err(Failure::new("random_failed", StatusCode::SERVICE_UNAVAILABLE, "oidc.unavailable"));
    };
    let by = Attribution::by(Actor::User(user.login.clone()));
    store
        .create_oidc_session(&by, user.id, &token_hash(&token), &csrf, &oidc_identity, link_by_email)
        .await
        .map_err(|error| Failure::store(&error))?;
    Ok((user, token))
}

/// Exchanges the authorization code at the token endpoint, authenticating with the client
/// secret as the discovery document allows.
async fn exchange_code(oidc: &Oidc, discovery: &Discovery, code: &str, verifier: &str) -> Result<serde_json::Value, ProviderCallError> {
    let config = &oidc.config;
    let mut form = vec![
        form_pair("grant_type", "authorization_code"),
        form_pair("code", code),
        form_pair("redirect_uri", &config.redirect_url),
        form_pair("code_verifier", verifier),
    ];
    let mut headers = Vec::new();
    match discovery.client_authentication {
        ClientAuthentication::Basic => {
            // RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
            let encode = |text: &str| form_pair("x", text).trim_start_matches("x=").to_owned();
            let credentials = format!("{}:{}", encode(&config.client_id), encode(&config.client_secret.0));
            let basic = base64::engine::general_purpose::STANDARD.encode(credentials);
            headers.push((header::AUTHORIZATION, format!("Basic {basic}")));
        }
        ClientAuthentication::Post => {
            form.push(form_pair("client_id", &config.client_id));
            form.push(form_pair("client_secret", &config.client_secret.0));
        }
    }
    oidc.http
        .json(Call {
            what: "token",
            method: hyper::Method::POST,
            url: &discovery.token_endpoint,
            headers,
            form: Some(form.join("&")),
        })
        .await
}

/// The verified e-mail address from the userinfo endpoint, for providers that put it there
/// rather than in the ID token; only when userinfo's `sub` is the ID token's.
async fn verified_email_from_userinfo(
    oidc: &Oidc,
    discovery: &Discovery,
    tokens: &serde_json::Value,
    identity: &VerifiedIdentity,
) -> Option<String> {
    let endpoint = discovery.userinfo_endpoint.as_deref()?;
    let access_token = tokens.get("access_token").and_then(serde_json::Value::as_str)?;
    let call = Call {
        what: "userinfo",
        method: hyper::Method::GET,
        url: endpoint,
        headers: vec![(header::AUTHORIZATION, format!("Bearer {access_token}"))],
        form: None,
    };
    let info = match oidc.http.json(call).await {
        Ok(info) => info,
        Err(error) => {
            tracing::warn!(%error, "userinfo could not be read");
            return None;
        }
    };
    if info.get("sub").and_then(serde_json::Value::as_str) != Some(identity.subject.as_str()) {
        tracing::warn!("userinfo names another subject than the ID token; ignored");
        return None;
    }
    if !id_token::says_verified(info.get("email_verified")) {
        return None;
    }
    info.get("email").and_then(serde_json::Value::as_str).map(str::to_owned)
}

/// Audits a failed or refused OpenID Connect sign-in (no lock-out counts it).
async fn audit_failure(state: &AppState, oidc: &Oidc, action: &str, reason: &str, subject: Option<&str>) {
    let Ok(action) = AuditAction::parse(action) else { return };
    let event = AuditEvent {
        attribution: Attribution::by(Actor::System("anonymous".to_owned())),
        action,
        entity_kind: EntityKind::Other,
        // The subject when the provider vouched for one, else `-` (the state or the answer
        // failed before any identity was known).
        entity_id: format!("oidc:{}", subject.map(|subject| subject.chars().take(255).collect::<String>()).unwrap_or_else(|| "-".to_owned())),
        before_json: None,
        after_json: Some(
            serde_json::json!({ "method": "oidc", "issuer": oidc.config.issuer, "reason": reason, "subject": subject }).to_string(),
        ),
    };
    if let Err(error) = state.store().record_audit_event(&event).await {
        tracing::error!(%error, "a failed OpenID Connect sign-in could not be audited");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn settings() -> OidcSettings {
        OidcSettings {
            issuer: "https://idp.exemple.gouv.qc.ca".to_owned(),
            client_id: "balise".to_owned(),
            client_secret: "secret".to_owned(),
            redirect_url: "https://balise.exemple.gouv.qc.ca/connexion/oidc/retour".to_owned(),
            button_label: None,
            scopes: None,
        }
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn configuration_is_checked() {
        let config = OidcConfig::parse(settings()).unwrap();
        assert_eq!(config.scopes(), "openid email");
        assert!(!format!("{config:?}").contains("secret\""), "the secret is never printed: {config:?}");
        let http_elsewhere = OidcConfig::parse(OidcSettings { issuer: "http://idp.exemple.gouv.qc.ca".to_owned(), ..settings() });
        assert!(http_elsewhere.unwrap_err().to_string().contains("--oidc-issuer"));
        assert!(OidcConfig::parse(OidcSettings { issuer: "http://127.0.0.1:4000".to_owned(), ..settings() }).is_ok());
        let wrong_path = OidcConfig::parse(OidcSettings { redirect_url: "https://balise.exemple/ailleurs".to_owned(), ..settings() });
        assert!(wrong_path.unwrap_err().to_string().contains("--oidc-redirect-url"));
        let no_openid = OidcConfig::parse(OidcSettings { scopes: Some("email profile".to_owned()), ..settings() });
        assert!(no_openid.unwrap_err().to_string().contains("openid"));
        let empty_secret = OidcConfig::parse(OidcSettings { client_secret: String::new(), ..settings() });
        assert!(empty_secret.unwrap_err().to_string().contains("BALISE_OIDC_CLIENT_SECRET"));
    }

    #[test]
    fn the_state_cookie_is_lax_http_only_and_scoped_to_the_flow() {
        let cookie = state_cookie("abc", false);
        assert_eq!(cookie, "balise_oidc=abc; HttpOnly; SameSite=Lax; Path=/connexion/oidc; Max-Age=600");
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, header::HeaderValue::from_static("balise_session=x; balise_oidc=abc"));
        assert_eq!(state_from_cookie(&headers).as_deref(), Some("abc"));
    }
}
