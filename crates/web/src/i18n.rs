//! The two languages of the pages: French (the default, Quebec usage) and English. Owns the
//! [`Lang`] extractor (query `lang`, else the `balise_lang` cookie, else French), the
//! middleware that remembers a language chosen by `?lang=` in that cookie, and the table of
//! every string a person reads on a page, in both languages. A screen is never mixed: a page
//! takes one `Lang` and asks it for every string. The middleware also makes the request's
//! language known to code that has no request at hand ([`Lang::of_current_request`]: the
//! error pages), and hands every response to [`crate::error_pages`] so that axum's own
//! rejections come out in the reader's language too.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

/// The cookie that remembers the language chosen with `?lang=`.
pub const LANGUAGE_COOKIE: &str = "balise_lang";

/// A language of the pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, the default locale.
    #[default]
    Fr,
    /// English, the second locale.
    En,
}

impl Lang {
    /// Reads `fr` or `en` (any case, surrounding spaces ignored); anything else is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-ca" => Some(Lang::Fr),
            "en" | "en-ca" => Some(Lang::En),
            _ => None,
        }
    }

    /// The short code used in `?lang=` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The value of the `<html lang>` attribute.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Fr => "fr-CA",
            Lang::En => "en-CA",
        }
    }

    /// Whether this is English (templates branch on it for `?lang=en` links).
    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// The other language (for the language switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// The name of this language, written in itself (for the switch link).
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    /// The string of `key` in this language. A key missing from the table (a programming
    /// error the unit tests catch for every key the templates use) shows the key itself
    /// rather than a blank, so it is noticed.
    pub fn t(self, key: &str) -> &str {
        let table = match self {
            Lang::Fr => &*FRENCH_TABLE,
            Lang::En => &*ENGLISH_TABLE,
        };
        table.get(key).copied().unwrap_or(key)
    }

    /// The language asked for by a request: the `lang` query parameter, else the
    /// `balise_lang` cookie, else French.
    pub fn from_parts(parts: &Parts) -> Lang {
        Lang::of_request(&parts.uri, &parts.headers)
    }

    fn of_request(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
        query_language(uri.query())
            .or_else(|| cookie_language(headers.get_all(header::COOKIE).iter()))
            .unwrap_or_default()
    }

    /// The language of the request being served, as [`remember_language`] found it; French
    /// outside a request (or a router built without that layer). For code that renders
    /// without the request at hand: error responses built by `IntoResponse`.
    pub fn of_current_request() -> Lang {
        REQUEST_LANGUAGE.try_with(|lang| *lang).unwrap_or_default()
    }
}

tokio::task_local! {
    /// The language of the request the current task serves (set by [`remember_language`]).
    static REQUEST_LANGUAGE: Lang;
}

/// Whether `text` is one of the English table's strings (the error pages show a detail on
/// an English page only then).
pub fn is_english_text(text: &str) -> bool {
    ENGLISH_VALUES.contains(text)
}

impl std::fmt::Display for Lang {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.code())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Lang, Infallible> {
        Ok(Lang::from_parts(parts))
    }
}

fn query_language(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::parse(value))
}

