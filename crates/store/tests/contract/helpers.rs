//! The contract suite's harness: a fresh database per test on each backend, raw SQL access
//! for the tampering tests, and the rules for when PostgreSQL is missing.
//!
//! PostgreSQL comes from `BALISE_TEST_POSTGRES_URL` (a server where we may create
//! databases; `scripts/postgres.sh` prints one). Each test creates its own uniquely named
//! database and drops it afterwards. Without the variable the PostgreSQL half of each test
//! is skipped with a notice, unless `BALISE_REQUIRE_POSTGRES=1`, in which case it fails.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::audit::{Actor, Attribution};
use domain::entities::{
    AccountHandle, Author, ExternalId, MessageKind, Network, NewAccount, NewMessage,
    Organisation, OrganisationId, ProfileId,
};
use sqlx::Connection;
use store::{Backend, Store};

/// Which backend a test half runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One test's database: the store under test, and its URL for raw access.
#[derive(Clone, Debug)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Opens a second, independent store on the same database, as another Balise
    /// instance (or a restarted process) would.
    pub async fn reopen(&self) -> Store {
        Store::connect(&self.url).await.expect("reopen the test database")
    }

    /// Runs SQL on a raw connection that bypasses the store, as an attacker with database
    /// access would. `sqlite` and `postgres` are the statements for each backend.
    pub async fn raw(&self, sqlite: &str, postgres: &str) -> Result<(), sqlx::Error> {
        match self.backend() {
            Backend::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(sqlite.to_owned())).execute(&mut connection).await?;
                connection.close().await
            }
            Backend::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(postgres.to_owned())).execute(&mut connection).await?;
                connection.close().await
            }
        }
    }

    /// The same raw SQL on both backends.
    pub async fn raw_both(&self, sql: &str) -> Result<(), sqlx::Error> {
        self.raw(sql, sql).await
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|duration| duration.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), nanos)
}

/// The PostgreSQL server to test against, or `None` (after a notice) when there is none and
/// none is required.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("BALISE_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("BALISE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!(
                    "BALISE_REQUIRE_POSTGRES=1 but BALISE_TEST_POSTGRES_URL is not set: \
                     start a server with scripts/postgres.sh and export its URL"
                );
            }
            eprintln!(
                "NOTICE: BALISE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL half of this test"
            );
            None
        }
    }
}

/// `postgres://user@host:port/olddb?x` with the database replaced by `database`.
fn with_database(admin_url: &str, database: &str) -> String {
    let (scheme, rest) = admin_url.split_once("://").expect("a postgres:// URL");
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

/// When set, a test half runs on this existing database instead of a fresh one and leaves
/// it in place: the durability test re-runs itself as a child process this way.
pub const REUSE_DATABASE_URL_VARIABLE: &str = "BALISE_CONTRACT_REUSE_DATABASE_URL";

/// Runs one test half on a fresh database of `kind`, then removes the database, even when
/// the test panics (the panic is then resumed).
pub async fn run<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if let Ok(url) = std::env::var(REUSE_DATABASE_URL_VARIABLE) {
        let store = Store::connect(&url).await.expect("open the database to reuse");
        test(TestDb { store, url }).await;
        return;
    }
    match kind {
        Kind::Sqlite => {
            let directory = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", directory.path().join("contract.sqlite3").display());
            let store = Store::connect(&url).await.expect("open SQLite");
            let outcome = tokio::spawn(test(TestDb { store: store.clone(), url })).await;
            store.close().await;
            drop(directory);
            if let Err(error) = outcome {
                std::panic::resume_unwind(error.into_panic());
            }
        }
        Kind::Postgres => {
            let Some(admin_url) = postgres_admin_url() else { return };
            let database = format!("balise_test_{}", unique_suffix());
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to BALISE_TEST_POSTGRES_URL");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
                .execute(&mut admin)
                .await
                .expect("create the test database");
            let url = with_database(&admin_url, &database);
            let store = Store::connect(&url).await.expect("open PostgreSQL");
            let outcome = tokio::spawn(test(TestDb { store: store.clone(), url })).await;
            store.close().await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{database}\" WITH (FORCE)")))
                .execute(&mut admin)
                .await
                .expect("drop the test database");
            if let Err(error) = outcome {
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }
}

/// Declares a contract test: `contract_test!(name)` runs `async fn name(db: TestDb)` once on
/// SQLite and once on PostgreSQL, as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! contract_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::helpers::run($crate::helpers::Kind::Sqlite, super::$name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::helpers::run($crate::helpers::Kind::Postgres, super::$name).await
            }
        }
    };
}

// ------------------------------------------------------------------ fixtures

pub fn system() -> Attribution {
    Attribution::by(Actor::system("test").expect("valid component"))
}

pub fn organisation(id: &str) -> Organisation {
    Organisation {
        id: OrganisationId::parse(id).expect("valid id"),
        name: format!("Organisme {id}"),
        profile_id: ProfileId::parse("mamh").expect("valid id"),
    }
}

pub fn network(name: &str) -> Network {
    Network::parse(name).expect("valid network")
}

pub fn external(id: &str) -> ExternalId {
    ExternalId::parse(id).expect("valid external id")
}

/// An organisation with one Facebook account; returns the account.
pub async fn organisation_with_account(store: &Store, id: &str) -> domain::entities::Account {
    store.upsert_organisation(&system(), &organisation(id)).await.expect("organisation");
    store
        .add_account(
            &system(),
            &NewAccount {
                organisation_id: OrganisationId::parse(id).expect("valid id"),
                network: network("facebook"),
                handle: AccountHandle::parse(&format!("@{id}")).expect("valid handle"),
            },
        )
        .await
        .expect("account")
}

pub fn message(account: &domain::entities::Account, external_id: &str, text: &str) -> NewMessage {
    NewMessage {
        network: account.network.clone(),
        account_id: account.id,
        external_id: external(external_id),
        thread: Some(external("post-1")),
        author: Author {
            external_id: external(&format!("author-{}", external_id.len() % 7)),
            display_name: "Jeanne Citoyenne".into(),
        },
        text: text.into(),
        kind: MessageKind::Comment,
        received_at: "2026-03-02T14:05:06.123456Z".parse().expect("valid time"),
    }
}

/// How many entries the audit log holds.
pub async fn audit_count(store: &Store) -> u64 {
    let mut count = 0;
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, 500).await.expect("audit entries");
        let Some(last) = page.last() else { return count };
        after = last.sequence;
        count += page.len() as u64;
    }
}
