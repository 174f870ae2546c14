// The body of a backend, written once and compiled twice: `sqlite.rs` and `postgres.rs` each
// `include!` this file after defining `Db`, `begin_write_transaction`, `begin_read_snapshot`
// and `LOCK_CHAIN_HEAD_SQL`. Both backends accept the same SQL (`$n` placeholders,
// `ON CONFLICT`, `RETURNING`), so only those few items differ. Included files cannot hold
// inner doc comments; the module documentation is in the including files.

use std::collections::HashMap;

use sqlx::{Pool, QueryBuilder, Row, Transaction};

use domain::audit::{
    Actor, Attribution, AuditAction, AuditEntry, AuditEvent, AuditVerification, EntityKind,
};
use domain::entities::{
    Account, AccountHandle, AccountId, Assignment, AssignmentId, Author, Case, CaseId,
    CaseStatus, ExternalId, Login, Message, MessageId, MessageKind, Network, NewAccount,
    NewMessage, NewPost, NewUser, Organisation, OrganisationId, PasswordHash, Post, PostId,
    PostStatus, ProfileId, RoleId, RouteId, User, UserId,
};

use crate::audit_chain::{entry_hash, ChainWalker, StoredAuditRow};
use crate::error::{ForEntity, StoreError};
use crate::records::{
    account_json, assignment_json, case_json, from_microseconds, now_truncated,
    organisation_json, post_json, to_microseconds, user_json,
};
use crate::{MessageInsertion, MessagePage, MESSAGE_ROWS_PER_STATEMENT};

/// A write transaction that holds the audit chain's head: every state change goes through
/// one, so its audit entries are appended in the same transaction and in a single order.
struct WriteTransaction {
    transaction: Transaction<'static, Db>,
    head_sequence: i64,
    head_hash: String,
    now: jiff::Timestamp,
}

impl WriteTransaction {
    async fn begin(pool: &Pool<Db>) -> Result<Self, StoreError> {
        let mut transaction = begin_write_transaction(pool).await.map_err(StoreError::Database)?;
        let head = sqlx::query(LOCK_CHAIN_HEAD_SQL)
            .fetch_one(&mut *transaction)
            .await
            .map_err(StoreError::Database)?;
        let head_sequence: i64 = head.try_get("sequence_number").map_err(StoreError::Database)?;
        let head_hash: String = head.try_get("hash").map_err(StoreError::Database)?;
        // The time is read after the head is locked, so entry times never go backwards
        // along the chain (unless the system clock does).
        Ok(WriteTransaction { transaction, head_sequence, head_hash, now: now_truncated() })
    }

    async fn append(&mut self, event: &AuditEvent) -> Result<AuditEntry, StoreError> {
        let sequence = self.head_sequence + 1;
        let mut row = StoredAuditRow {
            sequence,
            at_microseconds: to_microseconds(self.now),
            actor: event.attribution.actor.to_audit_text(),
            action: event.action.as_str().to_owned(),
            entity_kind: event.entity_kind.code().to_owned(),
            entity_id: event.entity_id.clone(),
            before_json: event.before_json.clone(),
            after_json: event.after_json.clone(),
            rule: event.attribution.rule.clone(),
            prev_hash: self.head_hash.clone(),
            hash: String::new(),
        };
        row.hash = entry_hash(&row.prev_hash, &row);
        sqlx::query(
            "INSERT INTO audit_log (sequence_number, at, actor, action, entity_kind, entity_id, \
             before_json, after_json, rule, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(row.sequence)
        .bind(row.at_microseconds)
        .bind(&row.actor)
        .bind(&row.action)
        .bind(&row.entity_kind)
        .bind(&row.entity_id)
        .bind(&row.before_json)
        .bind(&row.after_json)
        .bind(&row.rule)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .execute(&mut *self.transaction)
        .await
        .map_err(StoreError::Database)?;
        self.head_sequence = sequence;
        self.head_hash = row.hash.clone();
        Ok(AuditEntry {
            sequence: u64::try_from(sequence).unwrap_or(0),
            at: self.now,
            event: event.clone(),
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
    }

    async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_chain_head SET sequence_number = $1, hash = $2 WHERE id = 1")
            .bind(self.head_sequence)
            .bind(&self.head_hash)
            .execute(&mut *self.transaction)
            .await
            .map_err(StoreError::Database)?;
        self.transaction.commit().await.map_err(StoreError::Database)
    }
}

fn event(
    by: &Attribution,
    action: &str,
    entity_kind: EntityKind,
    entity_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
) -> Result<AuditEvent, StoreError> {
    let action = AuditAction::parse(action)
        .map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
    Ok(AuditEvent { attribution: by.clone(), action, entity_kind, entity_id, before_json, after_json })
}

fn corrupt(table: &'static str, column: &'static str) -> impl Fn(domain::entities::EntityParseError) -> StoreError {
    move |error| StoreError::corrupt(table, column, error)
}

fn get<T>(row: &<Db as sqlx::Database>::Row, column: &'static str) -> Result<T, StoreError>
where
    T: for<'r> sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(column).map_err(StoreError::Database)
}

// ---------------------------------------------------------------- organisations, accounts

pub(crate) async fn upsert_organisation(
    pool: &Pool<Db>,
    by: &Attribution,
    organisation: &Organisation,
) -> Result<(), StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let before = fetch_organisation(&mut *write.transaction, &organisation.id).await?;
    if before.as_ref() == Some(organisation) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO organisations (id, name, profile_id) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, profile_id = excluded.profile_id",
    )
    .bind(organisation.id.as_str())
    .bind(&organisation.name)
    .bind(organisation.profile_id.as_str())
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Organisation)?;
    let action = if before.is_some() { "organisation_updated" } else { "organisation_created" };
    write
        .append(&event(
            by,
            action,
            EntityKind::Organisation,
            organisation.id.to_string(),
            before.as_ref().map(organisation_json),
            Some(organisation_json(organisation)),
        )?)
        .await?;
    write.commit().await
}

