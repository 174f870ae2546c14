//! One received record as the API and `balise import` read it (every field still text), and
//! its validation into a message the store accepts, with a precise French error per field.

use domain::entities::{AccountHandle, Author, ExternalId, MessageKind, Network};
use jiff::Timestamp;
use serde::Serialize;

/// The longest text accepted, in characters (Unicode scalar values).
pub const MAX_TEXT_CHARACTERS: usize = 100_000;

/// A record as received: every field optional text, so that a missing or malformed field is
/// reported by name instead of failing the whole record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncomingMessage {
    pub network: Option<String>,
    pub account: Option<String>,
    pub external_id: Option<String>,
    pub thread: Option<String>,
    pub author: Option<String>,
    pub author_name: Option<String>,
    pub text: Option<String>,
    pub kind: Option<String>,
    pub received_at: Option<String>,
    pub automatic: Option<String>,
}

/// What is wrong with a record: the field, a stable code, and a French sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field} : {message}")]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// The fields a record may hold, in the order they are checked and documented.
pub const FIELDS: [&str; 10] = [
    "network",
    "account",
    "external_id",
    "thread",
    "author",
    "author_name",
    "text",
    "kind",
    "received_at",
    "automatic",
];

/// A record that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRecord {
    pub network: Network,
    pub account: AccountHandle,
    pub external_id: ExternalId,
    pub thread: Option<ExternalId>,
    pub author: Author,
    pub text: String,
    pub kind: MessageKind,
    pub received_at: Timestamp,
    pub automatic: bool,
}

