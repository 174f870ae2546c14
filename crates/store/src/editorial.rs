//! The store's side of the editorial calendar: entries and their per-network
//! variants, the approval chain's decisions, postponements, the publication outbox a network
//! connector drains, and per-user calendar feed tokens (only their SHA-256 is stored). The
//! chain's rules are the domain's (`domain::editorial`); the store records what was decided,
//! refusing a decision taken on a status that changed in the meantime. Every write is
//! audited in its own transaction; the SQL is in `backend_editorial.rs`.

use domain::audit::Attribution;
use domain::editorial::{EntryContent, EntryId, EntryStatus, Variant};
use domain::entities::{OrganisationId, UserId};
use jiff::Timestamp;

use crate::{postgres, sqlite, Store, StoreError};

/// An entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: EntryId,
    pub content: EntryContent,
    pub status: EntryStatus,
    /// Who submitted the current draft.
    pub drafted_by: Option<UserId>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A decision on a step, as recorded (also withdrawals, with decision `withdraw`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDecision {
    pub id: i64,
    pub entry_id: EntryId,
    pub step: String,
    /// `approve`, `request_changes`, `refuse` or `withdraw`.
    pub decision: String,
    pub decided_by: UserId,
    pub decided_by_name: String,
    /// The role the person acted in.
    pub role: String,
    pub comment: Option<String>,
    /// The outside body whose decision the person recorded (e.g. the SCG).
    pub external_validator: Option<String>,
    pub decided_at: Timestamp,
}

/// A decision to record, with the status it moves the entry to (computed by the domain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDecision {
    pub entry_id: EntryId,
    /// The status the decision was taken on: refused if the entry moved meanwhile.
    pub expected_status: EntryStatus,
    pub step: String,
    pub decision: String,
    pub decided_by: UserId,
    pub role: String,
    pub comment: Option<String>,
    pub external_validator: Option<String>,
    pub new_status: EntryStatus,
    pub drafted_by: Option<UserId>,
    /// Put each variant in the publication outbox (the publication step was done).
    pub publish: bool,
    /// When publishing: the text each network receives, by network id, as the caller's
    /// publishing rules render it (LinkedIn's reserved characters escaped). The store knows no
    /// network's rules; a variant without an entry here goes out as typed.
    pub published_texts: std::collections::BTreeMap<String, String>,
}

/// One move of a postponement, as proposed and confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmedMove {
    pub entry_id: EntryId,
    /// The time it had when the move was proposed: refused if it changed meanwhile.
    pub from: Option<Timestamp>,
    pub to: Timestamp,
}

/// A recorded postponement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPostponement {
    pub id: i64,
    pub entry_id: EntryId,
    pub from: Option<Timestamp>,
    pub to: Timestamp,
    pub reason: String,
    pub decided_by: UserId,
    pub decided_at: Timestamp,
}

/// A publication waiting for (or handled by) a network connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxPublication {
    pub id: i64,
    pub organisation_id: OrganisationId,
    pub entry_id: EntryId,
    pub network: String,
    /// The variant as JSON: `{"network", "message", "hashtags", "link", "media", "mentions",
    /// "text", "typed_text"}`; `text` is what the network receives (LinkedIn's escaped form).
    pub payload_json: String,
    pub publish_at: Option<Timestamp>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// What to list: entries scheduled in `[from, to)` (unscheduled ones too when
/// `include_unscheduled`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryRange {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub include_unscheduled: bool,
}