async fn fetch_organisation(
    executor: impl sqlx::Executor<'_, Database = Db>,
    id: &OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    let row = sqlx::query("SELECT id, name, profile_id FROM organisations WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(executor)
        .await
        .map_err(StoreError::Database)?;
    row.map(|row| {
        Ok(Organisation {
            id: OrganisationId::parse(&get::<String>(&row, "id")?)
                .map_err(corrupt("organisations", "id"))?,
            name: get(&row, "name")?,
            profile_id: ProfileId::parse(&get::<String>(&row, "profile_id")?)
                .map_err(corrupt("organisations", "profile_id"))?,
        })
    })
    .transpose()
}

pub(crate) async fn get_organisation(
    pool: &Pool<Db>,
    id: &OrganisationId,
) -> Result<Option<Organisation>, StoreError> {
    fetch_organisation(pool, id).await
}

fn account_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Account, StoreError> {
    Ok(Account {
        id: AccountId::new(get(row, "id")?),
        organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
            .map_err(corrupt("accounts", "organisation_id"))?,
        network: Network::parse(&get::<String>(row, "network")?)
            .map_err(corrupt("accounts", "network"))?,
        handle: AccountHandle::parse(&get::<String>(row, "handle")?)
            .map_err(corrupt("accounts", "handle"))?,
    })
}

pub(crate) async fn add_account(
    pool: &Pool<Db>,
    by: &Attribution,
    new_account: &NewAccount,
) -> Result<Account, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let row = sqlx::query(
        "INSERT INTO accounts (organisation_id, network, handle) VALUES ($1, $2, $3) \
         RETURNING id, organisation_id, network, handle",
    )
    .bind(new_account.organisation_id.as_str())
    .bind(new_account.network.as_str())
    .bind(new_account.handle.as_str())
    .fetch_one(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Account)?;
    let account = account_from_row(&row)?;
    write
        .append(&event(
            by,
            "account_added",
            EntityKind::Account,
            account.id.to_string(),
            None,
            Some(account_json(&account)),
        )?)
        .await?;
    write.commit().await?;
    Ok(account)
}

pub(crate) async fn find_account(
    pool: &Pool<Db>,
    network: &Network,
    handle: &AccountHandle,
) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(
        "SELECT id, organisation_id, network, handle FROM accounts WHERE network = $1 AND handle = $2",
    )
    .bind(network.as_str())
    .bind(handle.as_str())
    .fetch_optional(pool)
    .await
    .map_err(StoreError::Database)?;
    row.as_ref().map(account_from_row).transpose()
}