impl IncomingMessage {
    /// Reads a JSON object, reporting a field of the wrong type by name. Unknown fields are
    /// refused too, so a misspelt field name does not silently drop data.
    pub fn from_json(value: &serde_json::Value) -> Result<IncomingMessage, FieldError> {
        let Some(object) = value.as_object() else {
            return Err(FieldError::new(
                "",
                "not_an_object",
                "l'enregistrement doit être un objet JSON",
            ));
        };
        let mut record = IncomingMessage::default();
        for (key, value) in object {
            let text = match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) => Some(text.clone()),
                serde_json::Value::Bool(flag) if key == "automatic" => Some(flag.to_string()),
                serde_json::Value::Number(number) if key != "text" && key != "automatic" => {
                    Some(number.to_string())
                }
                _ => {
                    return Err(FieldError::new(
                        key,
                        "wrong_type",
                        if key == "automatic" {
                            "doit être true ou false"
                        } else {
                            "doit être une chaîne de caractères"
                        },
                    ));
                }
            };
            let slot = match key.as_str() {
                "network" => &mut record.network,
                "account" => &mut record.account,
                "external_id" => &mut record.external_id,
                "thread" => &mut record.thread,
                "author" => &mut record.author,
                "author_name" => &mut record.author_name,
                "text" => &mut record.text,
                "kind" => &mut record.kind,
                "received_at" => &mut record.received_at,
                "automatic" => &mut record.automatic,
                _ => {
                    return Err(FieldError::new(
                        key,
                        "unknown_field",
                        format!("champ inconnu (champs permis : {})", FIELDS.join(", ")),
                    ));
                }
            };
            *slot = text;
        }
        Ok(record)
    }

    /// Checks every field; the first problem, in the order of [`FIELDS`], is reported.
    pub fn validate(&self) -> Result<ValidRecord, FieldError> {
        fn required<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str, FieldError> {
            match value.as_deref() {
                Some(value) if !value.trim().is_empty() => Ok(value),
                _ => Err(FieldError::new(
                    field,
                    "missing",
                    "champ obligatoire absent ou vide",
                )),
            }
        }
        fn invalid(
            field: &'static str,
        ) -> impl Fn(domain::entities::EntityParseError) -> FieldError {
            move |error| FieldError::new(field, "invalid", error.to_string())
        }
        let network = Network::parse(required("network", &self.network)?.trim())
            .map_err(invalid("network"))?;
        let account = AccountHandle::parse(required("account", &self.account)?.trim())
            .map_err(invalid("account"))?;
        let external_id = ExternalId::parse(required("external_id", &self.external_id)?)
            .map_err(invalid("external_id"))?;
        let thread = match self.thread.as_deref().filter(|thread| !thread.is_empty()) {
            Some(thread) => Some(ExternalId::parse(thread).map_err(invalid("thread"))?),
            None => None,
        };
        let author_id =
            ExternalId::parse(required("author", &self.author)?).map_err(invalid("author"))?;
        let display_name = self
            .author_name
            .clone()
            .unwrap_or_else(|| author_id.as_str().to_owned());
        let Some(text) = self.text.as_deref() else {
            return Err(FieldError::new(
                "text",
                "missing",
                "champ obligatoire absent",
            ));
        };
        // Counting stops past the limit, so a 10 MB line costs no more than the limit.
        if text.len() > MAX_TEXT_CHARACTERS && text.chars().nth(MAX_TEXT_CHARACTERS).is_some() {
            return Err(FieldError::new(
                "text",
                "too_long",
                format!(
                    "le texte compte {} caractères ; la limite est de {} caractères",
                    text.chars().count(),
                    MAX_TEXT_CHARACTERS
                ),
            ));
        }
        let kind = MessageKind::parse(required("kind", &self.kind)?.trim()).map_err(|_| {
            FieldError::new(
                "kind",
                "invalid",
                "type inconnu (attendu : comment, reply, private_message ou mention)",
            )
        })?;
        let received_text = required("received_at", &self.received_at)?.trim();
        let received_at = received_text.parse::<Timestamp>().map_err(|_| {
            FieldError::new(
                "received_at",
                "invalid_date",
                format!("date invalide « {received_text} » (attendu : RFC 3339, p. ex. 2026-03-02T14:05:06-05:00)"),
            )
        })?;
        let automatic = match self.automatic.as_deref().map(str::trim) {
            None | Some("") => false,
            Some("true" | "1" | "oui") => true,
            Some("false" | "0" | "non") => false,
            Some(other) => {
                return Err(FieldError::new(
                    "automatic",
                    "invalid",
                    format!("« {other} » : attendu true ou false"),
                ));
            }
        };
        Ok(ValidRecord {
            network,
            account,
            external_id,
            thread,
            author: Author {
                external_id: author_id,
                display_name,
            },
            text: text.to_owned(),
            kind,
            received_at,
            automatic,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn good() -> IncomingMessage {
        IncomingMessage {
            network: Some("facebook".into()),
            account: Some("@MAMHQuebec".into()),
            external_id: Some("fb-1".into()),
            thread: Some("post-1".into()),
            author: Some("u-1".into()),
            author_name: Some("Jeanne".into()),
            text: Some("Bonjour".into()),
            kind: Some("comment".into()),
            received_at: Some("2026-03-02T14:05:06-05:00".into()),
            automatic: None,
        }
    }

    #[test]
    fn a_complete_record_is_valid_and_keeps_the_text() {
        let record = good().validate().unwrap();
        assert_eq!(record.text, "Bonjour");
        assert_eq!(record.received_at.to_string(), "2026-03-02T19:05:06Z");
        assert!(!record.automatic);
    }

    #[test]
    fn each_problem_names_its_field() {
        let cases: Vec<(IncomingMessage, &str, &str)> = vec![
            (
                IncomingMessage {
                    network: None,
                    ..good()
                },
                "network",
                "missing",
            ),
            (
                IncomingMessage {
                    received_at: Some("2026-13-02".into()),
                    ..good()
                },
                "received_at",
                "invalid_date",
            ),
            (
                IncomingMessage {
                    received_at: Some("2026-03-02T14:05:06".into()),
                    ..good()
                },
                "received_at",
                "invalid_date",
            ),
            (
                IncomingMessage {
                    kind: Some("tweet".into()),
                    ..good()
                },
                "kind",
                "invalid",
            ),
            (
                IncomingMessage {
                    text: Some("é".repeat(MAX_TEXT_CHARACTERS + 1)),
                    ..good()
                },
                "text",
                "too_long",
            ),
            (
                IncomingMessage {
                    automatic: Some("peut-être".into()),
                    ..good()
                },
                "automatic",
                "invalid",
            ),
            (
                IncomingMessage {
                    network: Some("Face Book".into()),
                    ..good()
                },
                "network",
                "invalid",
            ),
        ];
        for (record, field, code) in cases {
            let error = record.validate().unwrap_err();
            assert_eq!((error.field.as_str(), error.code), (field, code), "{error}");
        }
        // Exactly at the limit is accepted.
        assert!(
            IncomingMessage {
                text: Some("é".repeat(MAX_TEXT_CHARACTERS)),
                ..good()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn json_types_are_checked_per_field() {
        let value = serde_json::json!({"network": "facebook", "text": 12});
        assert_eq!(
            IncomingMessage::from_json(&value).unwrap_err().field,
            "text"
        );
        let value = serde_json::json!({"netwrok": "facebook"});
        assert_eq!(
            IncomingMessage::from_json(&value).unwrap_err().code,
            "unknown_field"
        );
        let value = serde_json::json!({"automatic": true, "external_id": 42});
        let record = IncomingMessage::from_json(&value).unwrap();
        assert_eq!(record.automatic.as_deref(), Some("true"));
        assert_eq!(record.external_id.as_deref(), Some("42"));
    }
}
