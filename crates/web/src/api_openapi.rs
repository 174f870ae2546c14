//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/v1/openapi.json`. The
//! document is written by hand in `crates/web/openapi/openapi.json` (the wire shapes are
//! hand-written serde structs, so nothing could derive it) and compiled into the binary: it
//! needs no file at run time. `crates/web/tests/api/openapi.rs` fails when a route of the
//! access table is missing from it or it documents a route that no longer exists.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The document, as shipped.
pub const OPENAPI_DOCUMENT: &str = include_str!("../openapi/openapi.json");

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_document))
}

async fn openapi_document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_DOCUMENT)
}