pub(crate) async fn list_accounts(
    pool: &Pool<Db>,
    organisation_id: &OrganisationId,
) -> Result<Vec<Account>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, organisation_id, network, handle FROM accounts WHERE organisation_id = $1 ORDER BY id",
    )
    .bind(organisation_id.as_str())
    .fetch_all(pool)
    .await
    .map_err(StoreError::Database)?;
    rows.iter().map(account_from_row).collect()
}

// ---------------------------------------------------------------- messages

pub(crate) async fn insert_messages(
    pool: &Pool<Db>,
    by: &Attribution,
    batch: &[NewMessage],
) -> Result<Vec<MessageInsertion>, StoreError> {
    insert_message_rows(pool, by, batch, |message| message, |_| false).await
}

/// Stores a batch of messages idempotently on (network, external id), with each record's
/// `automatic` flag, and audits the new ones in the same transaction. Shared by
/// `insert_messages` and the intake's `insert_incoming`, whose records wrap a `NewMessage`.
async fn insert_message_rows<T>(
    pool: &Pool<Db>,
    by: &Attribution,
    batch: &[T],
    message_of: fn(&T) -> &NewMessage,
    automatic_of: fn(&T) -> bool,
) -> Result<Vec<MessageInsertion>, StoreError> {
    let mut outcomes = vec![MessageInsertion::AlreadyStored; batch.len()];
    if batch.is_empty() {
        return Ok(outcomes);
    }
    // The first occurrence of each (network, external id) in the batch is the one that can
    // be new; later copies in the same batch are duplicates of it.
    let mut first_index_by_key: HashMap<(&str, &str), usize> = HashMap::with_capacity(batch.len());
    for (index, record) in batch.iter().enumerate() {
        let message = message_of(record);
        first_index_by_key
            .entry((message.network.as_str(), message.external_id.as_str()))
            .or_insert(index);
    }
    let mut latest_author_name: HashMap<(&str, &str), &str> = HashMap::new();
    for record in batch {
        let message = message_of(record);
        latest_author_name.insert(
            (message.network.as_str(), message.author.external_id.as_str()),
            message.author.display_name.as_str(),
        );
    }
    let authors: Vec<_> = latest_author_name.into_iter().collect();

    let mut write = WriteTransaction::begin(pool).await?;
    let stored_at = to_microseconds(write.now);

    for chunk in authors.chunks(MESSAGE_ROWS_PER_STATEMENT) {
        let mut builder: QueryBuilder<Db> =
            QueryBuilder::new("INSERT INTO authors (network, external_id, display_name) ");
        builder.push_values(chunk, |mut values, ((network, external_id), display_name)| {
            values.push_bind(*network).push_bind(*external_id).push_bind(*display_name);
        });
        builder.push(
            " ON CONFLICT (network, external_id) DO UPDATE SET display_name = excluded.display_name \
             WHERE authors.display_name <> excluded.display_name",
        );
        builder
            .build()
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Message)?;
    }

    let mut new_ids: Vec<i64> = Vec::new();
    for chunk in batch.chunks(MESSAGE_ROWS_PER_STATEMENT) {
        let mut builder: QueryBuilder<Db> = QueryBuilder::new(
            "INSERT INTO messages (network, account_id, external_id, thread_external_id, \
             author_external_id, author_display_name, text, kind, received_at, stored_at, automatic) ",
        );
        builder.push_values(chunk, |mut values, record| {
            let message = message_of(record);
            values
                .push_bind(message.network.as_str())
                .push_bind(message.account_id.get())
                .push_bind(message.external_id.as_str())
                .push_bind(message.thread.as_ref().map(|thread| thread.as_str()))
                .push_bind(message.author.external_id.as_str())
                .push_bind(message.author.display_name.as_str())
                .push_bind(message.text.as_str())
                .push_bind(message.kind.code())
                .push_bind(to_microseconds(message.received_at))
                .push_bind(stored_at)
                .push_bind(automatic_of(record));
        });
        builder.push(" ON CONFLICT (network, external_id) DO NOTHING RETURNING id, network, external_id");
        let rows = builder
            .build()
            .fetch_all(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Message)?;
        for row in rows {
            let id: i64 = get(&row, "id")?;
            let network: String = get(&row, "network")?;
            let external_id: String = get(&row, "external_id")?;
            if let Some(index) = first_index_by_key.get(&(network.as_str(), external_id.as_str())) {
                outcomes[*index] = MessageInsertion::New(MessageId::new(id));
                new_ids.push(id);
            }
        }
    }

    new_ids.sort_unstable();
    if let (Some(&first), Some(&last)) = (new_ids.first(), new_ids.last()) {
        let after = serde_json::json!({ "count": new_ids.len(), "message_ids": new_ids }).to_string();
        write
            .append(&event(
                by,
                "messages_received",
                EntityKind::MessageBatch,
                format!("{first}..{last}"),
                None,
                Some(after),
            )?)
            .await?;
        write.commit().await?;
    }
    // With nothing new there is nothing to commit; dropping the transaction rolls back the
    // author upserts, which only repeated what the duplicates already recorded.
    Ok(outcomes)
}

