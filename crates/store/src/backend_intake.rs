// The intake part of a backend (see `crate::intake` for what it keeps and why), compiled
// twice like `backend_shared.rs`, whose helpers (`WriteTransaction`, `event`, `get`,
// `message_from_row`, `case_from_row`) it uses. Included files cannot hold inner doc
// comments.

use crate::intake::{
    CaseIntake, DeadlineRecord, IncomingMessage, IntakeRecorded, IntakeResult, IntakeStatus,
    PendingMessage, RouteConfirmation, StageDeadline, StoredSuggestion, SuggestionRecord,
    VerdictRecord,
};

fn json_list(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}

fn parse_json_list(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::CorruptRow {
        table,
        column,
        reason: error.to_string(),
    })
}

fn with_rule(by: &Attribution, rule: Option<&str>) -> Attribution {
    Attribution {
        actor: by.actor.clone(),
        rule: rule.map(str::to_owned).or_else(|| by.rule.clone()),
    }
}

pub(crate) async fn insert_incoming(
    pool: &Pool<Db>,
    by: &Attribution,
    batch: &[IncomingMessage],
) -> Result<Vec<MessageInsertion>, StoreError> {
    insert_message_rows(pool, by, batch, |incoming| &incoming.message, |incoming| incoming.automatic).await
}

pub(crate) async fn pending_messages(
    pool: &Pool<Db>,
    after: Option<MessageId>,
    limit: u32,
) -> Result<Vec<PendingMessage>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, m.automatic, COALESCE(f.attempts, 0) AS failed_attempts \
         FROM messages m JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN intake_failures f ON f.message_id = m.id \
         WHERE m.id > $1 AND NOT EXISTS (SELECT 1 FROM intake_outcomes o WHERE o.message_id = m.id) \
         ORDER BY m.id LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after.map_or(0, MessageId::get))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
    rows.iter()
        .map(|row| {
            let attempts: i64 = get(row, "failed_attempts")?;
            Ok(PendingMessage {
                message: message_from_row(row)?,
                automatic: get(row, "automatic")?,
                failed_attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

pub(crate) async fn count_pending(pool: &Pool<Db>) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages m WHERE NOT EXISTS \
         (SELECT 1 FROM intake_outcomes o WHERE o.message_id = m.id)",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::Database)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(crate) async fn recent_messages_on_account(
    pool: &Pool<Db>,
    account_id: AccountId,
    before: MessageId,
    limit: u32,
) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id \
         WHERE m.account_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account_id.get())
        .bind(before.get())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
    rows.iter().map(message_from_row).collect()
}

pub(crate) async fn messages_on_account_in_range(
    pool: &Pool<Db>,
    account_id: AccountId,
    from: MessageId,
    to: MessageId,
) -> Result<Vec<Message>, StoreError> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m JOIN accounts a ON a.id = m.account_id \
         WHERE m.account_id = $1 AND m.id >= $2 AND m.id < $3 ORDER BY m.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account_id.get())
        .bind(from.get())
        .bind(to.get())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
    rows.iter().map(message_from_row).collect()
}

fn verdict_json(message_id: MessageId, verdict: &VerdictRecord) -> String {
    serde_json::json!({
        "message_id": message_id.get(),
        "action": verdict.action,
        "categories": verdict.categories,
        "urgent": verdict.urgent,
        "clauses": verdict.clauses,
        "evidence": serde_json::from_str::<serde_json::Value>(&verdict.evidence_json).unwrap_or_default(),
        "language": verdict.language,
        "explanation": verdict.explanation,
        "substance_remains": verdict.substance_remains,
        "engine_version": verdict.engine_version,
    })
    .to_string()
}

fn suggestion_json(case_id: CaseId, suggestion: &SuggestionRecord) -> String {
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or_default();
    serde_json::json!({
        "case_id": case_id.get(),
        "route": suggestion.route,
        "route_family": suggestion.route_family,
        "target_id": suggestion.target_id,
        "reasons": parse(&suggestion.reasons_json),
        "alternatives": parse(&suggestion.alternatives_json),
        "reply_expected": suggestion.reply_expected,
        "suggested_page": suggestion.suggested_page_json.as_deref().map(parse),
    })
    .to_string()
}

