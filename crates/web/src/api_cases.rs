//! JSON API of api_cases under /api/v1 (filled in by the work on this area).

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
