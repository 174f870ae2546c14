//! Calls to the identity provider: HTTPS through rustls (the `ring` provider, the
//! operating system's root certificates), plain HTTP only where the configuration allowed
//! it (a provider on loopback, for development and tests). Every call has a connection
//! timeout and an overall timeout, follows no redirect, and reads at most 1 MiB of answer,
//! so a provider that is down, slow or hostile costs a bounded wait and a clear error.
//!
//! The HTTP client is hyper's, not reqwest's: reqwest's rustls support would have to be
//! turned on for the whole workspace, where it needs either a process-wide crypto provider
//! (every other `reqwest::Client::new()` would panic without one) or the C library aws-lc.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// How long a connection to the provider may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole call (connection, request, answer) may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the provider.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Why a call to the provider failed. The message names the call (`what`) for the log.
#[derive(Debug, thiserror::Error)]
pub enum ProviderCallError {
    #[error("{what}: the provider did not answer within {seconds} s")]
    Timeout { what: &'static str, seconds: u64 },
    #[error("{what}: the provider cannot be reached: {detail}")]
    Unreachable { what: &'static str, detail: String },
    #[error("{what}: the provider answered HTTP {status}: {body}")]
    Status { what: &'static str, status: u16, body: String },
    #[error("{what}: the provider's answer is not the JSON expected: {detail}")]
    Garbage { what: &'static str, detail: String },
    #[error("{what}: the URL {url:?} is not usable: {detail}")]
    BadUrl { what: &'static str, url: String, detail: String },
}

impl ProviderCallError {
    /// The stable code written to the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            ProviderCallError::Timeout { .. } => "provider_timeout",
            ProviderCallError::Unreachable { .. } => "provider_unreachable",
            ProviderCallError::Status { .. } => "provider_error_status",
            ProviderCallError::Garbage { .. } => "provider_garbage",
            ProviderCallError::BadUrl { .. } => "provider_bad_url",
        }
    }
}

/// An HTTP(S) client for the provider.
#[derive(Clone)]
pub struct ProviderHttp {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// A request to send.
pub struct Call<'a> {
    pub what: &'static str,
    pub method: hyper::Method,
    pub url: &'a str,
    pub headers: Vec<(hyper::header::HeaderName, String)>,
    /// A form body (`application/x-www-form-urlencoded`), for POST.
    pub form: Option<String>,
}

impl ProviderHttp {
    /// Builds the client. The root certificates come from the operating system; when none
    /// can be read, HTTPS calls will fail with a certificate error (logged here once).
    pub fn new() -> Result<ProviderHttp, rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            tracing::warn!(%error, "a system root certificate could not be read");
        }
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!("no system root certificate found: HTTPS calls to the identity provider will fail");
        }
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(ProviderHttp { client: Client::builder(TokioExecutor::new()).build(connector) })
    }

    /// Sends `call` and reads its answer as JSON. An answer other than 2xx is an error
    /// carrying the start of its body (a token endpoint's `{"error": "invalid_grant"}`).
    pub async fn json(&self, call: Call<'_>) -> Result<serde_json::Value, ProviderCallError> {
        let what = call.what;
        match tokio::time::timeout(CALL_TIMEOUT, self.send(call)).await {
            Ok(result) => result,
            Err(_) => Err(ProviderCallError::Timeout { what, seconds: CALL_TIMEOUT.as_secs() }),
        }
    }

    async fn send(&self, call: Call<'_>) -> Result<serde_json::Value, ProviderCallError> {
        let what = call.what;
        let uri: hyper::Uri = call
            .url
            .parse()
            .map_err(|error: hyper::http::uri::InvalidUri| ProviderCallError::BadUrl {
                what,
                url: call.url.to_owned(),
                detail: error.to_string(),
            })?;
        let mut builder = hyper::Request::builder()
            .method(call.method)
            .uri(uri)
            .header(hyper::header::ACCEPT, "application/json")
            .header(hyper::header::USER_AGENT, "Balise");
        for (name, value) in call.headers {
            builder = builder.header(name, value);
        }
        let body = match call.form {
            Some(form) => {
                builder = builder.header(hyper::header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).map_err(|error| ProviderCallError::BadUrl {
            what,
            url: call.url.to_owned(),
            detail: error.to_string(),
        })?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|error| ProviderCallError::Unreachable { what, detail: error_chain(&error) })?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|error| ProviderCallError::Garbage { what, detail: format!("answer unreadable or over 1 MiB: {error}") })?
            .to_bytes();
        if !status.is_success() {
            let body: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
            return Err(ProviderCallError::Status { what, status: status.as_u16(), body });
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|error| ProviderCallError::Garbage { what, detail: error.to_string() })?;
        if !value.is_object() {
            return Err(ProviderCallError::Garbage { what, detail: "not a JSON object".to_owned() });
        }
        Ok(value)
    }
}

/// An error and its sources on one line (hyper's top-level message says little).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