const MESSAGE_COLUMNS: &str = "m.id, a.organisation_id, m.network, m.account_id, m.external_id, \
     m.thread_external_id, m.author_external_id, m.author_display_name, m.text, m.kind, \
     m.received_at, m.stored_at";

fn message_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Message, StoreError> {
    let thread: Option<String> = get(row, "thread_external_id")?;
    Ok(Message {
        id: MessageId::new(get(row, "id")?),
        organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
            .map_err(corrupt("accounts", "organisation_id"))?,
        received: NewMessage {
            network: Network::parse(&get::<String>(row, "network")?)
                .map_err(corrupt("messages", "network"))?,
            account_id: AccountId::new(get(row, "account_id")?),
            external_id: ExternalId::parse(&get::<String>(row, "external_id")?)
                .map_err(corrupt("messages", "external_id"))?,
            thread: thread
                .as_deref()
                .map(ExternalId::parse)
                .transpose()
                .map_err(corrupt("messages", "thread_external_id"))?,
            author: Author {
                external_id: ExternalId::parse(&get::<String>(row, "author_external_id")?)
                    .map_err(corrupt("messages", "author_external_id"))?,
                display_name: get(row, "author_display_name")?,
            },
            text: get(row, "text")?,
            kind: MessageKind::parse(&get::<String>(row, "kind")?)
                .map_err(corrupt("messages", "kind"))?,
            received_at: from_microseconds("messages", "received_at", get(row, "received_at")?)?,
        },
        stored_at: from_microseconds("messages", "stored_at", get(row, "stored_at")?)?,
    })
}

pub(crate) async fn get_message(pool: &Pool<Db>, id: MessageId) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
    row.as_ref().map(message_from_row).transpose()
}

pub(crate) async fn find_message(
    pool: &Pool<Db>,
    network: &Network,
    external_id: &ExternalId,
) -> Result<Option<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id \
         WHERE m.network = $1 AND m.external_id = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(network.as_str())
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
    row.as_ref().map(message_from_row).transpose()
}

pub(crate) async fn list_messages(
    pool: &Pool<Db>,
    organisation_id: &OrganisationId,
    page: MessagePage,
) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id \
         WHERE a.organisation_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(organisation_id.as_str())
        .bind(page.after.map_or(0, MessageId::get))
        .bind(i64::from(page.limit))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
    rows.iter().map(message_from_row).collect()
}

pub(crate) async fn count_messages(pool: &Pool<Db>) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(pool)
        .await
        .map_err(StoreError::Database)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

// ---------------------------------------------------------------- cases and assignments

const CASE_COLUMNS: &str =
    "id, organisation_id, message_id, route, status, assignee_user_id, opened_at, updated_at";

fn case_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Case, StoreError> {
    let route: Option<String> = get(row, "route")?;
    let assignee: Option<i64> = get(row, "assignee_user_id")?;
    Ok(Case {
        id: CaseId::new(get(row, "id")?),
        organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
            .map_err(corrupt("cases", "organisation_id"))?,
        message_id: MessageId::new(get(row, "message_id")?),
        route: route.as_deref().map(RouteId::parse).transpose().map_err(corrupt("cases", "route"))?,
        status: CaseStatus::parse(&get::<String>(row, "status")?)
            .map_err(corrupt("cases", "status"))?,
        assignee: assignee.map(UserId::new),
        opened_at: from_microseconds("cases", "opened_at", get(row, "opened_at")?)?,
        updated_at: from_microseconds("cases", "updated_at", get(row, "updated_at")?)?,
    })
}

async fn fetch_case(
    executor: impl sqlx::Executor<'_, Database = Db>,
    id: CaseId,
) -> Result<Option<Case>, StoreError> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_optional(executor)
        .await
        .map_err(StoreError::Database)?;
    row.as_ref().map(case_from_row).transpose()
}

