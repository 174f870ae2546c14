// The SQL the pages read (inbox, thread, author history, members, audit search), written
// once for both backends: `sqlite.rs` and `postgres.rs` each `include!` this file after
// `backend_shared.rs`. Everything lives in the child module `inbox`, which reuses the
// parent's row helpers through `use super::*`. Nothing here writes: `inbox_cases` is kept
// by the triggers of migration 0007.

pub(crate) mod inbox {
    use super::*;

    use crate::inbox::{AuditFilter, InboxCursor, InboxFilter, InboxPage, InboxRow, OrganisationMember};

    /// `due` of a case without a first-response deadline (see migration 0007).
    const NO_DEADLINE: i64 = i64::MAX;

    /// The page's rows, joined by primary key once the page's case ids are known.
    const ROW_COLUMNS: &str = "i.case_id, i.urgent_rank, i.due, i.status, i.route, i.sector, i.network, \
         i.account_id, c.message_id, c.route AS confirmed_route, a.handle, m.author_display_name, m.text, \
         m.received_at, v.action, v.categories_json, v.urgent, v.clauses_json, v.evidence_json, \
         v.explanation, s.route AS suggested_route, s.confirmed_route AS suggestion_confirmed, \
         u.id AS assignee_id, u.display_name AS assignee_name, d.committed_due";

    const ROW_JOINS: &str = "JOIN cases c ON c.id = i.case_id \
         JOIN messages m ON m.id = c.message_id \
         JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN verdicts v ON v.message_id = c.message_id \
         LEFT JOIN case_suggestions s ON s.case_id = i.case_id \
         LEFT JOIN users u ON u.id = i.assignee_user_id \
         LEFT JOIN case_deadlines d ON d.case_id = i.case_id";

    fn string_list(table: &'static str, column: &'static str, json: Option<String>) -> Result<Vec<String>, StoreError> {
        match json {
            None => Ok(Vec::new()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|error| StoreError::CorruptRow { table, column, reason: error.to_string() }),
        }
    }

    fn inbox_row_from_row(row: &<Db as sqlx::Database>::Row) -> Result<InboxRow, StoreError> {
        let due: i64 = get(row, "due")?;
        let urgent_rank: i64 = get(row, "urgent_rank")?;
        let assignee_id: Option<i64> = get(row, "assignee_id")?;
        let assignee_name: Option<String> = get(row, "assignee_name")?;
        let confirmed_route: Option<String> = get(row, "confirmed_route")?;
        let suggestion_confirmed: Option<String> = get(row, "suggestion_confirmed")?;
        let committed_due: Option<i64> = get(row, "committed_due")?;
        Ok(InboxRow {
            case_id: CaseId::new(get(row, "case_id")?),
            message_id: MessageId::new(get(row, "message_id")?),
            status: CaseStatus::parse(&get::<String>(row, "status")?).map_err(corrupt("inbox_cases", "status"))?,
            urgent: urgent_rank == 0,
            urgent_kind: get(row, "urgent")?,
            due: if due == NO_DEADLINE { None } else { Some(from_microseconds("inbox_cases", "due", due)?) },
            committed_due: committed_due
                .map(|micros| from_microseconds("case_deadlines", "committed_due", micros))
                .transpose()?,
            route: get(row, "route")?,
            suggested_route: get(row, "suggested_route")?,
            route_confirmed: confirmed_route.is_some() || suggestion_confirmed.is_some(),
            sector: get(row, "sector")?,
            network: get(row, "network")?,
            account_id: AccountId::new(get(row, "account_id")?),
            account_handle: get(row, "handle")?,
            author_display_name: get(row, "author_display_name")?,
            text: get(row, "text")?,
            received_at: from_microseconds("messages", "received_at", get(row, "received_at")?)?,
            verdict_action: get(row, "action")?,
            categories: string_list("verdicts", "categories_json", get(row, "categories_json")?)?,
            clauses: string_list("verdicts", "clauses_json", get(row, "clauses_json")?)?,
            evidence_json: get(row, "evidence_json")?,
            explanation: get(row, "explanation")?,
            assignee: match (assignee_id, assignee_name) {
                (Some(id), Some(name)) => Some((UserId::new(id), name)),
                _ => None,
            },
        })
    }

    /// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '!'` pattern.
    fn like_literal(text: &str) -> String {
        text.replace('!', "!!").replace('%', "!%").replace('_', "!_")
    }

