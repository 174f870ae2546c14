//! What Balise learns about the identity provider: its discovery document
//! (`{issuer}/.well-known/openid-configuration`, whose `issuer` must be exactly the
//! configured one) and its signing keys (JWKS). Both are cached: the discovery document for
//! an hour, the keys until a token names a key id they lack (the provider rotated its keys),
//! when they are fetched again — at most once a minute, so forged key ids cannot make Balise
//! hammer the provider.

use super::http::{Call, ProviderCallError, ProviderHttp};
use jsonwebtoken::jwk::Jwk;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a discovery document is trusted before being fetched again.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);
/// The shortest time between two fetches of the keys.
const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// How Balise authenticates itself at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// HTTP Basic with the client id and secret (the default of the specification).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// The parts of the discovery document Balise uses.
#[derive(Clone, Debug)]
pub struct Discovery {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    pub client_authentication: ClientAuthentication,
}

/// Whether `url` is an http(s) URL Balise may call: HTTPS always; plain HTTP only on
/// loopback (127.0.0.1, localhost, [::1]) and only when `allow_loopback_http`.
pub fn usable_url(url: &str, allow_loopback_http: bool) -> bool {
    let lowered = url.to_ascii_lowercase();
    if lowered.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = lowered.strip_prefix("https://") {
        return !rest.is_empty() && !rest.starts_with('/');
    }
    let Some(rest) = lowered.strip_prefix("http://") else { return false };
    allow_loopback_http && is_loopback_authority(rest)
}

/// Whether the authority at the start of `rest` (after `http://`) is a loopback host.
pub fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|host| format!("{host}]")).unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or("").to_owned()
    };
    matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// Reads the discovery document, checking what the flow relies on.
pub fn parse_discovery(document: &serde_json::Value, issuer: &str, allow_loopback_http: bool) -> Result<Discovery, ProviderCallError> {
    let what = "discovery";
    let garbage = |detail: String| ProviderCallError::Garbage { what, detail };
    let text = |field: &str| document.get(field).and_then(serde_json::Value::as_str).map(str::to_owned);
    let announced = text("issuer").ok_or_else(|| garbage("no issuer".to_owned()))?;
    if announced != issuer {
        return Err(garbage(format!("the document's issuer {announced:?} is not the configured {issuer:?}")));
    }
    let endpoint = |field: &str| -> Result<String, ProviderCallError> {
        let url = text(field).ok_or_else(|| garbage(format!("no {field}")))?;
        if usable_url(&url, allow_loopback_http) { Ok(url) } else { Err(garbage(format!("{field} {url:?} is not an HTTPS URL"))) }
    };
    let userinfo_endpoint = match text("userinfo_endpoint") {
        Some(_) => Some(endpoint("userinfo_endpoint")?),
        None => None,
    };
    let methods: Option<Vec<String>> = document
        .get("token_endpoint_auth_methods_supported")
        .and_then(serde_json::Value::as_array)
        .map(|methods| methods.iter().filter_map(|method| method.as_str().map(str::to_owned)).collect());
    let client_authentication = match methods {
        None => ClientAuthentication::Basic,
        Some(methods) if methods.iter().any(|method| method == "client_secret_basic") => ClientAuthentication::Basic,
        Some(methods) if methods.iter().any(|method| method == "client_secret_post") => ClientAuthentication::Post,
        Some(methods) => {
            return Err(garbage(format!(
                "the token endpoint accepts neither client_secret_basic nor client_secret_post ({})",
                methods.join(", ")
            )));
        }
    };
    Ok(Discovery {
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        jwks_uri: endpoint("jwks_uri")?,
        userinfo_endpoint,
        client_authentication,
    })
}

/// The provider as last seen, fetched on demand.
pub struct ProviderCache {
    issuer: String,
    allow_loopback_http: bool,
    discovery: Mutex<Option<(Discovery, Instant)>>,
    keys: Mutex<Option<(Vec<Jwk>, Instant)>>,
}

impl ProviderCache {
    pub fn new(issuer: String, allow_loopback_http: bool) -> ProviderCache {
        ProviderCache { issuer, allow_loopback_http, discovery: Mutex::new(None), keys: Mutex::new(None) }
    }

