//! Balise's HTTP server: the axum router, the versioned JSON API under `/api/v1`, and the
//! server-rendered pages.
//!
//! **API boundary:** the JSON shapes are defined here (in `api`), converted by hand from
//! domain types; nothing else in the workspace derives wire formats for HTTP.

pub mod api;
pub mod api_cases;
pub mod api_editorial;
pub mod api_messages;
pub mod api_openapi;
pub mod api_workplace;
pub mod auth;
mod error_pages;
pub mod i18n;
mod pages;
mod pages_editorial;
mod server;
mod state;

pub use server::Application;
pub use state::{AppState, OrganisationEntry};