pub(crate) async fn get_case(pool: &Pool<Db>, id: CaseId) -> Result<Option<Case>, StoreError> {
    fetch_case(pool, id).await
}

pub(crate) async fn find_case_for_message(
    pool: &Pool<Db>,
    message_id: MessageId,
) -> Result<Option<Case>, StoreError> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE message_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(message_id.get())
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
    row.as_ref().map(case_from_row).transpose()
}

pub(crate) async fn open_case(
    pool: &Pool<Db>,
    by: &Attribution,
    message_id: MessageId,
) -> Result<Case, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let organisation: Option<String> = sqlx::query_scalar(
        "SELECT a.organisation_id FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1",
    )
    .bind(message_id.get())
    .fetch_optional(&mut *write.transaction)
    .await
    .map_err(StoreError::Database)?;
    let Some(organisation) = organisation else {
        return Err(StoreError::NotFound { entity: EntityKind::Message, id: message_id.to_string() });
    };
    let now = to_microseconds(write.now);
    let sql = format!(
        "INSERT INTO cases (organisation_id, message_id, route, status, assignee_user_id, opened_at, updated_at) \
         VALUES ($1, $2, NULL, $3, NULL, $4, $4) RETURNING {CASE_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&organisation)
        .bind(message_id.get())
        .bind(CaseStatus::Open.code())
        .bind(now)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
    let case = case_from_row(&row)?;
    write
        .append(&event(by, "case_opened", EntityKind::Case, case.id.to_string(), None, Some(case_json(&case)))?)
        .await?;
    write.commit().await?;
    Ok(case)
}

/// Applies `change` to a case inside a write transaction and audits before and after.
async fn change_case(
    pool: &Pool<Db>,
    by: &Attribution,
    id: CaseId,
    action: &str,
    set_sql: &'static str,
    bind_value: Option<String>,
) -> Result<Case, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let Some(before) = fetch_case(&mut *write.transaction, id).await? else {
        return Err(StoreError::NotFound { entity: EntityKind::Case, id: id.to_string() });
    };
    let sql = format!("UPDATE cases SET {set_sql}, updated_at = $2 WHERE id = $3 RETURNING {CASE_COLUMNS}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(bind_value)
        .bind(to_microseconds(write.now))
        .bind(id.get())
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
    let after = case_from_row(&row)?;
    write
        .append(&event(
            by,
            action,
            EntityKind::Case,
            id.to_string(),
            Some(case_json(&before)),
            Some(case_json(&after)),
        )?)
        .await?;
    write.commit().await?;
    Ok(after)
}

pub(crate) async fn set_case_route(
    pool: &Pool<Db>,
    by: &Attribution,
    id: CaseId,
    route: Option<&RouteId>,
) -> Result<Case, StoreError> {
    change_case(pool, by, id, "case_route_set", "route = $1", route.map(|route| route.to_string())).await
}

pub(crate) async fn set_case_status(
    pool: &Pool<Db>,
    by: &Attribution,
    id: CaseId,
    status: CaseStatus,
) -> Result<Case, StoreError> {
    change_case(pool, by, id, "case_status_set", "status = $1", Some(status.code().to_owned())).await
}

fn assignment_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Assignment, StoreError> {
    Ok(Assignment {
        id: AssignmentId::new(get(row, "id")?),
        case_id: CaseId::new(get(row, "case_id")?),
        user_id: UserId::new(get(row, "user_id")?),
        assigned_at: from_microseconds("assignments", "assigned_at", get(row, "assigned_at")?)?,
    })
}

