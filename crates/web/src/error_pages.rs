//! Every error a person or a program reads, in one shape per surface: pages get a short
//! HTML page in the reader's language (French by default, English by `?lang=en` or the
//! `balise_lang` cookie, never the two mixed), the JSON API gets
//! `{"error":{"code","message"}}` with a French message. Besides the errors the handlers
//! build ([`crate::pages`]' `PageError`, [`crate::auth::AuthError`]), the layer
//! [`crate::i18n::remember_language`] passes every response through [`replace_bare_error`],
//! which turns what axum answers on its own — a plain-text rejection of a malformed form,
//! query string, path or body, an empty 404 for an unknown address, an empty 405, a 413 —
//! into the same shapes.

use askama::Template;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Surface;
use crate::i18n::Lang;

/// The most of a bare error body read back (axum's rejections are one sentence).
const BARE_BODY_LIMIT: usize = 16 * 1024;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    title: &'a str,
    message: &'a str,
    detail: Option<&'a str>,
}

/// The title key of an error page's status.
fn title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 415 | 422 => "error.title_bad_request",
        403 => "error.title_forbidden",
        404 => "error.title_not_found",
        405 => "error.title_method",
        413 => "error.title_too_large",
        500..=599 => "error.title_internal",
        _ => "error.title",
    }
}

/// The sentence key of an error page's status, when nothing more precise is known.
pub(crate) fn message_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 415 | 422 => "error.bad_request",
        401 => "error.unauthenticated",
        403 => "error.forbidden",
        404 => "error.not_found",
        405 => "error.method_not_allowed",
        413 => "error.too_large",
        500..=599 => "error.internal",
        _ => "error.generic",
    }
}

/// The stable code of a status, for JSON errors axum produced on its own.
fn code_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid_body",
        500..=599 => "internal",
        _ => "error",
    }
}

/// Whether `detail` may be shown on a page in `lang`: always in French (every detail a
/// handler writes is French first); in English only when it is one of the English table's
/// sentences, so an English screen never carries a French sentence.
fn detail_fits(lang: Lang, detail: &str) -> bool {
    match lang {
        Lang::Fr => true,
        Lang::En => crate::i18n::is_english_text(detail),
    }
}

/// An error page: the status's title and sentence in `lang`, then `detail` (a sentence
/// saying what exactly was wrong) when it is in the same language.
pub(crate) fn page(lang: Lang, status: StatusCode, message_key: &str, detail: Option<&str>) -> Response {
    let message = lang.t(message_key);
    let detail = detail.map(str::trim).filter(|detail| !detail.is_empty() && *detail != message && detail_fits(lang, detail));
    let page = ErrorPage { lang, title: lang.t(title_key(status)), message, detail };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            // The template is compiled in; this cannot happen short of running out of memory.
            tracing::error!(%error, "error page failed to render");
            (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], Body::from(message.to_owned())).into_response()
        }
    }
}

/// A JSON error of the API.
pub(crate) fn json(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, axum::Json(body)).into_response()
}

/// Whether a response is an error axum (or a fallback path) produced as plain text or with
/// no body at all, rather than one of Balise's own HTML or JSON errors.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    match response.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) {
        None => true,
        Some(content_type) => content_type.starts_with("text/plain"),
    }
}

/// The French sentence of the API's bare errors, with axum's detail (which names the field
/// that failed) in parentheses.
fn api_message(status: StatusCode, detail: &str) -> String {
    let sentence = Lang::Fr.t(message_key(status));
    // axum writes "Failed to deserialize query string: limit: invalid digit…": the part after
    // the first colon is serde's, which names the field.
    let reason = detail.split_once(": ").map_or(detail, |(_, rest)| rest).trim();
    if reason.is_empty() { sentence.to_owned() } else { format!("{sentence} ({reason})") }
}

/// Replaces a bare error (see [`is_bare_error`]) by Balise's error of the surface: a page in
/// `lang` (a malformed form or query, 415 and 422 included, is a 400 for a person), or the
/// API's JSON error with the same status. Other responses pass unchanged.
pub(crate) async fn replace_bare_error(response: Response, lang: Lang, surface: Surface) -> Response {
    if !is_bare_error(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = match axum::body::to_bytes(body, BARE_BODY_LIMIT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let status = parts.status;
    let mut replacement = match surface {
        Surface::Api => json(status, code_of(status), &api_message(status, &detail)),
        Surface::Page => {
            if !detail.trim().is_empty() {
                tracing::info!(status = status.as_u16(), detail = %detail.trim(), "request refused before its handler");
            }
            let status = match status.as_u16() {
                415 | 422 => StatusCode::BAD_REQUEST,
                _ => status,
            };
            page(lang, status, message_key(status), None)
        }
    };
    // Keep what the original said beyond its body (`Allow` of a 405, cookies).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replacement.headers_mut().append(name.clone(), value.clone());
        }
    }
    replacement.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    replacement
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_status_has_a_title_and_a_sentence_in_both_languages() {
        for code in [400, 401, 403, 404, 405, 413, 415, 422, 500, 503, 418] {
            let status = StatusCode::from_u16(code).unwrap();
            for lang in [Lang::Fr, Lang::En] {
                assert_ne!(lang.t(title_key(status)), title_key(status), "{code} {lang}");
                assert_ne!(lang.t(message_key(status)), message_key(status), "{code} {lang}");
            }
            assert_ne!(Lang::Fr.t(message_key(status)), Lang::En.t(message_key(status)), "{code}");
        }
    }

    #[test]
    fn an_english_page_leaves_out_a_french_detail_and_keeps_an_english_one() {
        assert!(detail_fits(Lang::Fr, "Date invalide."));
        assert!(!detail_fits(Lang::En, "Date invalide."));
        assert!(detail_fits(Lang::En, Lang::En.t("inbox.bad_filter")));
    }

    #[test]
    fn the_api_message_is_french_and_names_the_field() {
        let message = api_message(StatusCode::BAD_REQUEST, "Failed to deserialize query string: limit: invalid digit found in string");
        assert!(message.starts_with(Lang::Fr.t("error.bad_request")), "{message}");
        assert!(message.ends_with("(limit: invalid digit found in string)"), "{message}");
    }
}