fn cookie_language<'a>(headers: impl Iterator<Item = &'a HeaderValue>) -> Option<Lang> {
    headers
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANGUAGE_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// Middleware: serves the request knowing its language ([`Lang::of_current_request`]),
/// replaces axum's bare errors by Balise's error page or JSON error in that language
/// ([`crate::error_pages::replace_bare_error`]), and when the request carries `?lang=fr|en`,
/// sets the `balise_lang` cookie so the following pages stay in that language.
pub async fn remember_language(request: Request, next: Next) -> Response {
    let chosen = query_language(request.uri().query());
    let lang = Lang::of_request(request.uri(), request.headers());
    let surface = crate::auth::Surface::of_path(request.uri().path());
    let response = REQUEST_LANGUAGE.scope(lang, next.run(request)).await;
    let mut response = crate::error_pages::replace_bare_error(response, lang, surface).await;
    if let Some(lang) = chosen {
        let cookie = format!("{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

static FRENCH_TABLE: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| FRENCH.iter().copied().collect());
static ENGLISH_TABLE: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| ENGLISH.iter().copied().collect());
static ENGLISH_VALUES: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| ENGLISH.iter().map(|(_, text)| *text).collect());

include!("i18n_strings.rs");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_key_exists_in_both_languages_once_and_is_not_blank() {
        for (name, table) in [("FRENCH", FRENCH), ("ENGLISH", ENGLISH)] {
            let mut seen = BTreeSet::new();
            for (key, text) in table {
                assert!(seen.insert(*key), "{name}: key {key} appears twice");
                assert!(!text.trim().is_empty(), "{name}: key {key} is blank");
            }
        }
        let french: BTreeSet<_> = FRENCH.iter().map(|(key, _)| *key).collect();
        let english: BTreeSet<_> = ENGLISH.iter().map(|(key, _)| *key).collect();
        let only_french: Vec<_> = french.difference(&english).collect();
        let only_english: Vec<_> = english.difference(&french).collect();
        assert!(only_french.is_empty(), "keys without English: {only_french:?}");
        assert!(only_english.is_empty(), "keys without French: {only_english:?}");
    }

    /// Every key the templates and the page modules name — in a `t("…")` call, or as a
    /// string literal of one of the table's areas (`"route.urgent"` in a match arm) — is in
    /// both tables.
    #[test]
    fn every_key_used_by_templates_and_pages_is_in_the_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let areas: BTreeSet<&str> = FRENCH.iter().filter_map(|(key, _)| key.split_once('.')).map(|(area, _)| area).collect();
        let mut files = Vec::new();
        for folder in ["templates", "templates/editorial", "src/pages", "src", "src/auth"] {
            let Ok(entries) = std::fs::read_dir(root.join(folder)) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                let is_table = path.file_name().is_some_and(|name| name == "i18n_strings.rs" || name == "i18n.rs");
                if path.is_file() && !is_table {
                    files.push(path);
                }
            }
        }
        let mut used = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"') {
                // Template file names (`inbox.html`) look like keys of an area; skip them.
                if piece.ends_with(".html") {
                    continue;
                }
                let Some((area, rest)) = piece.split_once('.') else { continue };
                let is_key = areas.contains(area)
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                if !is_key {
                    continue;
                }
                used += 1;
                assert!(FRENCH_TABLE.contains_key(piece), "{}: key {piece} is not in the French table", path.display());
                assert!(ENGLISH_TABLE.contains_key(piece), "{}: key {piece} is not in the English table", path.display());
            }
        }
        assert!(used > 100, "only {used} keys found: the scan is broken");
    }

    #[test]
    fn language_comes_from_query_then_cookie_then_french() {
        let request = |uri: &str, cookie: Option<&str>| {
            let mut builder = axum::http::Request::builder().uri(uri);
            if let Some(cookie) = cookie {
                builder = builder.header(header::COOKIE, cookie);
            }
            builder.body(()).unwrap().into_parts().0
        };
        assert_eq!(Lang::from_parts(&request("/boite", None)), Lang::Fr);
        assert_eq!(Lang::from_parts(&request("/boite?lang=en", None)), Lang::En);
        assert_eq!(Lang::from_parts(&request("/boite", Some("a=b; balise_lang=en"))), Lang::En);
        assert_eq!(Lang::from_parts(&request("/boite?lang=fr", Some("balise_lang=en"))), Lang::Fr);
        assert_eq!(Lang::from_parts(&request("/boite?lang=de", Some("balise_lang=xx"))), Lang::Fr);
    }

    #[tokio::test]
    async fn the_current_request_language_is_the_scope_s_and_french_outside_one() {
        assert_eq!(Lang::of_current_request(), Lang::Fr);
        let inside = REQUEST_LANGUAGE.scope(Lang::En, async { Lang::of_current_request() }).await;
        assert_eq!(inside, Lang::En);
        assert!(is_english_text(Lang::En.t("error.not_found")));
        assert!(!is_english_text(Lang::Fr.t("error.not_found")));
    }

    #[test]
    fn a_known_key_differs_between_languages() {
        assert_eq!(Lang::Fr.t("nav.inbox"), "Boîte de réception");
        assert_eq!(Lang::En.t("nav.inbox"), "Inbox");
        assert_eq!(Lang::En.t("missing"), "missing");
    }
}
