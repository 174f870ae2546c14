//! The SQLite backend: one file in the data directory (or memory, for tests), WAL journal,
//! `synchronous = FULL` so a commit is on disk before the call returns. Write transactions
//! start with `BEGIN IMMEDIATE`, which takes SQLite's single write lock up front: that
//! serialises audit appends and avoids the deadlock of two readers upgrading to writers.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

type Db = sqlx::Sqlite;

const LOCK_CHAIN_HEAD_SQL: &str = "SELECT sequence_number, hash FROM audit_chain_head WHERE id = 1";

async fn begin_write_transaction(
    pool: &sqlx::Pool<Db>,
) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

async fn begin_read_snapshot(
    pool: &sqlx::Pool<Db>,
) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    // A deferred transaction reads one WAL snapshot from its first SELECT to its end.
    pool.begin().await
}

/// How long a writer waits for another's lock before giving up. Imports hold the lock for
/// one batch at a time, well under this.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) async fn connect_file(path: &Path) -> Result<sqlx::SqlitePool, crate::StoreError> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            crate::StoreError::Database(sqlx::Error::Io(error))
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(crate::StoreError::Database)?;
    crate::migrations::sqlite().run(&pool).await?;
    Ok(pool)
}

pub(crate) async fn connect_memory() -> Result<sqlx::SqlitePool, crate::StoreError> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .map_err(crate::StoreError::Database)?
        .foreign_keys(true);
    // Each connection to `:memory:` is its own database: keep exactly one, forever.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .map_err(crate::StoreError::Database)?;
    crate::migrations::sqlite().run(&pool).await?;
    Ok(pool)
}

include!("backend_shared.rs");
include!("backend_intake.rs");
include!("backend_respondents.rs");
include!("backend_auth.rs");
include!("backend_case_actions.rs");
include!("backend_editorial.rs");
include!("backend_inbox.rs");