fn deadlines_json(case_id: CaseId, deadlines: &DeadlineRecord) -> String {
    serde_json::json!({
        "case_id": case_id.get(),
        "commitment_id": deadlines.commitment_id,
        "clock_start": deadlines.clock_start.to_string(),
        "stages": deadlines.stages.iter().map(|stage| serde_json::json!({
            "stage": stage.stage,
            "starts": stage.starts.to_string(),
            "planned_due": stage.planned_due.to_string(),
            "ended_at": stage.ended_at.map(|at| at.to_string()),
        })).collect::<Vec<_>>(),
        "first_response_due": deadlines.first_response_due.to_string(),
        "committed_due": deadlines.committed_due.to_string(),
    })
    .to_string()
}

pub(crate) async fn record_intake(
    pool: &Pool<Db>,
    by: &Attribution,
    results: &[IntakeResult],
) -> Result<Vec<IntakeRecorded>, StoreError> {
    let mut recorded = Vec::with_capacity(results.len());
    if results.is_empty() {
        return Ok(recorded);
    }
    let mut write = WriteTransaction::begin(pool).await?;
    let now = to_microseconds(write.now);
    // What is already processed and which organisation owns each message, for the whole
    // batch in two queries rather than two per message.
    let ids: Vec<i64> = results
        .iter()
        .map(|result| match result {
            IntakeResult::Processed { message_id, .. } | IntakeResult::Failed { message_id, .. } => message_id.get(),
        })
        .collect();
    let mut done: std::collections::HashSet<i64> = std::collections::HashSet::with_capacity(ids.len());
    let mut organisations: HashMap<i64, String> = HashMap::with_capacity(ids.len());
    for slice in ids.chunks(MESSAGE_ROWS_PER_STATEMENT) {
        let mut builder: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT m.id AS id, a.organisation_id AS organisation_id, \
             EXISTS (SELECT 1 FROM intake_outcomes o WHERE o.message_id = m.id) AS done \
             FROM messages m JOIN accounts a ON a.id = m.account_id WHERE m.id IN (",
        );
        let mut separated = builder.separated(", ");
        for id in slice {
            separated.push_bind(*id);
        }
        builder.push(")");
        let rows = builder.build().fetch_all(&mut *write.transaction).await.map_err(StoreError::Database)?;
        for row in &rows {
            let id: i64 = get(row, "id")?;
            if get::<bool>(row, "done")? {
                done.insert(id);
            }
            organisations.insert(id, get(row, "organisation_id")?);
        }
    }
    for result in results {
        let message_id = match result {
            IntakeResult::Processed { message_id, .. }
            | IntakeResult::Failed { message_id, .. } => *message_id,
        };
        if done.contains(&message_id.get()) {
            recorded.push(IntakeRecorded::AlreadyProcessed);
            continue;
        }
        // A message listed twice in one batch is processed once (failures count each time).
        if matches!(result, IntakeResult::Processed { .. }) {
            done.insert(message_id.get());
        }
        match result {
            IntakeResult::Failed { error, .. } => {
                sqlx::query(
                    "INSERT INTO intake_failures (message_id, attempts, last_error, failed_at) VALUES ($1, 1, $2, $3) \
                     ON CONFLICT (message_id) DO UPDATE SET attempts = intake_failures.attempts + 1, \
                     last_error = excluded.last_error, failed_at = excluded.failed_at",
                )
                .bind(message_id.get())
                .bind(error)
                .bind(now)
                .execute(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Message)?;
                let after = serde_json::json!({ "message_id": message_id.get(), "error": error })
                    .to_string();
                write
                    .append(&event(
                        by,
                        "intake_failed",
                        EntityKind::Message,
                        message_id.to_string(),
                        None,
                        Some(after),
                    )?)
                    .await?;
                recorded.push(IntakeRecorded::FailureRecorded);
            }
            IntakeResult::Processed {
                verdict,
                verdict_rule,
                case,
                ..
            } => {
                let Some(organisation) = organisations.get(&message_id.get()) else {
                    return Err(StoreError::NotFound {
                        entity: EntityKind::Message,
                        id: message_id.to_string(),
                    });
                };
                let outcome = record_processed(
                    &mut write,
                    by,
                    now,
                    organisation,
                    message_id,
                    verdict,
                    verdict_rule.as_deref(),
                    case.as_ref(),
                )
                .await?;
                recorded.push(outcome);
            }
        }
    }
    write.commit().await?;
    Ok(recorded)
}

