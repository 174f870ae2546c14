//! What the pages read: the inbox (every open case of an organisation, urgent first, then by
//! nearest first-response deadline, filtered, one keyset page at a time), a message's thread
//! and its author's earlier messages (the case page's context), the organisation's people,
//! and the audit log searched by actor, action, entity and time.
//!
//! The inbox reads `inbox_cases`, a row per case that database triggers keep in step with
//! the case, its verdict, its deadlines and its suggestion (migration 0007): one index in
//! inbox order, so a page costs the same with a thousand or a million stored messages.

use domain::audit::AuditEntry;
use domain::entities::{AccountId, CaseId, CaseStatus, Message, MessageId, OrganisationId, UserId};
use jiff::Timestamp;

use crate::{Store, StoreError, postgres, sqlite};

/// The largest page the inbox serves.
pub const INBOX_PAGE_LIMIT_MAX: u32 = 200;

/// Which cases the inbox shows. Every field narrows; the default is every open case
/// (`open` or `in_progress`) of the organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Network id (`facebook`).
    pub network: Option<String>,
    /// One institutional account.
    pub account_id: Option<AccountId>,
    /// Route family (`respondent`), the confirmed one or else the suggested one.
    pub route: Option<String>,
    /// Sector id of a `respondent:<sector>` suggestion.
    pub sector: Option<String>,
    /// One status instead of the open ones.
    pub status: Option<CaseStatus>,
    /// A category or urgent kind id of the verdict (`insult`).
    pub category: Option<String>,
    /// Only cases whose first-response deadline is before this instant.
    pub overdue_at: Option<Timestamp>,
    /// Only cases assigned to this person (a respondent sees their own).
    pub assignee: Option<UserId>,
}

/// Where a page of the inbox ends: the sort key of its last row. Written into links as
/// `rank.due.case` and read back with [`InboxCursor::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InboxCursor {
    urgent_rank: i64,
    due: i64,
    case_id: i64,
}

impl InboxCursor {
    pub(crate) fn from_key(urgent_rank: i64, due: i64, case_id: i64) -> InboxCursor {
        InboxCursor { urgent_rank, due, case_id }
    }

    pub(crate) fn key(&self) -> (i64, i64, i64) {
        (self.urgent_rank, self.due, self.case_id)
    }

    /// Reads the text form written by `Display`; `None` for anything else.
    pub fn parse(text: &str) -> Option<InboxCursor> {
        let mut parts = text.split('.');
        let urgent_rank: i64 = parts.next()?.parse().ok()?;
        let due: i64 = parts.next()?.parse().ok()?;
        let case_id: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(0..=1).contains(&urgent_rank) || case_id < 0 {
            return None;
        }
        Some(InboxCursor { urgent_rank, due, case_id })
    }
}

impl std::fmt::Display for InboxCursor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}.{}.{}", self.urgent_rank, self.due, self.case_id)
    }
}

/// One row of the inbox: the case, the citizen's words and what was decided about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxRow {
    pub case_id: CaseId,
    pub message_id: MessageId,
    pub status: CaseStatus,
    /// Urgent (an urgent kind in the verdict, or the route `urgent`).
    pub urgent: bool,
    /// The verdict's urgent kind id, if any.
    pub urgent_kind: Option<String>,
    /// The current first-response deadline, when a reply is expected.
    pub due: Option<Timestamp>,
    /// The first-response deadline the profile's commitment set at receipt; unlike `due`
    /// it never moves when a late stage pushes the plan (`None` when no deadline runs).
    pub committed_due: Option<Timestamp>,
    /// The confirmed route family, else the suggested one.
    pub route: Option<String>,
    /// The full suggested route (`respondent:habitation`).
    pub suggested_route: Option<String>,
    /// Whether a person confirmed or changed the route.
    pub route_confirmed: bool,
    pub sector: Option<String>,
    pub network: String,
    pub account_id: AccountId,
    pub account_handle: String,
    pub author_display_name: String,
    /// The citizen's words, unedited.
    pub text: String,
    pub received_at: Timestamp,
    /// `publish`, `hide` or `review`; `None` before moderation.
    pub verdict_action: Option<String>,
    pub categories: Vec<String>,
    pub clauses: Vec<String>,
    /// The evidence as stored (JSON array of `{category, start, end, matched}`).
    pub evidence_json: Option<String>,
    pub explanation: Option<String>,
    pub assignee: Option<(UserId, String)>,
}

/// A page of the inbox and where the next one starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    /// `None` on the last page.
    pub next: Option<InboxCursor>,
}

/// A person of the organisation, for assignment lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganisationMember {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: String,
}

/// What the audit page searches for. Every field narrows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor as written in the log (`user:m.tremblay`), or a part of it.
    pub actor_contains: Option<String>,
    /// The exact action (`route_changed`).
    pub action: Option<String>,
    /// The entity kind code (`case`).
    pub entity_kind: Option<String>,
    /// The entity id (`42`).
    pub entity_id: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Entries before this instant.
    pub to: Option<Timestamp>,
}

macro_rules! dispatch_inbox {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::inbox::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::inbox::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// A page of the organisation's inbox: urgent first, then nearest deadline (cases
    /// without one last), then case id; after `after` when given; at most `limit` rows
    /// (capped at [`INBOX_PAGE_LIMIT_MAX`]).
    pub async fn inbox(
        &self,
        organisation_id: &OrganisationId,
        filter: &InboxFilter,
        after: Option<InboxCursor>,
        limit: u32,
    ) -> Result<InboxPage, StoreError> {
        dispatch_inbox!(self, inbox(organisation_id, filter, after, limit.clamp(1, INBOX_PAGE_LIMIT_MAX)))
    }

    /// The inbox row of one case (the case page shows the same facts), whatever its status.
    pub async fn inbox_row(&self, case_id: CaseId) -> Result<Option<InboxRow>, StoreError> {
        dispatch_inbox!(self, inbox_row(case_id))
    }

    /// The other messages of a message's thread on the same account, oldest first, at most
    /// `limit`.
    pub async fn thread_messages(&self, message: &Message, limit: u32) -> Result<Vec<Message>, StoreError> {
        dispatch_inbox!(self, thread_messages(message, limit))
    }

    /// The author's other messages on the same network, newest first, at most `limit`, with
    /// the case opened for each, if any.
    pub async fn author_messages(
        &self,
        message: &Message,
        limit: u32,
    ) -> Result<Vec<(Message, Option<CaseId>)>, StoreError> {
        dispatch_inbox!(self, author_messages(message, limit))
    }

    /// The people of an organisation, by display name.
    pub async fn organisation_members(&self, organisation_id: &OrganisationId) -> Result<Vec<OrganisationMember>, StoreError> {
        dispatch_inbox!(self, organisation_members(organisation_id))
    }

    /// Audit entries matching `filter`, newest first, with a sequence number below
    /// `before_sequence` when given, at most `limit`.
    pub async fn search_audit(
        &self,
        filter: &AuditFilter,
        before_sequence: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch_inbox!(self, search_audit(filter, before_sequence, limit.clamp(1, INBOX_PAGE_LIMIT_MAX)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let cursor = InboxCursor { urgent_rank: 1, due: 1_700_000_000_000_000, case_id: 42 };
        assert_eq!(InboxCursor::parse(&cursor.to_string()), Some(cursor));
        for bad in ["", "1.2", "1.2.3.4", "2.0.1", "a.b.c", "1.2.-3", "0.1.2 "] {
            assert_eq!(InboxCursor::parse(bad), None, "{bad}");
        }
    }
}