pub(crate) async fn assign_case(
    pool: &Pool<Db>,
    by: &Attribution,
    case_id: CaseId,
    user_id: UserId,
) -> Result<Assignment, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let Some(before) = fetch_case(&mut *write.transaction, case_id).await? else {
        return Err(StoreError::NotFound { entity: EntityKind::Case, id: case_id.to_string() });
    };
    let user_organisation: Option<String> =
        sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
            .bind(user_id.get())
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
    match user_organisation {
        None => return Err(StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() }),
        Some(organisation) if organisation != before.organisation_id.as_str() => {
            return Err(StoreError::OrganisationMismatch {
                case_id: case_id.get(),
                user_id: user_id.get(),
                organisation_id: before.organisation_id.to_string(),
            });
        }
        Some(_) => {}
    }
    let now = to_microseconds(write.now);
    let row = sqlx::query(
        "INSERT INTO assignments (case_id, user_id, assigned_at) VALUES ($1, $2, $3) \
         RETURNING id, case_id, user_id, assigned_at",
    )
    .bind(case_id.get())
    .bind(user_id.get())
    .bind(now)
    .fetch_one(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Case)?;
    let assignment = assignment_from_row(&row)?;
    let sql = format!(
        "UPDATE cases SET assignee_user_id = $1, updated_at = $2 WHERE id = $3 RETURNING {CASE_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id.get())
        .bind(now)
        .bind(case_id.get())
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
    let after = case_from_row(&row)?;
    let after_json = serde_json::json!({
        "case": serde_json::from_str::<serde_json::Value>(&case_json(&after)).unwrap_or_default(),
        "assignment": serde_json::from_str::<serde_json::Value>(&assignment_json(&assignment)).unwrap_or_default(),
    })
    .to_string();
    write
        .append(&event(
            by,
            "case_assigned",
            EntityKind::Case,
            case_id.to_string(),
            Some(case_json(&before)),
            Some(after_json),
        )?)
        .await?;
    write.commit().await?;
    Ok(assignment)
}

pub(crate) async fn list_assignments(
    pool: &Pool<Db>,
    case_id: CaseId,
) -> Result<Vec<Assignment>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, user_id, assigned_at FROM assignments WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id.get())
    .fetch_all(pool)
    .await
    .map_err(StoreError::Database)?;
    rows.iter().map(assignment_from_row).collect()
}

// ---------------------------------------------------------------- users and posts

fn user_from_row(row: &<Db as sqlx::Database>::Row) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::new(get(row, "id")?),
        organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
            .map_err(corrupt("users", "organisation_id"))?,
        login: Login::parse(&get::<String>(row, "login")?).map_err(corrupt("users", "login"))?,
        display_name: get(row, "display_name")?,
        role: RoleId::parse(&get::<String>(row, "role")?).map_err(corrupt("users", "role"))?,
        password_hash: PasswordHash::parse(&get::<String>(row, "password_hash")?)
            .map_err(corrupt("users", "password_hash"))?,
    })
}

pub(crate) async fn add_user(
    pool: &Pool<Db>,
    by: &Attribution,
    new_user: &NewUser,
) -> Result<User, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let row = sqlx::query(
        "INSERT INTO users (organisation_id, login, display_name, role, password_hash) \
         VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, organisation_id, login, display_name, role, password_hash",
    )
    .bind(new_user.organisation_id.as_str())
    .bind(new_user.login.as_str())
    .bind(&new_user.display_name)
    .bind(new_user.role.as_str())
    .bind(new_user.password_hash.expose())
    .fetch_one(&mut *write.transaction)
    .await
    .for_entity(EntityKind::User)?;
    let user = user_from_row(&row)?;
    write
        .append(&event(by, "user_added", EntityKind::User, user.id.to_string(), None, Some(user_json(&user)))?)
        .await?;
    write.commit().await?;
    Ok(user)
}

pub(crate) async fn get_user_by_login(pool: &Pool<Db>, login: &Login) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(
        "SELECT id, organisation_id, login, display_name, role, password_hash FROM users WHERE login = $1",
    )
    .bind(login.as_str())
    .fetch_optional(pool)
    .await
    .map_err(StoreError::Database)?;
    row.as_ref().map(user_from_row).transpose()
}

fn post_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Post, StoreError> {
    let account: Option<i64> = get(row, "account_id")?;
    Ok(Post {
        id: PostId::new(get(row, "id")?),
        organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
            .map_err(corrupt("posts", "organisation_id"))?,
        account_id: account.map(AccountId::new),
        text: get(row, "text")?,
        status: PostStatus::parse(&get::<String>(row, "status")?).map_err(corrupt("posts", "status"))?,
        created_at: from_microseconds("posts", "created_at", get(row, "created_at")?)?,
    })
}

pub(crate) async fn add_post(pool: &Pool<Db>, by: &Attribution, new_post: &NewPost) -> Result<Post, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let row = sqlx::query(
        "INSERT INTO posts (organisation_id, account_id, text, status, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id, organisation_id, account_id, text, status, created_at",
    )
    .bind(new_post.organisation_id.as_str())
    .bind(new_post.account_id.map(AccountId::get))
    .bind(&new_post.text)
    .bind(new_post.status.code())
    .bind(to_microseconds(write.now))
    .fetch_one(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Post)?;
    let post = post_from_row(&row)?;
    write
        .append(&event(by, "post_added", EntityKind::Post, post.id.to_string(), None, Some(post_json(&post)))?)
        .await?;
    write.commit().await?;
    Ok(post)
}