    pub(crate) async fn inbox(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        filter: &InboxFilter,
        after: Option<InboxCursor>,
        limit: u32,
    ) -> Result<InboxPage, StoreError> {
        // The inner query walks one index in inbox order and stops after limit + 1 rows;
        // the outer one joins the page's rows by primary key.
        let mut builder: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        builder.push(ROW_COLUMNS);
        builder.push(" FROM (SELECT case_id FROM inbox_cases WHERE ");
        match filter.assignee {
            // A person's own cases: their index leads (organisation checked as well).
            Some(assignee) => {
                builder.push("assignee_user_id = ").push_bind(assignee.get());
                builder.push(" AND organisation_id = ").push_bind(organisation_id.as_str().to_owned());
            }
            None => {
                builder.push("organisation_id = ").push_bind(organisation_id.as_str().to_owned());
            }
        }
        match filter.status {
            Some(status) => {
                builder.push(" AND status = ").push_bind(status.code().to_owned());
            }
            None => {
                builder.push(" AND is_open = 1");
            }
        }
        if let Some(network) = &filter.network {
            builder.push(" AND network = ").push_bind(network.clone());
        }
        if let Some(account_id) = filter.account_id {
            builder.push(" AND account_id = ").push_bind(account_id.get());
        }
        if let Some(route) = &filter.route {
            builder.push(" AND route = ").push_bind(route.clone());
        }
        if let Some(sector) = &filter.sector {
            builder.push(" AND sector = ").push_bind(sector.clone());
        }
        if let Some(category) = &filter.category {
            builder
                .push(" AND categories LIKE ")
                .push_bind(format!("%\"{}\"%", like_literal(category)))
                .push(" ESCAPE '!'");
        }
        if let Some(now) = filter.overdue_at {
            builder.push(" AND due < ").push_bind(to_microseconds(now));
        }
        if let Some(cursor) = after {
            // Spelled out rather than as a row value so both planners keep the index range.
            let (rank, due, case_id) = cursor.key();
            builder.push(" AND (urgent_rank > ").push_bind(rank);
            builder.push(" OR (urgent_rank = ").push_bind(rank);
            builder.push(" AND (due > ").push_bind(due);
            builder.push(" OR (due = ").push_bind(due);
            builder.push(" AND case_id > ").push_bind(case_id);
            builder.push("))))");
        }
        builder.push(" ORDER BY urgent_rank, due, case_id LIMIT ").push_bind(i64::from(limit) + 1);
        builder.push(") p JOIN inbox_cases i ON i.case_id = p.case_id ");
        builder.push(ROW_JOINS);
        builder.push(" ORDER BY i.urgent_rank, i.due, i.case_id");
        let rows = builder.build().fetch_all(pool).await.map_err(StoreError::Database)?;
        let mut page: Vec<InboxRow> = Vec::with_capacity(rows.len());
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            keys.push((get::<i64>(row, "urgent_rank")?, get::<i64>(row, "due")?, get::<i64>(row, "case_id")?));
            page.push(inbox_row_from_row(row)?);
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = if page.len() > limit {
            page.truncate(limit);
            keys.get(limit - 1).map(|&(urgent_rank, due, case_id)| InboxCursor::from_key(urgent_rank, due, case_id))
        } else {
            None
        };
        Ok(InboxPage { rows: page, next })
    }

    pub(crate) async fn inbox_row(pool: &Pool<Db>, case_id: CaseId) -> Result<Option<InboxRow>, StoreError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM inbox_cases i {ROW_JOINS} WHERE i.case_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .fetch_optional(pool)
            .await
            .map_err(StoreError::Database)?;
        row.as_ref().map(inbox_row_from_row).transpose()
    }

    pub(crate) async fn thread_messages(pool: &Pool<Db>, message: &Message, limit: u32) -> Result<Vec<Message>, StoreError> {
        let Some(thread) = &message.received.thread else { return Ok(Vec::new()) };
        // The thread is the parent (whose external id is the thread id) and its replies.
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id \
             WHERE m.account_id = $1 AND m.id <> $2 AND (m.thread_external_id = $3 OR m.external_id = $3) \
             ORDER BY m.received_at, m.id LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(message.received.account_id.get())
            .bind(message.id.get())
            .bind(thread.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(message_from_row).collect()
    }

    pub(crate) async fn author_messages(
        pool: &Pool<Db>,
        message: &Message,
        limit: u32,
    ) -> Result<Vec<(Message, Option<CaseId>)>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS}, c.id AS case_id FROM messages m JOIN accounts a ON a.id = m.account_id \
             LEFT JOIN cases c ON c.message_id = m.id \
             WHERE m.network = $1 AND m.author_external_id = $2 AND m.id <> $3 \
             ORDER BY m.id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(message.received.network.as_str())
            .bind(message.received.author.external_id.as_str())
            .bind(message.id.get())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let case_id: Option<i64> = get(row, "case_id")?;
                Ok((message_from_row(row)?, case_id.map(CaseId::new)))
            })
            .collect()
    }

    pub(crate) async fn organisation_members(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<OrganisationMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, login, display_name, role FROM users WHERE organisation_id = $1 ORDER BY display_name, id",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                Ok(OrganisationMember {
                    user_id: UserId::new(get(row, "id")?),
                    login: get(row, "login")?,
                    display_name: get(row, "display_name")?,
                    role: get(row, "role")?,
                })
            })
            .collect()
    }

    pub(crate) async fn search_audit(
        pool: &Pool<Db>,
        filter: &AuditFilter,
        before_sequence: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut builder: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        builder.push(AUDIT_COLUMNS);
        builder.push(" FROM audit_log WHERE 1 = 1");
        if let Some(before) = before_sequence {
            builder.push(" AND sequence_number < ").push_bind(i64::try_from(before).unwrap_or(i64::MAX));
        }
        if let Some(actor) = filter.actor_contains.as_deref().filter(|actor| !actor.is_empty()) {
            builder.push(" AND actor LIKE ").push_bind(format!("%{}%", like_literal(actor))).push(" ESCAPE '!'");
        }
        if let Some(action) = &filter.action {
            builder.push(" AND action = ").push_bind(action.clone());
        }
        if let Some(kind) = &filter.entity_kind {
            builder.push(" AND entity_kind = ").push_bind(kind.clone());
        }
        if let Some(entity_id) = &filter.entity_id {
            builder.push(" AND entity_id = ").push_bind(entity_id.clone());
        }
        if let Some(from) = filter.from {
            builder.push(" AND at >= ").push_bind(to_microseconds(from));
        }
        if let Some(to) = filter.to {
            builder.push(" AND at < ").push_bind(to_microseconds(to));
        }
        builder.push(" ORDER BY sequence_number DESC LIMIT ").push_bind(i64::from(limit));
        let rows = builder.build().fetch_all(pool).await.map_err(StoreError::Database)?;
        rows.iter().map(|row| audit_entry_from_stored(audit_row_from_row(row)?)).collect()
    }
}
