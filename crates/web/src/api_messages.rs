//! `POST /api/v1/messages`: one message (a JSON object) or a batch (an array), each
//! validated on its own; the valid ones are stored first (durable before the answer), then
//! moderated and triaged. The answer (202) gives one result per record, in order:
//! `{"results": [{"index", "status": "stored"|"duplicate"|"refused", "message_id"?,
//! "case_id"?, "error"?: {"field", "code", "message"}}]}`.


use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::entities::MessageId;
use pipeline::{FieldError, IncomingMessage, RecordStatus};
use serde::Serialize;

use crate::AppState;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Batches up to this size are moderated and triaged before the answer; larger ones are
/// stored, acknowledged, and processed right after.
pub const INLINE_PROCESSING_LIMIT: usize = 1_000;

/// The routes of this module, to merge under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", post(post_messages))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
}

fn error(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }),
    )
        .into_response()
}

#[derive(Serialize)]
struct ResultsBody {
    results: Vec<RecordResult>,
}

#[derive(Serialize)]
struct RecordResult {
    index: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<FieldError>,
}

async fn post_messages(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "Le corps de la requête dépasse {} Mo ; envoyez les messages en plusieurs lots.",
                    MAX_BODY_BYTES / (1024 * 1024)
                ),
            );
        }
        Err(rejection) => {
            return error(
                rejection.status(),
                "invalid_body",
                "Corps de requête illisible.",
            );
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(parse_error) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!(
                    "JSON invalide (ligne {}, colonne {}).",
                    parse_error.line(),
                    parse_error.column()
                ),
            );
        }
    };
    let values = match value {
        serde_json::Value::Array(values) => values,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "Le corps doit être un objet JSON (un message) ou un tableau d'objets (un lot).",
            );
        }
    };

    let mut results: Vec<RecordResult> = Vec::with_capacity(values.len());
    let mut batch = Vec::with_capacity(values.len());
    let mut positions = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        results.push(RecordResult {
            index,
            status: "refused",
            message_id: None,
            case_id: None,
            error: None,
        });
        match IncomingMessage::from_json(value) {
            Ok(record) => {
                batch.push(record);
                positions.push(index);
            }
            Err(field_error) => results[index].error = Some(field_error),
        }
    }
    let pipeline = state.pipeline();
    let records = batch.clone();
    let report = match pipeline.ingest(batch).await {
        Ok(report) => report,
        Err(pipeline_error) => {
            tracing::error!(error = %pipeline_error, "ingest failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store_error",
                "Erreur de la base de données : aucun message de ce lot n'a été conservé.",
            );
        }
    };
    for ((position, status), record) in positions.iter().zip(report.results).zip(&records) {
        let result = &mut results[*position];
        match status {
            RecordStatus::Stored { message_id } => {
                result.status = "stored";
                result.message_id = Some(message_id);
            }
            RecordStatus::Duplicate => {
                result.status = "duplicate";
                if let Ok(valid) = record.validate()
                    && let Ok(Some(message)) = state
                        .store()
                        .find_message(&valid.network, &valid.external_id)
                        .await
                {
                    result.message_id = Some(message.id.get());
                }
            }
            RecordStatus::Refused { error } => result.error = Some(error),
        }
    }

    // Stored and acknowledged; now moderate and triage. A failure here loses nothing: the
    // messages stay pending for the next run.
    let stored = results
        .iter()
        .filter(|result| result.status == "stored")
        .count();
    if stored <= INLINE_PROCESSING_LIMIT {
        if let Err(pipeline_error) = pipeline.process_pending(stored.max(1)).await {
            tracing::error!(error = %pipeline_error, "processing after ingest failed; messages stay pending");
        }
    } else {
        tokio::spawn(async move {
            if let Err(pipeline_error) = pipeline.process_all_pending().await {
                tracing::error!(error = %pipeline_error, "processing after ingest failed; messages stay pending");
            }
        });
    }
    for result in &mut results {
        if let Some(message_id) = result.message_id
            && let Ok(Some(case)) = state
                .store()
                .find_case_for_message(MessageId::new(message_id))
                .await
        {
            result.case_id = Some(case.id.get());
        }
    }
    (StatusCode::ACCEPTED, Json(ResultsBody { results })).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::OrganisationEntry;

    async fn serve() -> (String, store::Store, tempfile::TempDir) {
        let directory = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}",
            directory.path().join("api.sqlite3").display()
        );
        let store = store::Store::connect(&url).await.unwrap();
        let profile = std::sync::Arc::new(domain::profile::Profile::preset("mamh").unwrap());
        let state = AppState::new(
            store.clone(),
            vec![OrganisationEntry {
                id: "mamh".into(),
                profile,
            }],
        );
        let app = Router::new().nest("/api/v1", router()).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (
            format!("http://{address}/api/v1/messages"),
            store,
            directory,
        )
    }

    fn message(external_id: &str, text: &str) -> serde_json::Value {
        serde_json::json!({
            "network": "facebook", "account": "@MAMHQuebec", "external_id": external_id,
            "author": "u-1", "text": text, "kind": "comment",
            "received_at": "2026-03-02T14:05:06-05:00"
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_gets_one_result_per_record_and_cases_are_opened() {
        let (url, store, _directory) = serve().await;
        let client = reqwest::Client::new();
        let mut bad = message("fb-3", "x");
        bad["received_at"] = "demain".into();
        let body = serde_json::json!([
            message("fb-1", "Bonjour, quand ouvre le programme?"),
            message("fb-1", "copie"),
            bad
        ]);
        let response = client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 202);
        let json: serde_json::Value = response.json().await.unwrap();
        let results = json["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["status"], "stored");
        assert!(results[0]["case_id"].as_i64().is_some(), "{json}");
        assert_eq!(results[1]["status"], "duplicate");
        assert_eq!(results[1]["message_id"], results[0]["message_id"]);
        assert_eq!(results[2]["status"], "refused");
        assert_eq!(results[2]["error"]["field"], "received_at");
        assert_eq!(results[2]["error"]["code"], "invalid_date");
        assert_eq!(store.count_messages().await.unwrap(), 1);

        // A single object works too, and the same message again is a duplicate with its case.
        let response = client
            .post(&url)
            .json(&message("fb-1", "Bonjour"))
            .send()
            .await
            .unwrap();
        let json: serde_json::Value = response.json().await.unwrap();
        assert_eq!(json["results"][0]["status"], "duplicate");
        assert_eq!(json["results"][0]["case_id"], results[0]["case_id"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_over_ten_megabytes_gets_a_json_413() {
        let (url, store, _directory) = serve().await;
        let text = "a".repeat(MAX_BODY_BYTES + 10);
        let response = reqwest::Client::new()
            .post(&url)
            .json(&message("fb-big", &text))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413);
        let json: serde_json::Value = response.json().await.unwrap();
        assert_eq!(json["error"]["code"], "payload_too_large");
        assert_eq!(store.count_messages().await.unwrap(), 0);
    }
}
