//! Balise's store: one interface, [`Store`], over the domain's records (organisations,
//! accounts, authors, messages, cases, assignments, posts, users) and the hash-chained audit
//! log, with two backends behind it: SQLite (the default, one file in the data directory)
//! and PostgreSQL (selected by a `postgres://` URL, shared by several Balise instances).
//!
//! **Architecture invariant:** every state-changing method takes an [`Attribution`] and
//! writes its audit entry in the same transaction as the change; the audit log is only
//! appended to, and appends are serialised so the hash chain never forks.
//!
//! **API boundary:** callers see domain types and [`StoreError`]. The variants of [`Store`]
//! hold the sqlx pools only so this crate's modules can dispatch to a backend; code outside
//! the crate calls methods and never matches on them. Both backends run the same SQL text
//! (see `backend_shared.rs`) and are checked by one contract-test suite (`tests/contract`).
//!
//! **Durability:** SQLite runs in WAL mode with `synchronous = FULL`, so a commit is on disk
//! (not only in the OS cache) before the call returns, which survives power loss as well as
//! `kill -9`; PostgreSQL keeps its default `synchronous_commit = on`.

mod audit_chain;
mod error;
pub mod auth;
pub mod case_actions;
pub mod editorial;
pub mod inbox;
pub mod intake;
pub mod respondents;
mod migrations;
mod postgres;
mod records;
mod sqlite;

use std::path::{Path, PathBuf};

pub use audit_chain::{canonical_content, entry_hash, StoredAuditRow, GENESIS_HASH};
pub use error::StoreError;

use domain::audit::{Attribution, AuditEntry, AuditEvent, AuditVerification};
use domain::entities::{
    Account, AccountHandle, Assignment, Case, CaseId, CaseStatus, ExternalId, Login, Message,
    MessageId, Network, NewAccount, NewMessage, NewPost, NewUser, Organisation, OrganisationId,
    Post, PostId, RouteId, User, UserId,
};

/// Rows per multi-row INSERT: 1 000 rows of 10 columns stay under SQLite's 32 766 bound
/// parameters and PostgreSQL's 65 535.
pub const MESSAGE_ROWS_PER_STATEMENT: usize = 1_000;

/// The name of the SQLite file in the data directory.
pub const SQLITE_FILE_NAME: &str = "balise.sqlite3";

/// The default database: the SQLite file in the data directory.
pub fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join(SQLITE_FILE_NAME).display())
}

/// The database to use: an explicit URL (command-line flag or `BALISE_DATABASE_URL`) wins;
/// otherwise the SQLite file in `data_dir` (`BALISE_DATA_DIR`, `./data` by default).
pub fn resolve_database_url(explicit_url: Option<&str>, data_dir: Option<&Path>) -> String {
    match explicit_url.filter(|url| !url.trim().is_empty()) {
        Some(url) => url.to_owned(),
        None => default_database_url(data_dir.unwrap_or(Path::new("data"))),
    }
}

/// Where a database URL points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file.
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database (tests).
    SqliteMemory,
    /// A PostgreSQL server.
    Postgres(String),
}

impl DatabaseLocation {
    /// Reads `sqlite://PATH`, `sqlite:PATH`, `sqlite::memory:`, `postgres://…`,
    /// `postgresql://…`, or a bare file path.
    pub fn parse(url: &str) -> Result<DatabaseLocation, StoreError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseLocation::Postgres(url.to_owned()));
        }
        if url == "sqlite::memory:" || url == "sqlite://:memory:" || url == ":memory:" {
            return Ok(DatabaseLocation::SqliteMemory);
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        // Anything else with a scheme is a database we do not support (mysql://, http://…).
        if path.is_empty() || (path == url && url.contains("://")) {
            return Err(StoreError::UnsupportedUrl { url: url.to_owned() });
        }
        // Query parameters (`?mode=rwc`) are sqlx conventions this store sets itself.
        let path = path.split('?').next().unwrap_or(path);
        Ok(DatabaseLocation::SqliteFile(PathBuf::from(path)))
    }
}

/// Which backend a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// What became of one message of a batch given to [`Store::insert_messages`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageInsertion {
    /// Stored now, under this id.
    New(MessageId),
    /// The store already held a message with the same network and external id (or an
    /// earlier copy in the same batch); nothing was written for it.
    AlreadyStored,
}

/// A page of messages: those with an id greater than `after`, at most `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessagePage {
    /// Continue after this id (`None`: from the start).
    pub after: Option<MessageId>,
    /// How many at most.
    pub limit: u32,
}