async fn record_processed(
    write: &mut WriteTransaction,
    by: &Attribution,
    now: i64,
    organisation: &str,
    message_id: MessageId,
    verdict: &VerdictRecord,
    verdict_rule: Option<&str>,
    case: Option<&CaseIntake>,
) -> Result<IntakeRecorded, StoreError> {
    sqlx::query(
        "INSERT INTO verdicts (message_id, action, categories_json, urgent, clauses_json, evidence_json, \
         language, explanation, substance_remains, engine_version, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (message_id) DO UPDATE SET action = excluded.action, categories_json = excluded.categories_json, \
         urgent = excluded.urgent, clauses_json = excluded.clauses_json, evidence_json = excluded.evidence_json, \
         language = excluded.language, explanation = excluded.explanation, \
         substance_remains = excluded.substance_remains, engine_version = excluded.engine_version, \
         recorded_at = excluded.recorded_at",
    )
    .bind(message_id.get())
    .bind(&verdict.action)
    .bind(json_list(&verdict.categories))
    .bind(verdict.urgent.as_deref())
    .bind(json_list(&verdict.clauses))
    .bind(&verdict.evidence_json)
    .bind(&verdict.language)
    .bind(&verdict.explanation)
    .bind(verdict.substance_remains)
    .bind(&verdict.engine_version)
    .bind(now)
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Message)?;
    write
        .append(&event(
            &with_rule(by, verdict_rule),
            "verdict_recorded",
            EntityKind::Message,
            message_id.to_string(),
            None,
            Some(verdict_json(message_id, verdict)),
        )?)
        .await?;

    let Some(case_intake) = case else {
        sqlx::query("INSERT INTO intake_outcomes (message_id, outcome, case_id, processed_at) VALUES ($1, 'not_a_case', NULL, $2)")
            .bind(message_id.get())
            .bind(now)
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Message)?;
        let after = serde_json::json!({ "message_id": message_id.get(), "outcome": "not_a_case" })
            .to_string();
        write
            .append(&event(
                &with_rule(by, Some("R-18")),
                "intake_not_a_case",
                EntityKind::Message,
                message_id.to_string(),
                None,
                Some(after),
            )?)
            .await?;
        return Ok(IntakeRecorded::NotACase);
    };

    // A case opened earlier by hand for the same message is the case: one message, one case.
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE message_id = $1"
    )))
    .bind(message_id.get())
    .fetch_optional(&mut *write.transaction)
    .await
    .map_err(StoreError::Database)?;
    let case = match existing {
        Some(row) => case_from_row(&row)?,
        None => {
            let sql = format!(
                "INSERT INTO cases (organisation_id, message_id, route, status, assignee_user_id, opened_at, updated_at) \
                 VALUES ($1, $2, NULL, $3, NULL, $4, $4) RETURNING {CASE_COLUMNS}"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(organisation)
                .bind(message_id.get())
                .bind(CaseStatus::Open.code())
                .bind(now)
                .fetch_one(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Case)?;
            let case = case_from_row(&row)?;
            write
                .append(&event(
                    by,
                    "case_opened",
                    EntityKind::Case,
                    case.id.to_string(),
                    None,
                    Some(case_json(&case)),
                )?)
                .await?;
            case
        }
    };

    let suggestion = &case_intake.suggestion;
    sqlx::query(
        "INSERT INTO case_suggestions (case_id, route, route_family, target_id, reasons_json, alternatives_json, \
         reply_expected, suggested_page_json, suggested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case.id.get())
    .bind(&suggestion.route)
    .bind(&suggestion.route_family)
    .bind(suggestion.target_id.as_deref())
    .bind(&suggestion.reasons_json)
    .bind(&suggestion.alternatives_json)
    .bind(suggestion.reply_expected)
    .bind(suggestion.suggested_page_json.as_deref())
    .bind(now)
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Case)?;
    write
        .append(&event(
            &with_rule(by, case_intake.suggestion_rule.as_deref()),
            "route_suggested",
            EntityKind::Case,
            case.id.to_string(),
            None,
            Some(suggestion_json(case.id, suggestion)),
        )?)
        .await?;

    if let Some(deadlines) = &case_intake.deadlines {
        insert_deadlines(write, case.id, deadlines, now).await?;
        write
            .append(&event(
                &with_rule(by, Some(&format!("commitment:{}", deadlines.commitment_id))),
                "deadlines_planned",
                EntityKind::Case,
                case.id.to_string(),
                None,
                Some(deadlines_json(case.id, deadlines)),
            )?)
            .await?;
    }
    sqlx::query("INSERT INTO intake_outcomes (message_id, outcome, case_id, processed_at) VALUES ($1, 'case_opened', $2, $3)")
        .bind(message_id.get())
        .bind(case.id.get())
        .bind(now)
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Message)?;
    Ok(IntakeRecorded::CaseOpened(case.id))
}

