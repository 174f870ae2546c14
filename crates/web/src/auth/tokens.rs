//! API tokens for integrations (connectors, scripts): `POST /api/v1/tokens` creates one for
//! the signed-in person and returns its secret once; `GET /api/v1/tokens` lists them (never
//! the secret); `DELETE /api/v1/tokens/{id}` revokes one. Each person manages their own
//! tokens; a role with `manage_users` sees and revokes every token of the organisation.
//! A token acts with its creator's role (`Authorization: Bearer balise_…`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::profile::Permission;
use serde::{Deserialize, Serialize};
use store::auth::{ApiToken, NewApiToken};

use super::secrets::{random_api_token, token_hash};
use super::CurrentUser;
use crate::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
}

/// The longest token name, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": { "code": code, "message": message } }))).into_response()
}

fn store_error(error: store::StoreError) -> Response {
    tracing::error!(%error, "API token operation failed");
    error_response_internal()
}

fn error_response_internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Erreur de la base de données ; l'opération n'a pas été effectuée.",
    )
}

#[derive(Serialize)]
struct TokenBody {
    id: i64,
    user_id: i64,
    name: String,
    role: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl From<&ApiToken> for TokenBody {
    fn from(token: &ApiToken) -> TokenBody {
        TokenBody {
            id: token.id,
            user_id: token.user_id.get(),
            name: token.name.clone(),
            role: token.role.as_str().to_owned(),
            created_at: token.created_at.to_string(),
            last_used_at: token.last_used_at.map(|at| at.to_string()),
            revoked_at: token.revoked_at.map(|at| at.to_string()),
        }
    }
}

#[derive(Serialize)]
struct CreatedTokenBody {
    #[serde(flatten)]
    details: TokenBody,
    /// The secret, shown this once.
    token: String,
}

#[derive(Deserialize)]
struct CreateTokenRequest {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Result<Json<CreateTokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(request)) = request else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "Corps attendu : un objet JSON {\"name\": \"…\"} nommant le jeton.",
        );
    };
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS || name.chars().any(char::is_control) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_name",
            "Le nom du jeton doit compter de 1 à 100 caractères, sans caractère de contrôle.",
        );
    }
    let Ok(secret) = random_api_token() else {
        tracing::error!("the OS random number generator failed");
        return error_response_internal();
    };
    let new_token = NewApiToken { user_id: user.user_id, name: name.to_owned(), token_hash: token_hash(&secret) };
    match state.store().create_api_token(&user.attribution(), &new_token).await {
        Ok(token) => {
            (StatusCode::CREATED, Json(CreatedTokenBody { details: TokenBody::from(&token), token: secret })).into_response()
        }
        Err(failure) => store_error(failure),
    }
}

async fn list_tokens(State(state): State<AppState>, user: CurrentUser) -> Response {
    let whose = if user.may(&state, Permission::ManageUsers) { None } else { Some(user.user_id) };
    match state.store().list_api_tokens(&user.organisation_id, whose).await {
        Ok(tokens) => Json(tokens.iter().map(TokenBody::from).collect::<Vec<_>>()).into_response(),
        Err(failure) => store_error(failure),
    }
}

async fn revoke_token(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Response {
    let whose = if user.may(&state, Permission::ManageUsers) { None } else { Some(user.user_id) };
    let visible = match state.store().list_api_tokens(&user.organisation_id, whose).await {
        Ok(tokens) => tokens.iter().any(|token| token.id == id),
        Err(failure) => return store_error(failure),
    };
    if !visible {
        return error(StatusCode::NOT_FOUND, "not_found", &format!("Aucun jeton n° {id} parmi les vôtres."));
    }
    match state.store().revoke_api_token(&user.attribution(), &user.organisation_id, id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(failure) => store_error(failure),
    }
}