    /// The discovery document's URL.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'))
    }

    /// The discovery document, from the cache when it is less than an hour old.
    pub async fn discovery(&self, http: &ProviderHttp) -> Result<Discovery, ProviderCallError> {
        let mut cached = self.discovery.lock().await;
        if let Some((discovery, fetched)) = cached.as_ref()
            && fetched.elapsed() < DISCOVERY_LIFETIME
        {
            return Ok(discovery.clone());
        }
        let url = self.discovery_url();
        let document = http
            .json(Call { what: "discovery", method: hyper::Method::GET, url: &url, headers: Vec::new(), form: None })
            .await?;
        let discovery = parse_discovery(&document, &self.issuer, self.allow_loopback_http)?;
        *cached = Some((discovery.clone(), Instant::now()));
        Ok(discovery)
    }

    /// The signing keys; `refresh` asks for a new fetch (a token named an unknown key),
    /// granted when the last fetch is more than a minute old.
    pub async fn keys(&self, http: &ProviderHttp, discovery: &Discovery, refresh: bool) -> Result<Vec<Jwk>, ProviderCallError> {
        let mut cached = self.keys.lock().await;
        if let Some((keys, fetched)) = cached.as_ref()
            && (!refresh || fetched.elapsed() < JWKS_REFRESH_INTERVAL)
        {
            return Ok(keys.clone());
        }
        let document = http
            .json(Call { what: "jwks", method: hyper::Method::GET, url: &discovery.jwks_uri, headers: Vec::new(), form: None })
            .await?;
        let keys = super::id_token::usable_keys(&document);
        if keys.is_empty() {
            return Err(ProviderCallError::Garbage { what: "jwks", detail: "no usable signing key".to_owned() });
        }
        *cached = Some((keys.clone(), Instant::now()));
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn document(issuer: &str) -> serde_json::Value {
        serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "userinfo_endpoint": format!("{issuer}/me"),
        })
    }

    #[test]
    fn loopback_http_is_allowed_only_when_asked_and_only_on_loopback() {
        assert!(usable_url("https://idp.exemple.gouv.qc.ca/auth", false));
        assert!(!usable_url("http://idp.exemple.gouv.qc.ca/auth", true));
        assert!(usable_url("http://127.0.0.1:4000/auth", true));
        assert!(usable_url("http://localhost/auth", true));
        assert!(usable_url("http://[::1]:80/auth", true));
        assert!(!usable_url("http://127.0.0.1:4000/auth", false));
        assert!(!usable_url("http://127.0.0.1.evil.example/auth", true));
        assert!(!usable_url("javascript:alert(1)", true));
        assert!(!usable_url("https:///chemin", false));
    }

    #[test]
    fn the_document_must_name_the_configured_issuer_and_usable_endpoints() {
        let issuer = "https://idp.exemple.gouv.qc.ca";
        let discovery = parse_discovery(&document(issuer), issuer, false).unwrap();
        assert_eq!(discovery.token_endpoint, "https://idp.exemple.gouv.qc.ca/token");
        assert_eq!(discovery.client_authentication, ClientAuthentication::Basic);
        let mix_up = parse_discovery(&document("https://autre.exemple"), issuer, false).unwrap_err();
        assert!(mix_up.to_string().contains("not the configured"), "{mix_up}");
        let mut plain = document(issuer);
        plain["token_endpoint"] = serde_json::json!("http://idp.exemple.gouv.qc.ca/token");
        assert!(parse_discovery(&plain, issuer, false).is_err());
        let mut missing = document(issuer);
        missing.as_object_mut().unwrap().remove("jwks_uri");
        assert!(parse_discovery(&missing, issuer, false).unwrap_err().to_string().contains("jwks_uri"));
    }

    #[test]
    fn client_authentication_follows_the_methods_announced() {
        let issuer = "https://idp.exemple.gouv.qc.ca";
        let mut post_only = document(issuer);
        post_only["token_endpoint_auth_methods_supported"] = serde_json::json!(["private_key_jwt", "client_secret_post"]);
        assert_eq!(parse_discovery(&post_only, issuer, false).unwrap().client_authentication, ClientAuthentication::Post);
        let mut both = document(issuer);
        both["token_endpoint_auth_methods_supported"] = serde_json::json!(["client_secret_post", "client_secret_basic"]);
        assert_eq!(parse_discovery(&both, issuer, false).unwrap().client_authentication, ClientAuthentication::Basic);
        let mut neither = document(issuer);
        neither["token_endpoint_auth_methods_supported"] = serde_json::json!(["private_key_jwt"]);
        assert!(parse_discovery(&neither, issuer, false).is_err());
    }
}