async fn insert_deadlines(
    write: &mut WriteTransaction,
    case_id: CaseId,
    deadlines: &DeadlineRecord,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_deadlines (case_id, commitment_id, clock_start, first_response_due, committed_due, planned_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id.get())
    .bind(&deadlines.commitment_id)
    .bind(to_microseconds(deadlines.clock_start))
    .bind(to_microseconds(deadlines.first_response_due))
    .bind(to_microseconds(deadlines.committed_due))
    .bind(now)
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Case)?;
    if deadlines.stages.is_empty() {
        return Ok(());
    }
    // One statement for every stage (a plan has a handful).
    let mut builder: QueryBuilder<Db> = QueryBuilder::new(
        "INSERT INTO case_deadline_stages (case_id, position, stage, starts, planned_due, ended_at) ",
    );
    builder.push_values(deadlines.stages.iter().enumerate(), |mut row, (position, stage)| {
        row.push_bind(case_id.get())
            .push_bind(i64::try_from(position).unwrap_or(i64::MAX))
            .push_bind(stage.stage.clone())
            .push_bind(to_microseconds(stage.starts))
            .push_bind(to_microseconds(stage.planned_due))
            .push_bind(stage.ended_at.map(to_microseconds));
    });
    builder.build().execute(&mut *write.transaction).await.for_entity(EntityKind::Case)?;
    Ok(())
}

pub(crate) async fn intake_status(
    pool: &Pool<Db>,
    message_id: MessageId,
) -> Result<Option<IntakeStatus>, StoreError> {
    let row = sqlx::query(
        "SELECT m.id, o.outcome, o.case_id, f.attempts, f.last_error FROM messages m \
         LEFT JOIN intake_outcomes o ON o.message_id = m.id \
         LEFT JOIN intake_failures f ON f.message_id = m.id WHERE m.id = $1",
    )
    .bind(message_id.get())
    .fetch_optional(pool)
    .await
    .map_err(StoreError::Database)?;
    let Some(row) = row else { return Ok(None) };
    let outcome: Option<String> = get(&row, "outcome")?;
    if outcome.is_some() {
        let case_id: Option<i64> = get(&row, "case_id")?;
        return Ok(Some(IntakeStatus::Processed {
            case_id: case_id.map(CaseId::new),
        }));
    }
    let attempts: Option<i64> = get(&row, "attempts")?;
    Ok(Some(IntakeStatus::Pending {
        failed_attempts: attempts.map_or(0, |attempts| u32::try_from(attempts).unwrap_or(u32::MAX)),
        last_error: get(&row, "last_error")?,
    }))
}

