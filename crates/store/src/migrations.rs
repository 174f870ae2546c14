//! The migrations of each backend, embedded in the binary at compile time so a deployed
//! `balise` needs no source tree (sqlx's `migrate!` macro would need its `macros` feature,
//! which the workspace leaves off).

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::SqlStr;

fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            migrations
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        SqlStr::from_static(sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

/// SQLite migrations, in order.
pub(crate) fn sqlite() -> Migrator {
    migrator(&[
        (1, "initial", include_str!("../migrations/sqlite/0001_initial.sql")),
        (2, "intake", include_str!("../migrations/sqlite/0002_intake.sql")),
        (3, "respondents", include_str!("../migrations/sqlite/0003_respondents.sql")),
        (4, "auth", include_str!("../migrations/sqlite/0004_auth.sql")),
        (5, "case_actions", include_str!("../migrations/sqlite/0005_case_actions.sql")),
        (6, "editorial", include_str!("../migrations/sqlite/0006_editorial.sql")),
        (7, "inbox", include_str!("../migrations/sqlite/0007_inbox.sql")),
        (8, "oidc", include_str!("../migrations/sqlite/0008_oidc.sql")),
        (9, "inbox_sector", include_str!("../migrations/sqlite/0009_inbox_sector.sql")),
        (10, "oidc_pending", include_str!("../migrations/sqlite/0010_oidc_pending.sql")),
    ])
}

/// PostgreSQL migrations, in order.
pub(crate) fn postgres() -> Migrator {
    migrator(&[
        (1, "initial", include_str!("../migrations/postgres/0001_initial.sql")),
        (2, "intake", include_str!("../migrations/postgres/0002_intake.sql")),
        (3, "respondents", include_str!("../migrations/postgres/0003_respondents.sql")),
        (4, "auth", include_str!("../migrations/postgres/0004_auth.sql")),
        (5, "case_actions", include_str!("../migrations/postgres/0005_case_actions.sql")),
        (6, "editorial", include_str!("../migrations/postgres/0006_editorial.sql")),
        (7, "inbox", include_str!("../migrations/postgres/0007_inbox.sql")),
        (8, "oidc", include_str!("../migrations/postgres/0008_oidc.sql")),
        (9, "inbox_sector", include_str!("../migrations/postgres/0009_inbox_sector.sql")),
        (10, "oidc_pending", include_str!("../migrations/postgres/0010_oidc_pending.sql")),
    ])
}