pub(crate) async fn get_post(pool: &Pool<Db>, id: PostId) -> Result<Option<Post>, StoreError> {
    let row = sqlx::query(
        "SELECT id, organisation_id, account_id, text, status, created_at FROM posts WHERE id = $1",
    )
    .bind(id.get())
    .fetch_optional(pool)
    .await
    .map_err(StoreError::Database)?;
    row.as_ref().map(post_from_row).transpose()
}

// ---------------------------------------------------------------- audit log

pub(crate) async fn record_audit_event(pool: &Pool<Db>, audit_event: &AuditEvent) -> Result<AuditEntry, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let entry = write.append(audit_event).await?;
    write.commit().await?;
    Ok(entry)
}

const AUDIT_COLUMNS: &str = "sequence_number, at, actor, action, entity_kind, entity_id, \
     before_json, after_json, rule, prev_hash, hash";

fn audit_row_from_row(row: &<Db as sqlx::Database>::Row) -> Result<StoredAuditRow, StoreError> {
    Ok(StoredAuditRow {
        sequence: get(row, "sequence_number")?,
        at_microseconds: get(row, "at")?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        entity_kind: get(row, "entity_kind")?,
        entity_id: get(row, "entity_id")?,
        before_json: get(row, "before_json")?,
        after_json: get(row, "after_json")?,
        rule: get(row, "rule")?,
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

fn audit_entry_from_stored(row: StoredAuditRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        sequence: u64::try_from(row.sequence).map_err(|_| StoreError::CorruptRow {
            table: "audit_log",
            column: "sequence_number",
            reason: format!("negative sequence number {}", row.sequence),
        })?,
        at: from_microseconds("audit_log", "at", row.at_microseconds)?,
        event: AuditEvent {
            attribution: Attribution {
                actor: Actor::parse_audit_text(&row.actor).map_err(corrupt("audit_log", "actor"))?,
                rule: row.rule,
            },
            action: AuditAction::parse(&row.action).map_err(corrupt("audit_log", "action"))?,
            entity_kind: EntityKind::parse(&row.entity_kind).map_err(corrupt("audit_log", "entity_kind"))?,
            entity_id: row.entity_id,
            before_json: row.before_json,
            after_json: row.after_json,
        },
        prev_hash: row.prev_hash,
        hash: row.hash,
    })
}

pub(crate) async fn audit_entries(
    pool: &Pool<Db>,
    after_sequence: u64,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE sequence_number > $1 ORDER BY sequence_number LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::try_from(after_sequence).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
    rows.iter().map(|row| audit_entry_from_stored(audit_row_from_row(row)?)).collect()
}

/// Walks the whole log inside one read snapshot, so concurrent appends neither show up
/// half-way nor look like entries beyond the head.
pub(crate) async fn verify_audit_chain(pool: &Pool<Db>) -> Result<AuditVerification, StoreError> {
    const PAGE: i64 = 2_000;
    let mut snapshot = begin_read_snapshot(pool).await.map_err(StoreError::Database)?;
    let head = sqlx::query("SELECT sequence_number, hash FROM audit_chain_head WHERE id = 1")
        .fetch_one(&mut *snapshot)
        .await
        .map_err(StoreError::Database)?;
    let head_sequence: i64 = get(&head, "sequence_number")?;
    let head_hash: String = get(&head, "hash")?;
    let mut walker = ChainWalker::new();
    let mut after: i64 = -1;
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE sequence_number > $1 ORDER BY sequence_number LIMIT $2"
    );
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&mut *snapshot)
            .await
            .map_err(StoreError::Database)?;
        let fetched = rows.len();
        for row in &rows {
            let stored = audit_row_from_row(row)?;
            after = stored.sequence;
            walker.push(stored);
        }
        if walker.broken().is_some() || fetched < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    snapshot.rollback().await.map_err(StoreError::Database)?;
    Ok(match walker.finish(head_sequence, &head_hash) {
        Ok(entries) => AuditVerification::Intact { entries },
        Err(broken) => AuditVerification::Broken(broken),
    })
}