pub(crate) async fn get_verdict(
    pool: &Pool<Db>,
    message_id: MessageId,
) -> Result<Option<VerdictRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT action, categories_json, urgent, clauses_json, evidence_json, language, explanation, \
         substance_remains, engine_version FROM verdicts WHERE message_id = $1",
    )
    .bind(message_id.get())
    .fetch_optional(pool)
    .await
    .map_err(StoreError::Database)?;
    row.map(|row| {
        Ok(VerdictRecord {
            action: get(&row, "action")?,
            categories: parse_json_list(
                "verdicts",
                "categories_json",
                &get::<String>(&row, "categories_json")?,
            )?,
            urgent: get(&row, "urgent")?,
            clauses: parse_json_list(
                "verdicts",
                "clauses_json",
                &get::<String>(&row, "clauses_json")?,
            )?,
            evidence_json: get(&row, "evidence_json")?,
            language: get(&row, "language")?,
            explanation: get(&row, "explanation")?,
            substance_remains: get(&row, "substance_remains")?,
            engine_version: get(&row, "engine_version")?,
        })
    })
    .transpose()
}

async fn fetch_suggestion(
    executor: impl sqlx::Executor<'_, Database = Db>,
    case_id: CaseId,
) -> Result<Option<StoredSuggestion>, StoreError> {
    let row = sqlx::query(
        "SELECT route, route_family, target_id, reasons_json, alternatives_json, reply_expected, \
         suggested_page_json, suggested_at, confirmed_route, confirmed_by, confirmed_at \
         FROM case_suggestions WHERE case_id = $1",
    )
    .bind(case_id.get())
    .fetch_optional(executor)
    .await
    .map_err(StoreError::Database)?;
    row.map(|row| {
        let confirmed_route: Option<String> = get(&row, "confirmed_route")?;
        let confirmed_by: Option<String> = get(&row, "confirmed_by")?;
        let confirmed_at: Option<i64> = get(&row, "confirmed_at")?;
        let confirmation = match (confirmed_route, confirmed_by, confirmed_at) {
            (Some(route), Some(by), Some(at)) => Some(RouteConfirmation {
                route,
                by,
                at: from_microseconds("case_suggestions", "confirmed_at", at)?,
            }),
            _ => None,
        };
        Ok(StoredSuggestion {
            suggestion: SuggestionRecord {
                route: get(&row, "route")?,
                route_family: get(&row, "route_family")?,
                target_id: get(&row, "target_id")?,
                reasons_json: get(&row, "reasons_json")?,
                alternatives_json: get(&row, "alternatives_json")?,
                reply_expected: get(&row, "reply_expected")?,
                suggested_page_json: get(&row, "suggested_page_json")?,
            },
            suggested_at: from_microseconds(
                "case_suggestions",
                "suggested_at",
                get(&row, "suggested_at")?,
            )?,
            confirmation,
        })
    })
    .transpose()
}

pub(crate) async fn get_suggestion(
    pool: &Pool<Db>,
    case_id: CaseId,
) -> Result<Option<StoredSuggestion>, StoreError> {
    fetch_suggestion(pool, case_id).await
}

