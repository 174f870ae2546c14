//! Audit events: who did what, when, before/after, under which clause or rule. These
//! are the pure records; the store appends them to a hash-chained log in the same
//! transaction as the change they describe, and verifies the chain.

use std::fmt;

use jiff::Timestamp;

use crate::entities::{EntityParseError, Login};

/// Who made a change: a signed-in person, or a part of Balise acting on its own (an import,
/// the deadline clock, a connector).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A person, by login.
    User(Login),
    /// A component of Balise, by a stable slug such as `import` or `api`.
    System(String),
}

impl Actor {
    /// A system actor; the component name is a lowercase slug.
    pub fn system(component: &str) -> Result<Self, EntityParseError> {
        let valid = !component.is_empty()
            && component
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if valid {
            Ok(Actor::System(component.to_owned()))
        } else {
            Err(EntityParseError::UnknownCode {
                what: "acteur système",
                value: component.to_owned(),
                expected: "a lowercase slug",
            })
        }
    }

    /// The text stored in the log: `user:<login>` or `system:<component>`.
    pub fn to_audit_text(&self) -> String {
        match self {
            Actor::User(login) => format!("user:{login}"),
            Actor::System(component) => format!("system:{component}"),
        }
    }

    /// Reads back what [`Actor::to_audit_text`] wrote.
    pub fn parse_audit_text(text: &str) -> Result<Self, EntityParseError> {
        if let Some(login) = text.strip_prefix("user:") {
            return Ok(Actor::User(Login::parse(login)?));
        }
        if let Some(component) = text.strip_prefix("system:") {
            return Actor::system(component);
        }
        Err(EntityParseError::UnknownCode {
            what: "acteur",
            value: text.to_owned(),
            expected: "user:<login> or system:<component>",
        })
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_audit_text())
    }
}

/// Who is making a change and under which policy clause or rule; every state-changing store
/// call takes one, so no change reaches the store without its justification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    /// Who.
    pub actor: Actor,
    /// The clause or rule applied, e.g. `mamh:netiquette:3` or `R-28`; `None` when the change
    /// is not a policy decision (creating a user, importing a message).
    pub rule: Option<String>,
}

impl Attribution {
    /// A change with no policy clause behind it.
    pub fn by(actor: Actor) -> Self {
        Attribution { actor, rule: None }
    }

    /// A change made under a clause or rule.
    pub fn under_rule(actor: Actor, rule: impl Into<String>) -> Self {
        Attribution { actor, rule: Some(rule.into()) }
    }
}

/// The kind of thing a change touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// An organisation.
    Organisation,
    /// An institutional account.
    Account,
    /// A batch of messages received together.
    MessageBatch,
    /// One message.
    Message,
    /// A case.
    Case,
    /// A user.
    User,
    /// A post.
    Post,
    /// Something outside the store's records (a sign-in, an export).
    Other,
}

impl EntityKind {
    /// Every kind.
    pub const ALL: [EntityKind; 8] = [
        EntityKind::Organisation,
        EntityKind::Account,
        EntityKind::MessageBatch,
        EntityKind::Message,
        EntityKind::Case,
        EntityKind::User,
        EntityKind::Post,
        EntityKind::Other,
    ];

    /// Stable code stored in the log.
    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Organisation => "organisation",
            EntityKind::Account => "account",
            EntityKind::MessageBatch => "message_batch",
            EntityKind::Message => "message",
            EntityKind::Case => "case",
            EntityKind::User => "user",
            EntityKind::Post => "post",
            EntityKind::Other => "other",
        }
    }

    /// Parses a stable code.
    pub fn parse(value: &str) -> Result<Self, EntityParseError> {
        EntityKind::ALL.into_iter().find(|kind| kind.code() == value).ok_or_else(|| {
            EntityParseError::UnknownCode {
                what: "type d'entité",
                value: value.to_owned(),
                expected: "organisation account message_batch message case user post other",
            }
        })
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// What a change is, as a stable snake_case code (`case_route_set`). Kept as a checked string
/// rather than a closed enum so later features add actions without touching the store.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuditAction(String);

impl AuditAction {
    /// Parses an action code: lowercase ASCII letters, digits and `_`.
    pub fn parse(code: &str) -> Result<Self, EntityParseError> {
        let valid = !code.is_empty()
            && code.len() <= 64
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Ok(AuditAction(code.to_owned()))
        } else {
            Err(EntityParseError::UnknownCode {
                what: "action d'audit",
                value: code.to_owned(),
                expected: "a snake_case code",
            })
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One change to record: everything an entry holds except what the log itself assigns
/// (sequence, time, hashes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who, and under which rule.
    pub attribution: Attribution,
    /// What.
    pub action: AuditAction,
    /// On what kind of thing.
    pub entity_kind: EntityKind,
    /// Which one (its id as text).
    pub entity_id: String,
    /// Its state before, as JSON text; `None` when it did not exist.
    pub before_json: Option<String>,
    /// Its state after, as JSON text; `None` when it no longer exists.
    pub after_json: Option<String>,
}

/// One entry of the audit log, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub sequence: u64,
    /// When the store recorded it.
    pub at: Timestamp,
    /// The change.
    pub event: AuditEvent,
    /// Hex SHA-256 of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of `prev_hash` followed by this entry's canonical content.
    pub hash: String,
}

/// How the chain is broken at the first bad entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainBreakKind {
    /// The entry's content no longer matches its hash.
    Altered,
    /// One or more entries before this position are missing.
    Deleted,
    /// This entry was not appended by Balise: it does not link into the chain.
    Inserted,
}

impl ChainBreakKind {
    /// Stable code: `altered`, `deleted`, `inserted`.
    pub fn code(self) -> &'static str {
        match self {
            ChainBreakKind::Altered => "altered",
            ChainBreakKind::Deleted => "deleted",
            ChainBreakKind::Inserted => "inserted",
        }
    }
}

impl fmt::Display for ChainBreakKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// The first bad entry found when walking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the bad entry (for a deletion: the first missing number).
    pub sequence: u64,
    /// What happened to it.
    pub kind: ChainBreakKind,
    /// A sentence for the auditor, in French.
    pub detail: String,
}

/// The outcome of walking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditVerification {
    /// Every entry links and matches its hash.
    Intact {
        /// How many entries were checked.
        entries: u64,
    },
    /// The first bad entry.
    Broken(ChainBreak),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn actor_text_round_trips() {
        let person = Actor::User(Login::parse("m.tremblay").unwrap());
        assert_eq!(person.to_audit_text(), "user:m.tremblay");
        assert_eq!(Actor::parse_audit_text("user:m.tremblay").unwrap(), person);
        let import = Actor::system("import").unwrap();
        assert_eq!(Actor::parse_audit_text(&import.to_audit_text()).unwrap(), import);
        assert!(Actor::parse_audit_text("robot").is_err());
        assert!(Actor::system("Import!").is_err());
    }

    #[test]
    fn entity_kind_and_action_codes() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::parse(kind.code()).unwrap(), kind);
        }
        assert!(AuditAction::parse("case_route_set").is_ok());
        assert!(AuditAction::parse("Case Route").is_err());
    }
}
