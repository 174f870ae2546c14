//! The store's error type, and the one place where database constraint violations become
//! domain-level errors. Callers match on variants, never on database messages.

use domain::audit::EntityKind;
use domain::entities::EntityParseError;

/// Everything a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend this store knows.
    #[error("unsupported database URL {url:?}: expected sqlite://PATH, a file path, sqlite::memory: or postgres://…")]
    UnsupportedUrl {
        /// The URL as given.
        url: String,
    },
    /// A record with the same natural key (login, network handle…) already exists.
    #[error("{entity} already exists ({constraint})")]
    AlreadyExists {
        /// What kind of record.
        entity: EntityKind,
        /// The violated constraint or column, as the database names it.
        constraint: String,
    },
    /// The record refers to one that does not exist (an unknown organisation, account…).
    #[error("{entity} refers to a record that does not exist ({detail})")]
    ReferenceMissing {
        /// What kind of record was being written.
        entity: EntityKind,
        /// The database's wording, for the logs.
        detail: String,
    },
    /// A value broke a CHECK or NOT NULL rule of the schema.
    #[error("{entity} holds a value the schema refuses ({detail})")]
    InvalidValue {
        /// What kind of record was being written.
        entity: EntityKind,
        /// The database's wording, for the logs.
        detail: String,
    },
    /// The record asked for does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of record.
        entity: EntityKind,
        /// Its id.
        id: String,
    },
    /// A user was to be assigned a case of another organisation.
    #[error("user {user_id} does not belong to organisation {organisation_id} of case {case_id}")]
    OrganisationMismatch {
        /// The case.
        case_id: i64,
        /// The user.
        user_id: i64,
        /// The case's organisation.
        organisation_id: String,
    },
    /// Something tried to change or delete audit entries; the database refused.
    #[error("the audit log is append-only")]
    AuditLogIsAppendOnly,
    /// A stored value could not be read back as its domain type: the database was edited
    /// by hand or by a newer version.
    #[error("corrupt value in {table}.{column}: {reason}")]
    CorruptRow {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// Why it could not be read.
        reason: String,
    },
    /// A batch was too large or otherwise unusable.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Any other database or connection failure.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl StoreError {
    /// A stable snake_case code for the user-facing layers to translate.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::UnsupportedUrl { .. } => "unsupported_database_url",
            StoreError::AlreadyExists { .. } => "already_exists",
            StoreError::ReferenceMissing { .. } => "reference_missing",
            StoreError::InvalidValue { .. } => "invalid_value",
            StoreError::NotFound { .. } => "not_found",
            StoreError::OrganisationMismatch { .. } => "organisation_mismatch",
            StoreError::AuditLogIsAppendOnly => "audit_log_is_append_only",
            StoreError::CorruptRow { .. } => "corrupt_row",
            StoreError::InvalidRequest(_) => "invalid_request",
            StoreError::Migration(_) => "migration_failed",
            StoreError::Database(_) => "database_error",
        }
    }

    pub(crate) fn corrupt(table: &'static str, column: &'static str, error: EntityParseError) -> Self {
        StoreError::CorruptRow { table, column, reason: error.to_string() }
    }
}

/// THE helper that turns a database error into a domain error: constraint violations by
/// their kind (which sqlx reports the same way for SQLite and PostgreSQL), the audit log's
/// append-only triggers by their message, everything else as [`StoreError::Database`].
pub(crate) fn map_database_error(error: sqlx::Error, entity: EntityKind) -> StoreError {
    if let Some(database_error) = error.as_database_error() {
        let detail = database_error.message().to_owned();
        if detail.contains("audit_log is append-only") {
            return StoreError::AuditLogIsAppendOnly;
        }
        let constraint = database_error.constraint().unwrap_or(detail.as_str()).to_owned();
        match database_error.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                return StoreError::AlreadyExists { entity, constraint };
            }
            sqlx::error::ErrorKind::ForeignKeyViolation => {
                return StoreError::ReferenceMissing { entity, detail };
            }
            sqlx::error::ErrorKind::NotNullViolation | sqlx::error::ErrorKind::CheckViolation => {
                return StoreError::InvalidValue { entity, detail };
            }
            _ => {}
        }
    }
    StoreError::Database(error)
}

/// `.for_entity(kind)?` on a sqlx result: maps through [`map_database_error`].
pub(crate) trait ForEntity<T> {
    fn for_entity(self, entity: EntityKind) -> Result<T, StoreError>;
}

impl<T> ForEntity<T> for Result<T, sqlx::Error> {
    fn for_entity(self, entity: EntityKind) -> Result<T, StoreError> {
        self.map_err(|error| map_database_error(error, entity))
    }
}