async fn fetch_deadlines(
    executor: &mut <Db as sqlx::Database>::Connection,
    case_id: CaseId,
) -> Result<Option<DeadlineRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT commitment_id, clock_start, first_response_due, committed_due FROM case_deadlines WHERE case_id = $1",
    )
    .bind(case_id.get())
    .fetch_optional(&mut *executor)
    .await
    .map_err(StoreError::Database)?;
    let Some(row) = row else { return Ok(None) };
    let stage_rows = sqlx::query(
        "SELECT stage, starts, planned_due, ended_at FROM case_deadline_stages WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id.get())
    .fetch_all(&mut *executor)
    .await
    .map_err(StoreError::Database)?;
    let table = "case_deadline_stages";
    let stages = stage_rows
        .iter()
        .map(|stage| {
            let ended: Option<i64> = get(stage, "ended_at")?;
            Ok(StageDeadline {
                stage: get(stage, "stage")?,
                starts: from_microseconds(table, "starts", get(stage, "starts")?)?,
                planned_due: from_microseconds(table, "planned_due", get(stage, "planned_due")?)?,
                ended_at: ended
                    .map(|at| from_microseconds(table, "ended_at", at))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let table = "case_deadlines";
    Ok(Some(DeadlineRecord {
        commitment_id: get(&row, "commitment_id")?,
        clock_start: from_microseconds(table, "clock_start", get(&row, "clock_start")?)?,
        stages,
        first_response_due: from_microseconds(
            table,
            "first_response_due",
            get(&row, "first_response_due")?,
        )?,
        committed_due: from_microseconds(table, "committed_due", get(&row, "committed_due")?)?,
    }))
}

pub(crate) async fn get_deadlines(
    pool: &Pool<Db>,
    case_id: CaseId,
) -> Result<Option<DeadlineRecord>, StoreError> {
    let mut connection = pool.acquire().await.map_err(StoreError::Database)?;
    fetch_deadlines(&mut connection, case_id).await
}

pub(crate) async fn confirm_route(
    pool: &Pool<Db>,
    by: &Attribution,
    case_id: CaseId,
    route: &str,
) -> Result<StoredSuggestion, StoreError> {
    let family = route.split(':').next().unwrap_or(route);
    let family_id =
        RouteId::parse(family).map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
    let mut write = WriteTransaction::begin(pool).await?;
    let Some(before) = fetch_suggestion(&mut *write.transaction, case_id).await? else {
        return Err(StoreError::NotFound {
            entity: EntityKind::Case,
            id: case_id.to_string(),
        });
    };
    let actor = by.actor.to_audit_text();
    let now = to_microseconds(write.now);
    sqlx::query(
        "UPDATE case_suggestions SET confirmed_route = $1, confirmed_by = $2, confirmed_at = $3 WHERE case_id = $4",
    )
    .bind(route)
    .bind(&actor)
    .bind(now)
    .bind(case_id.get())
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Case)?;
    sqlx::query("UPDATE cases SET route = $1, updated_at = $2 WHERE id = $3")
        .bind(family_id.as_str())
        .bind(now)
        .bind(case_id.get())
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
    let Some(after) = fetch_suggestion(&mut *write.transaction, case_id).await? else {
        return Err(StoreError::NotFound {
            entity: EntityKind::Case,
            id: case_id.to_string(),
        });
    };
    let previous = before
        .confirmation
        .as_ref()
        .map_or(before.suggestion.route.as_str(), |confirmation| {
            confirmation.route.as_str()
        });
    let action = if previous == route {
        "route_confirmed"
    } else {
        "route_changed"
    };
    let snapshot = |stored: &StoredSuggestion| {
        serde_json::json!({
            "case_id": case_id.get(),
            "suggested_route": stored.suggestion.route,
            "confirmed_route": stored.confirmation.as_ref().map(|confirmation| confirmation.route.clone()),
            "confirmed_by": stored.confirmation.as_ref().map(|confirmation| confirmation.by.clone()),
        })
        .to_string()
    };
    write
        .append(&event(
            by,
            action,
            EntityKind::Case,
            case_id.to_string(),
            Some(snapshot(&before)),
            Some(snapshot(&after)),
        )?)
        .await?;
    write.commit().await?;
    Ok(after)
}

pub(crate) async fn record_stage_end(
    pool: &Pool<Db>,
    by: &Attribution,
    case_id: CaseId,
    stage: &str,
    at: jiff::Timestamp,
) -> Result<DeadlineRecord, StoreError> {
    let mut write = WriteTransaction::begin(pool).await?;
    let Some(before) = fetch_deadlines(&mut write.transaction, case_id).await? else {
        return Err(StoreError::NotFound {
            entity: EntityKind::Case,
            id: case_id.to_string(),
        });
    };
    let updated = sqlx::query(
        "UPDATE case_deadline_stages SET ended_at = $1 WHERE case_id = $2 AND stage = $3",
    )
    .bind(to_microseconds(at))
    .bind(case_id.get())
    .bind(stage)
    .execute(&mut *write.transaction)
    .await
    .for_entity(EntityKind::Case)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            entity: EntityKind::Case,
            id: format!("{case_id}/{stage}"),
        });
    }
    let Some(after) = fetch_deadlines(&mut write.transaction, case_id).await? else {
        return Err(StoreError::NotFound {
            entity: EntityKind::Case,
            id: case_id.to_string(),
        });
    };
    write
        .append(&event(
            by,
            "stage_ended",
            EntityKind::Case,
            case_id.to_string(),
            Some(deadlines_json(case_id, &before)),
            Some(deadlines_json(case_id, &after)),
        )?)
        .await?;
    write.commit().await?;
    Ok(after)
}