macro_rules! dispatch_editorial {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::editorial::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::editorial::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// Records a new entry with its variants, at the status the chain starts it at.
    pub async fn create_entry(
        &self,
        by: &Attribution,
        content: &EntryContent,
        status: &EntryStatus,
        created_by: UserId,
    ) -> Result<StoredEntry, StoreError> {
        dispatch_editorial!(self, create_entry(by, content, status, created_by))
    }

    /// Replaces an entry's content and variants (its status is untouched). Refused with
    /// `InvalidRequest` when the entry is no longer at `expected_status`.
    pub async fn update_entry(
        &self,
        by: &Attribution,
        id: EntryId,
        expected_status: &EntryStatus,
        content: &EntryContent,
    ) -> Result<StoredEntry, StoreError> {
        dispatch_editorial!(self, update_entry(by, id, expected_status, content))
    }

    pub async fn get_entry(&self, id: EntryId) -> Result<Option<StoredEntry>, StoreError> {
        dispatch_editorial!(self, get_entry(id))
    }

    /// The organisation's entries in a range, by scheduled time (unscheduled last), then id.
    pub async fn list_entries(&self, organisation_id: &OrganisationId, range: &EntryRange) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch_editorial!(self, list_entries(organisation_id, range))
    }

    /// Records a decision and moves the entry, in one audited transaction; when it publishes,
    /// each variant goes to the publication outbox.
    pub async fn record_decision(&self, by: &Attribution, decision: &NewDecision) -> Result<StoredEntry, StoreError> {
        dispatch_editorial!(self, record_decision(by, decision))
    }

    /// The decisions on an entry, oldest first, with the deciders' names.
    pub async fn list_decisions(&self, entry_id: EntryId) -> Result<Vec<StoredDecision>, StoreError> {
        dispatch_editorial!(self, list_decisions(entry_id))
    }

    /// Applies confirmed postponements, all or nothing, each audited.
    pub async fn postpone_entries(
        &self,
        by: &Attribution,
        organisation_id: &OrganisationId,
        moves: &[ConfirmedMove],
        reason: &str,
        decided_by: UserId,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        dispatch_editorial!(self, postpone_entries(by, organisation_id, moves, reason, decided_by))
    }

    pub async fn list_postponements(&self, entry_id: EntryId) -> Result<Vec<StoredPostponement>, StoreError> {
        dispatch_editorial!(self, list_postponements(entry_id))
    }

    /// Pending publications, oldest first, for a connector to carry out.
    pub async fn pending_publications(&self, limit: u32) -> Result<Vec<OutboxPublication>, StoreError> {
        dispatch_editorial!(self, pending_publications(limit))
    }

    /// Marks a publication sent, or failed with the connector's error (audited).
    pub async fn finish_publication(&self, by: &Attribution, id: i64, error: Option<&str>) -> Result<OutboxPublication, StoreError> {
        dispatch_editorial!(self, finish_publication(by, id, error))
    }

    /// Stores a calendar feed token's hash for a person (the token itself is shown once).
    pub async fn create_feed_token(
        &self,
        by: &Attribution,
        user_id: UserId,
        organisation_id: &OrganisationId,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        dispatch_editorial!(self, create_feed_token(by, user_id, organisation_id, token_hash))
    }

    /// Whose feed a token hash opens, if it is known and not revoked.
    pub async fn find_feed_token(&self, token_hash: &str) -> Result<Option<(UserId, OrganisationId)>, StoreError> {
        dispatch_editorial!(self, find_feed_token(token_hash))
    }

    /// Revokes every feed token of a person; returns how many.
    pub async fn revoke_feed_tokens(&self, by: &Attribution, user_id: UserId) -> Result<u64, StoreError> {
        dispatch_editorial!(self, revoke_feed_tokens(by, user_id))
    }
}

/// A variant's outbox payload, with its text as typed.
pub fn publication_payload(variant: &Variant) -> String {
    publication_payload_as_sent(variant, None)
}

/// A variant's outbox payload: `text` is what the connector sends (`published_text`, e.g.
/// LinkedIn's escaped form, else the text as typed), `typed_text` the text as typed.
pub fn publication_payload_as_sent(variant: &Variant, published_text: Option<&str>) -> String {
    let typed = variant.full_text();
    serde_json::json!({
        "network": variant.network.as_str(),
        "message": variant.message,
        "hashtags": variant.hashtags,
        "link": variant.link,
        "media": variant.media,
        "mentions": variant.mentions,
        "text": published_text.unwrap_or(&typed),
        "typed_text": typed,
    })
    .to_string()
}