/// The store: cheap to clone (it holds a connection pool), safe to share between tasks.
#[derive(Clone, Debug)]
pub enum Store {
    /// SQLite backend.
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL backend.
    Postgres(sqlx::PgPool),
}

/// Calls the same-named function of whichever backend the store runs on.
macro_rules! dispatch {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// Opens (creating if needed) the database at `url` and applies its migrations.
    /// See [`DatabaseLocation::parse`] for the accepted forms.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        match DatabaseLocation::parse(url)? {
            DatabaseLocation::SqliteFile(path) => Ok(Store::Sqlite(sqlite::connect_file(&path).await?)),
            DatabaseLocation::SqliteMemory => Ok(Store::Sqlite(sqlite::connect_memory().await?)),
            DatabaseLocation::Postgres(url) => Ok(Store::Postgres(postgres::connect(&url).await?)),
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection, waiting for calls in progress.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
    }

    /// Creates or updates an organisation (audited as created or updated; no entry when
    /// nothing changes).
    pub async fn upsert_organisation(&self, by: &Attribution, organisation: &Organisation) -> Result<(), StoreError> {
        dispatch!(self, upsert_organisation(by, organisation))
    }

    /// An organisation by id.
    pub async fn get_organisation(&self, id: &OrganisationId) -> Result<Option<Organisation>, StoreError> {
        dispatch!(self, get_organisation(id))
    }

    /// Adds an institutional account. Fails with `AlreadyExists` when the network already
    /// has that handle, `ReferenceMissing` when the organisation does not exist.
    pub async fn add_account(&self, by: &Attribution, account: &NewAccount) -> Result<Account, StoreError> {
        dispatch!(self, add_account(by, account))
    }

    /// An account by network and handle (how ingestion finds the receiving account).
    pub async fn find_account(&self, network: &Network, handle: &AccountHandle) -> Result<Option<Account>, StoreError> {
        dispatch!(self, find_account(network, handle))
    }

    /// The organisation's accounts.
    pub async fn list_accounts(&self, organisation_id: &OrganisationId) -> Result<Vec<Account>, StoreError> {
        dispatch!(self, list_accounts(organisation_id))
    }

    /// Stores a batch of messages in one transaction, idempotently on (network, external
    /// id), and returns what became of each, in the batch's order. Durable when it returns.
    /// One audit entry (`messages_received`) lists the new ids. Any size works; batches of
    /// a few thousand are fastest.
    pub async fn insert_messages(&self, by: &Attribution, batch: &[NewMessage]) -> Result<Vec<MessageInsertion>, StoreError> {
        dispatch!(self, insert_messages(by, batch))
    }

    /// A message by id.
    pub async fn get_message(&self, id: MessageId) -> Result<Option<Message>, StoreError> {
        dispatch!(self, get_message(id))
    }

    /// A message by network and external id.
    pub async fn find_message(&self, network: &Network, external_id: &ExternalId) -> Result<Option<Message>, StoreError> {
        dispatch!(self, find_message(network, external_id))
    }

    /// The organisation's messages in id order, one page at a time.
    pub async fn list_messages(&self, organisation_id: &OrganisationId, page: MessagePage) -> Result<Vec<Message>, StoreError> {
        dispatch!(self, list_messages(organisation_id, page))
    }

    /// How many messages the store holds, across organisations.
    pub async fn count_messages(&self) -> Result<u64, StoreError> {
        dispatch!(self, count_messages())
    }

    /// Opens the case of a message (status `open`, no route). `AlreadyExists` if the
    /// message already has one.
    pub async fn open_case(&self, by: &Attribution, message_id: MessageId) -> Result<Case, StoreError> {
        dispatch!(self, open_case(by, message_id))
    }

    /// A case by id.
    pub async fn get_case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        dispatch!(self, get_case(id))
    }

    /// The case opened for a message, if any.
    pub async fn find_case_for_message(&self, message_id: MessageId) -> Result<Option<Case>, StoreError> {
        dispatch!(self, find_case_for_message(message_id))
    }

    /// Sets (or clears) a case's confirmed route; audited with before and after.
    pub async fn set_case_route(&self, by: &Attribution, id: CaseId, route: Option<&RouteId>) -> Result<Case, StoreError> {
        dispatch!(self, set_case_route(by, id, route))
    }

    /// Sets a case's status; audited with before and after.
    pub async fn set_case_status(&self, by: &Attribution, id: CaseId, status: CaseStatus) -> Result<Case, StoreError> {
        dispatch!(self, set_case_status(by, id, status))
    }

    /// Hands a case to a user of the same organisation; recorded in the assignment history
    /// and audited.
    pub async fn assign_case(&self, by: &Attribution, case_id: CaseId, user_id: UserId) -> Result<Assignment, StoreError> {
        dispatch!(self, assign_case(by, case_id, user_id))
    }

    /// A case's assignment history, oldest first.
    pub async fn list_assignments(&self, case_id: CaseId) -> Result<Vec<Assignment>, StoreError> {
        dispatch!(self, list_assignments(case_id))
    }

    /// Adds a user. `AlreadyExists` when the login is taken.
    pub async fn add_user(&self, by: &Attribution, user: &NewUser) -> Result<User, StoreError> {
        dispatch!(self, add_user(by, user))
    }

    /// A user by login.
    pub async fn get_user_by_login(&self, login: &Login) -> Result<Option<User>, StoreError> {
        dispatch!(self, get_user_by_login(login))
    }

    /// Records a post.
    pub async fn add_post(&self, by: &Attribution, post: &NewPost) -> Result<Post, StoreError> {
        dispatch!(self, add_post(by, post))
    }

    /// A post by id.
    pub async fn get_post(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        dispatch!(self, get_post(id))
    }

    /// Appends an entry that goes with no other change in the store (a sign-in, an export,
    /// a reply confirmed and sent through a connector).
    pub async fn record_audit_event(&self, event: &AuditEvent) -> Result<AuditEntry, StoreError> {
        dispatch!(self, record_audit_event(event))
    }

    /// Audit entries with a sequence number greater than `after_sequence`, oldest first.
    pub async fn audit_entries(&self, after_sequence: u64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch!(self, audit_entries(after_sequence, limit))
    }

    /// Walks the whole audit chain and reports the first altered, deleted or inserted entry.
    pub async fn verify_audit_chain(&self) -> Result<AuditVerification, StoreError> {
        dispatch!(self, verify_audit_chain())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn database_urls_are_recognised() {
        assert_eq!(
            DatabaseLocation::parse("sqlite:///var/lib/balise/db.sqlite3").unwrap(),
            DatabaseLocation::SqliteFile(PathBuf::from("/var/lib/balise/db.sqlite3"))
        );
        assert_eq!(
            DatabaseLocation::parse("sqlite://data/balise.sqlite3?mode=rwc").unwrap(),
            DatabaseLocation::SqliteFile(PathBuf::from("data/balise.sqlite3"))
        );
        assert_eq!(
            DatabaseLocation::parse("./balise.db").unwrap(),
            DatabaseLocation::SqliteFile(PathBuf::from("./balise.db"))
        );
        assert_eq!(DatabaseLocation::parse("sqlite::memory:").unwrap(), DatabaseLocation::SqliteMemory);
        assert_eq!(
            DatabaseLocation::parse("postgres://u@127.0.0.1:5432/b").unwrap(),
            DatabaseLocation::Postgres("postgres://u@127.0.0.1:5432/b".into())
        );
        assert!(matches!(
            DatabaseLocation::parse("mysql://localhost/db"),
            Err(StoreError::UnsupportedUrl { .. })
        ));
    }

    #[test]
    fn default_url_is_the_file_in_the_data_directory() {
        assert_eq!(default_database_url(Path::new("data")), "sqlite://data/balise.sqlite3");
        assert_eq!(resolve_database_url(None, None), "sqlite://data/balise.sqlite3");
        assert_eq!(
            resolve_database_url(Some("postgres://x@h/db"), Some(Path::new("/srv"))),
            "postgres://x@h/db"
        );
        assert_eq!(resolve_database_url(Some(""), Some(Path::new("/srv"))), "sqlite:///srv/balise.sqlite3");
    }
}

#[cfg(test)]
mod memory_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use domain::audit::{Actor, Attribution};
    use domain::entities::ProfileId;

    /// `sqlite::memory:` keeps one connection, so what one call writes the next one reads.
    #[tokio::test]
    async fn in_memory_store_keeps_its_state_across_calls() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let organisation = Organisation {
            id: OrganisationId::parse("mamh").unwrap(),
            name: "MAMH".into(),
            profile_id: ProfileId::parse("mamh").unwrap(),
        };
        let by = Attribution::by(Actor::system("test").unwrap());
        store.upsert_organisation(&by, &organisation).await.unwrap();
        let clone = store.clone();
        assert_eq!(clone.get_organisation(&organisation.id).await.unwrap(), Some(organisation));
        assert_eq!(store.verify_audit_chain().await.unwrap(), AuditVerification::Intact { entries: 1 });
    }
}
