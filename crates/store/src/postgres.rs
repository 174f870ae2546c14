//! The PostgreSQL backend: how several Balise instances share one state. Every write
//! transaction first locks the audit chain's head row (`SELECT … FOR UPDATE`), so appends
//! from all instances are serialised and the chain never forks; the lock is taken before any
//! other write, so two transactions can never wait on each other in a cycle.

use sqlx::postgres::PgPoolOptions;

type Db = sqlx::Postgres;

const LOCK_CHAIN_HEAD_SQL: &str =
    "SELECT sequence_number, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";

async fn begin_write_transaction(
    pool: &sqlx::Pool<Db>,
) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    pool.begin().await
}

async fn begin_read_snapshot(
    pool: &sqlx::Pool<Db>,
) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    // One snapshot for the whole walk: the head and every entry are read as of one instant.
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await
}

pub(crate) async fn connect(url: &str) -> Result<sqlx::PgPool, crate::StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(url)
        .await
        .map_err(crate::StoreError::Database)?;
    // sqlx takes an advisory lock while migrating, so instances starting together are safe.
    crate::migrations::postgres().run(&pool).await?;
    Ok(pool)
}

include!("backend_shared.rs");
include!("backend_intake.rs");
include!("backend_respondents.rs");
include!("backend_auth.rs");
include!("backend_case_actions.rs");
include!("backend_editorial.rs");
include!("backend_inbox.rs");
