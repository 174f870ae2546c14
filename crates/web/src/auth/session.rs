//! Session lifetime and the session cookie. A session ends after 8 hours without a request
//! (idle limit) and in any case 24 hours after sign-in (absolute limit); each request more
//! than a minute after the last recorded one renews the idle limit. The cookie
//! `balise_session` carries the random token (the database keeps its SHA-256) with
//! `HttpOnly`, `SameSite=Strict` and `Path=/`; it is `Secure` when Balise is served over
//! HTTPS (see [`cookie_should_be_secure`]).

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue};
use jiff::{SignedDuration, Timestamp};

/// The cookie's name.
pub const SESSION_COOKIE: &str = "balise_session";

/// A session ends this long after its last request.
pub const IDLE_LIMIT: SignedDuration = SignedDuration::from_hours(8);

/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_LIMIT: SignedDuration = SignedDuration::from_hours(24);

/// Activity is written to the store at most this often per session.
pub const RENEWAL_GRANULARITY: SignedDuration = SignedDuration::from_secs(60);

/// Where a session stands at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// In force; `renew` says the last-seen time should be written.
    Valid { renew: bool },
    /// No request for longer than the idle limit.
    IdleExpired,
    /// Older than the absolute limit.
    AbsoluteExpired,
}

/// The state at `now` of a session opened at `created_at` and last seen at `last_seen_at`.
pub fn session_state(created_at: Timestamp, last_seen_at: Timestamp, now: Timestamp) -> SessionState {
    if now.duration_since(created_at) >= ABSOLUTE_LIMIT {
        return SessionState::AbsoluteExpired;
    }
    let idle = now.duration_since(last_seen_at);
    if idle >= IDLE_LIMIT {
        return SessionState::IdleExpired;
    }
    SessionState::Valid { renew: idle >= RENEWAL_GRANULARITY }
}

/// Whether cookies get the `Secure` attribute: when `BALISE_PUBLIC_URL` starts with
/// `https://`, or when a reverse proxy says the request came over HTTPS
/// (`X-Forwarded-Proto: https`). Plain HTTP on loopback (development, tests, the demo) gets
/// no `Secure`, because Chromium refuses Secure cookies over `http://127.0.0.1`.
pub fn cookie_should_be_secure(headers: &HeaderMap) -> bool {
    static PUBLIC_URL_IS_HTTPS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let configured = *PUBLIC_URL_IS_HTTPS.get_or_init(|| {
        std::env::var("BALISE_PUBLIC_URL").is_ok_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"))
    });
    configured
        || headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that opens a session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = ABSOLUTE_LIMIT.as_secs();
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}")
}

/// The session token from the request's `Cookie` headers, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value: &HeaderValue| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn sessions_expire_after_eight_idle_hours() {
        let opened = at("2026-03-02T13:00:00Z");
        assert_eq!(session_state(opened, opened, at("2026-03-02T13:00:30Z")), SessionState::Valid { renew: false });
        assert_eq!(session_state(opened, opened, at("2026-03-02T13:05:00Z")), SessionState::Valid { renew: true });
        assert_eq!(session_state(opened, opened, at("2026-03-02T20:59:59Z")), SessionState::Valid { renew: true });
        assert_eq!(session_state(opened, opened, at("2026-03-02T21:00:00Z")), SessionState::IdleExpired);
    }

    #[test]
    fn renewal_keeps_a_session_alive_until_the_absolute_limit() {
        let opened = at("2026-03-02T13:00:00Z");
        let seen = at("2026-03-03T12:00:00Z");
        assert_eq!(session_state(opened, seen, at("2026-03-03T12:59:00Z")), SessionState::Valid { renew: true });
        assert_eq!(session_state(opened, seen, at("2026-03-03T13:00:00Z")), SessionState::AbsoluteExpired);
    }

    #[test]
    fn cookie_attributes() {
        let cookie = session_cookie("abc", false);
        assert_eq!(cookie, "balise_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=86400");
        assert!(session_cookie("abc", true).ends_with("; Secure"));
        assert!(cleared_session_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn token_is_read_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark; balise_session=t0k3n; other=1"));
        assert_eq!(session_token(&headers).as_deref(), Some("t0k3n"));
        let mut empty = HeaderMap::new();
        empty.append(COOKIE, HeaderValue::from_static("balise_session=; x=y"));
        assert_eq!(session_token(&empty), None);
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn forwarded_https_makes_cookies_secure() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(cookie_should_be_secure(&headers));
    }
}
