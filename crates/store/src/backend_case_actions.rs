// Case actions (see `crate::case_actions` for what they keep and why), written once for both
// backends: `sqlite.rs` and `postgres.rs` each `include!` this file after
// `backend_shared.rs`, `backend_intake.rs` and `backend_respondents.rs`. Everything lives in
// the child module `case_actions`, which reuses the parent's `WriteTransaction`, `event`,
// row helpers and the intake's deadline helpers through `use super::*`.

pub(crate) mod case_actions {
    use super::*;

    use jiff::Timestamp;

    use crate::case_actions::{
        AnswerStatus, AuthorCase, AuthorHistory, BlockedAuthor, ModerationAction, ModerationDecision,
        OutboxItem, PendingReferral, ProposedAnswer, Reply, ReplyStatus, ReportStage, ReviewDecision, RouteReplan,
        WarningOutcome,
    };

    /// The clause netiquette decisions are recorded under unless the caller names one.
    const RULE_NETIQUETTE: &str = "R-12";
    /// "A reply is never sent without a person's confirmation."
    const RULE_REPLY: &str = "issue-4 §2";

    fn with_rule(by: &Attribution, rule: &str) -> Attribution {
        Attribution { actor: by.actor.clone(), rule: Some(by.rule.clone().unwrap_or_else(|| rule.to_owned())) }
    }

    fn not_found(entity: EntityKind, id: impl ToString) -> StoreError {
        StoreError::NotFound { entity, id: id.to_string() }
    }

    fn count(value: i64) -> u32 {
        u32::try_from(value).unwrap_or(u32::MAX)
    }

    /// The case and who wrote its message, on which account.
    struct CaseAndAuthor {
        case: Case,
        network: String,
        message_external_id: String,
        author_external_id: String,
        author_display_name: String,
        account_id: i64,
    }

    async fn case_and_author(write: &mut WriteTransaction, case_id: CaseId) -> Result<CaseAndAuthor, StoreError> {
        let Some(case) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        let row = sqlx::query(
            "SELECT network, external_id, author_external_id, author_display_name, account_id FROM messages WHERE id = $1",
        )
        .bind(case.message_id.get())
        .fetch_one(&mut *write.transaction)
        .await
        .map_err(StoreError::Database)?;
        Ok(CaseAndAuthor {
            network: get(&row, "network")?,
            message_external_id: get(&row, "external_id")?,
            author_external_id: get(&row, "author_external_id")?,
            author_display_name: get(&row, "author_display_name")?,
            account_id: get(&row, "account_id")?,
            case,
        })
    }

    async fn enqueue(
        write: &mut WriteTransaction,
        case: &Case,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<i64, StoreError> {
        let now = to_microseconds(write.now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (organisation_id, case_id, kind, payload_json, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5, $5) RETURNING id",
        )
        .bind(case.organisation_id.as_str())
        .bind(case.id.get())
        .bind(kind)
        .bind(payload.to_string())
        .bind(now)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        Ok(id)
    }

    /// Moves the case to `to` when its status is one of `from`; audited `case_status_set`.
    async fn advance_status(
        write: &mut WriteTransaction,
        by: &Attribution,
        case_id: CaseId,
        from: &[CaseStatus],
        to: CaseStatus,
    ) -> Result<(), StoreError> {
        let Some(before) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        if !from.contains(&before.status) {
            return Ok(());
        }
        let sql = format!("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3 RETURNING {CASE_COLUMNS}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to.code())
            .bind(to_microseconds(write.now))
            .bind(case_id.get())
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let after = case_from_row(&row)?;
        write
            .append(&event(by, "case_status_set", EntityKind::Case, case_id.to_string(), Some(case_json(&before)), Some(case_json(&after)))?)
            .await?;
        Ok(())
    }

    /// Ends, now, the named stage (or every stage when `None`) of the case's plan that has
    /// not ended yet; audited `stage_ended` with before and after. Nothing when no stage
    /// matches (no plan, no such stage, already ended).
    async fn end_stages(
        write: &mut WriteTransaction,
        by: &Attribution,
        case_id: CaseId,
        stage: Option<&str>,
    ) -> Result<(), StoreError> {
        let Some(before) = fetch_deadlines(&mut write.transaction, case_id).await? else { return Ok(()) };
        let updated = sqlx::query(
            "UPDATE case_deadline_stages SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL \
             AND ($3 = '' OR stage = $3)",
        )
        .bind(to_microseconds(write.now))
        .bind(case_id.get())
        .bind(stage.unwrap_or(""))
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?
        .rows_affected();
        if updated == 0 {
            return Ok(());
        }
        let Some(after) = fetch_deadlines(&mut write.transaction, case_id).await? else { return Ok(()) };
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
        Ok(())
    }

    // ------------------------------------------------------------------------ route

    pub(crate) async fn change_route(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        route: &str,
        replan: &RouteReplan,
    ) -> Result<Case, StoreError> {
        let family = route.split(':').next().unwrap_or(route);
        let family_id = RouteId::parse(family).map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
        let mut write = WriteTransaction::begin(pool).await?;
        let Some(case_before) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        let Some(before) = fetch_suggestion(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        let now = to_microseconds(write.now);
        sqlx::query("UPDATE case_suggestions SET confirmed_route = $1, confirmed_by = $2, confirmed_at = $3 WHERE case_id = $4")
            .bind(route)
            .bind(by.actor.to_audit_text())
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
        let previous = before.confirmation.as_ref().map_or(before.suggestion.route.as_str(), |c| c.route.as_str());
        let action = if previous == route { "route_confirmed" } else { "route_changed" };
        let snapshot = |route_now: &str, case: &Case| {
            serde_json::json!({
                "case_id": case_id.get(),
                "suggested_route": before.suggestion.route,
                "route": route_now,
                "case": serde_json::from_str::<serde_json::Value>(&case_json(case)).unwrap_or_default(),
            })
            .to_string()
        };
        let Some(case_after) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        write
            .append(&event(
                by,
                action,
                EntityKind::Case,
                case_id.to_string(),
                Some(snapshot(previous, &case_before)),
                Some(snapshot(route, &case_after)),
            )?)
            .await?;
        // Triage is done once a person has decided the route (S2 §8.1, first stage).
        end_stages(&mut write, by, case_id, Some("triage")).await?;

        if let Some(deadlines) = &replan.deadlines {
            let old = fetch_deadlines(&mut write.transaction, case_id).await?;
            sqlx::query("DELETE FROM case_deadline_stages WHERE case_id = $1")
                .bind(case_id.get())
                .execute(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Case)?;
            sqlx::query("DELETE FROM case_deadlines WHERE case_id = $1")
                .bind(case_id.get())
                .execute(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Case)?;
            insert_deadlines(&mut write, case_id, deadlines, now).await?;
            write
                .append(&event(
                    &with_rule(by, &format!("commitment:{}", deadlines.commitment_id)),
                    "deadlines_replanned",
                    EntityKind::Case,
                    case_id.to_string(),
                    old.as_ref().map(|old| deadlines_json(case_id, old)),
                    Some(deadlines_json(case_id, deadlines)),
                )?)
                .await?;
        }
        if let Some(unit) = &replan.unit {
            let at = replan.at.unwrap_or(write.now);
            assign_to_unit(&mut write, by, case_id, unit, at).await?;
        }
        let Some(case) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        write.commit().await?;
        Ok(case)
    }

    /// Records the case's unit and hands it to whoever answers for it at `at`, like
    /// `respondents::assign_case_to_unit` but inside the caller's transaction.
    async fn assign_to_unit(
        write: &mut WriteTransaction,
        by: &Attribution,
        case_id: CaseId,
        unit: &domain::respondents::UnitId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let Some(case) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        let Some(designation) =
            super::respondents::fetch_designation(&mut *write.transaction, &case.organisation_id, unit).await?
        else {
            return Err(not_found(EntityKind::Other, format!("unit:{}/{unit}", case.organisation_id)));
        };
        sqlx::query(
            "INSERT INTO case_units (case_id, organisation_id, unit_id) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO UPDATE SET unit_id = excluded.unit_id",
        )
        .bind(case_id.get())
        .bind(case.organisation_id.as_str())
        .bind(unit.as_str())
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
        let absences = super::respondents::fetch_absences(&mut *write.transaction, &case.organisation_id).await?;
        match domain::respondents::responsible_at(&designation, &absences, at) {
            Some(user) if case.assignee == Some(user) => {}
            Some(user) => {
                super::respondents::hand_over(write, by, "case_assigned_to_unit", &case, unit, user).await?;
            }
            None => {
                write
                    .append(&event(
                        &with_rule(by, "R-41"),
                        "case_unit_unstaffed",
                        EntityKind::Case,
                        case_id.to_string(),
                        Some(case_json(&case)),
                        Some(serde_json::json!({ "unit": unit.as_str(), "at": at.to_string() }).to_string()),
                    )?)
                    .await?;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------------ moderation

    const DECISION_COLUMNS: &str = "id, case_id, message_id, action, clause, decided_by, decided_at, outbox_id";

    fn decision_from_row(row: &<Db as sqlx::Database>::Row) -> Result<ModerationDecision, StoreError> {
        let action: String = get(row, "action")?;
        Ok(ModerationDecision {
            id: get(row, "id")?,
            case_id: CaseId::new(get(row, "case_id")?),
            message_id: MessageId::new(get(row, "message_id")?),
            action: ModerationAction::parse(&action).ok_or_else(|| StoreError::CorruptRow {
                table: "moderation_actions",
                column: "action",
                reason: format!("unknown action {action:?}"),
            })?,
            clause: get(row, "clause")?,
            decided_by: get(row, "decided_by")?,
            decided_at: from_microseconds("moderation_actions", "decided_at", get(row, "decided_at")?)?,
            outbox_id: get(row, "outbox_id")?,
        })
    }

    pub(crate) async fn record_moderation_action(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        action: ModerationAction,
        clause: Option<&str>,
    ) -> Result<ModerationDecision, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let context = case_and_author(&mut write, case_id).await?;
        let payload = serde_json::json!({
            "action": action.code(),
            "network": context.network,
            "message_external_id": context.message_external_id,
            "account_id": context.account_id,
            "clause": clause,
        });
        let outbox_id = enqueue(&mut write, &context.case, action.code(), payload).await?;
        let sql = format!(
            "INSERT INTO moderation_actions (case_id, message_id, action, clause, decided_by, decided_at, outbox_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {DECISION_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .bind(context.case.message_id.get())
            .bind(action.code())
            .bind(clause)
            .bind(by.actor.to_audit_text())
            .bind(to_microseconds(write.now))
            .bind(outbox_id)
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Message)?;
        let decision = decision_from_row(&row)?;
        let rule = clause.map_or_else(|| RULE_NETIQUETTE.to_owned(), str::to_owned);
        write
            .append(&event(
                &with_rule(by, &rule),
                &format!("message_{}_decided", action.code()),
                EntityKind::Message,
                context.case.message_id.to_string(),
                None,
                Some(
                    serde_json::json!({
                        "case_id": case_id.get(),
                        "decision_id": decision.id,
                        "action": action.code(),
                        "clause": clause,
                        "outbox_id": outbox_id,
                    })
                    .to_string(),
                ),
            )?)
            .await?;
        write.commit().await?;
        Ok(decision)
    }

    pub(crate) async fn case_moderation_actions(
        pool: &Pool<Db>,
        case_id: CaseId,
    ) -> Result<Vec<ModerationDecision>, StoreError> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM moderation_actions WHERE case_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(decision_from_row).collect()
    }

    async fn is_blocked(write: &mut WriteTransaction, context: &CaseAndAuthor) -> Result<bool, StoreError> {
        let blocked: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM blocked_authors WHERE network = $1 AND author_external_id = $2 AND account_id = $3",
        )
        .bind(&context.network)
        .bind(&context.author_external_id)
        .bind(context.account_id)
        .fetch_optional(&mut *write.transaction)
        .await
        .map_err(StoreError::Database)?;
        Ok(blocked.is_some())
    }

    pub(crate) async fn warn_author(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        clause: Option<&str>,
        text: Option<&str>,
        warnings_before_block: u32,
    ) -> Result<WarningOutcome, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let context = case_and_author(&mut write, case_id).await?;
        let warning_id: i64 = sqlx::query_scalar(
            "INSERT INTO author_warnings (organisation_id, network, author_external_id, account_id, case_id, clause, \
             text, warned_by, warned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(context.case.organisation_id.as_str())
        .bind(&context.network)
        .bind(&context.author_external_id)
        .bind(context.account_id)
        .bind(case_id.get())
        .bind(clause)
        .bind(text)
        .bind(by.actor.to_audit_text())
        .bind(to_microseconds(write.now))
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        let warnings: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM author_warnings WHERE network = $1 AND author_external_id = $2 AND account_id = $3",
        )
        .bind(&context.network)
        .bind(&context.author_external_id)
        .bind(context.account_id)
        .fetch_one(&mut *write.transaction)
        .await
        .map_err(StoreError::Database)?;
        let warnings_on_account = count(warnings);
        let block_proposed = warnings_on_account >= warnings_before_block && !is_blocked(&mut write, &context).await?;
        let rule = clause.map_or_else(|| RULE_NETIQUETTE.to_owned(), str::to_owned);
        write
            .append(&event(
                &with_rule(by, &rule),
                "author_warned",
                EntityKind::Case,
                case_id.to_string(),
                None,
                Some(
                    serde_json::json!({
                        "warning_id": warning_id,
                        "network": context.network,
                        "author_external_id": context.author_external_id,
                        "account_id": context.account_id,
                        "clause": clause,
                        "text": text,
                        "warnings_on_account": warnings_on_account,
                        "warnings_before_block": warnings_before_block,
                        "block_proposed": block_proposed,
                    })
                    .to_string(),
                ),
            )?)
            .await?;
        write.commit().await?;
        Ok(WarningOutcome { warning_id, warnings_on_account, block_proposed })
    }

    pub(crate) async fn block_author(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        reason: &str,
    ) -> Result<BlockedAuthor, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let context = case_and_author(&mut write, case_id).await?;
        if is_blocked(&mut write, &context).await? {
            return Err(StoreError::AlreadyExists { entity: EntityKind::Other, constraint: "blocked_authors".to_owned() });
        }
        let payload = serde_json::json!({
            "action": "block",
            "network": context.network,
            "author_external_id": context.author_external_id,
            "account_id": context.account_id,
            "reason": reason,
        });
        let outbox_id = enqueue(&mut write, &context.case, "block", payload).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO blocked_authors (organisation_id, network, author_external_id, account_id, case_id, reason, \
             blocked_by, blocked_at, outbox_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(context.case.organisation_id.as_str())
        .bind(&context.network)
        .bind(&context.author_external_id)
        .bind(context.account_id)
        .bind(case_id.get())
        .bind(reason)
        .bind(by.actor.to_audit_text())
        .bind(to_microseconds(write.now))
        .bind(outbox_id)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        let blocked = BlockedAuthor {
            id,
            organisation_id: context.case.organisation_id.clone(),
            network: context.network.clone(),
            author_external_id: context.author_external_id.clone(),
            account_id: AccountId::new(context.account_id),
            case_id,
            reason: reason.to_owned(),
            blocked_by: by.actor.to_audit_text(),
            blocked_at: write.now,
            outbox_id,
        };
        write
            .append(&event(
                &with_rule(by, RULE_NETIQUETTE),
                "author_blocked",
                EntityKind::Case,
                case_id.to_string(),
                None,
                Some(
                    serde_json::json!({
                        "block_id": id,
                        "network": blocked.network,
                        "author_external_id": blocked.author_external_id,
                        "author_display_name": context.author_display_name,
                        "account_id": context.account_id,
                        "reason": reason,
                        "outbox_id": outbox_id,
                    })
                    .to_string(),
                ),
            )?)
            .await?;
        write.commit().await?;
        Ok(blocked)
    }

    // ------------------------------------------------------------------------ replies, answers

    const REPLY_COLUMNS: &str =
        "id, case_id, text, status, answer_id, prepared_by, prepared_at, confirmed_by, confirmed_at, outbox_id";
    const ANSWER_COLUMNS: &str =
        "id, case_id, text, status, proposed_by, proposed_at, reviewed_by, reviewed_at, review_comment";

    fn reply_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Reply, StoreError> {
        let status: String = get(row, "status")?;
        let confirmed_at: Option<i64> = get(row, "confirmed_at")?;
        Ok(Reply {
            id: get(row, "id")?,
            case_id: CaseId::new(get(row, "case_id")?),
            text: get(row, "text")?,
            status: ReplyStatus::parse(&status).ok_or_else(|| StoreError::CorruptRow {
                table: "replies",
                column: "status",
                reason: format!("unknown status {status:?}"),
            })?,
            answer_id: get(row, "answer_id")?,
            prepared_by: get(row, "prepared_by")?,
            prepared_at: from_microseconds("replies", "prepared_at", get(row, "prepared_at")?)?,
            confirmed_by: get(row, "confirmed_by")?,
            confirmed_at: confirmed_at.map(|at| from_microseconds("replies", "confirmed_at", at)).transpose()?,
            outbox_id: get(row, "outbox_id")?,
        })
    }

    fn answer_from_row(row: &<Db as sqlx::Database>::Row) -> Result<ProposedAnswer, StoreError> {
        let status: String = get(row, "status")?;
        let reviewed_at: Option<i64> = get(row, "reviewed_at")?;
        Ok(ProposedAnswer {
            id: get(row, "id")?,
            case_id: CaseId::new(get(row, "case_id")?),
            text: get(row, "text")?,
            status: AnswerStatus::parse(&status).ok_or_else(|| StoreError::CorruptRow {
                table: "proposed_answers",
                column: "status",
                reason: format!("unknown status {status:?}"),
            })?,
            proposed_by: get(row, "proposed_by")?,
            proposed_at: from_microseconds("proposed_answers", "proposed_at", get(row, "proposed_at")?)?,
            reviewed_by: get(row, "reviewed_by")?,
            reviewed_at: reviewed_at.map(|at| from_microseconds("proposed_answers", "reviewed_at", at)).transpose()?,
            review_comment: get(row, "review_comment")?,
        })
    }

    fn reply_json(reply: &Reply) -> String {
        serde_json::json!({
            "reply_id": reply.id,
            "case_id": reply.case_id.get(),
            "text": reply.text,
            "status": reply.status.code(),
            "answer_id": reply.answer_id,
            "outbox_id": reply.outbox_id,
        })
        .to_string()
    }

    fn answer_json(answer: &ProposedAnswer) -> String {
        serde_json::json!({
            "answer_id": answer.id,
            "case_id": answer.case_id.get(),
            "text": answer.text,
            "status": answer.status.code(),
            "review_comment": answer.review_comment,
        })
        .to_string()
    }

    fn check_text(text: &str) -> Result<(), StoreError> {
        if text.trim().is_empty() {
            return Err(StoreError::InvalidRequest("le texte est vide".to_owned()));
        }
        Ok(())
    }

    async fn insert_reply(
        write: &mut WriteTransaction,
        by: &Attribution,
        case_id: CaseId,
        text: &str,
        answer_id: Option<i64>,
    ) -> Result<Reply, StoreError> {
        let sql = format!(
            "INSERT INTO replies (case_id, text, status, answer_id, prepared_by, prepared_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5) RETURNING {REPLY_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .bind(text)
            .bind(answer_id)
            .bind(by.actor.to_audit_text())
            .bind(to_microseconds(write.now))
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let reply = reply_from_row(&row)?;
        write
            .append(&event(by, "reply_prepared", EntityKind::Case, case_id.to_string(), None, Some(reply_json(&reply)))?)
            .await?;
        advance_status(write, by, case_id, &[CaseStatus::Open], CaseStatus::InProgress).await?;
        Ok(reply)
    }

    pub(crate) async fn prepare_reply(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        text: &str,
    ) -> Result<Reply, StoreError> {
        check_text(text)?;
        let mut write = WriteTransaction::begin(pool).await?;
        if fetch_case(&mut *write.transaction, case_id).await?.is_none() {
            return Err(not_found(EntityKind::Case, case_id));
        }
        let reply = insert_reply(&mut write, by, case_id, text, None).await?;
        write.commit().await?;
        Ok(reply)
    }

    async fn fetch_reply(write: &mut WriteTransaction, reply_id: i64) -> Result<Reply, StoreError> {
        let sql = format!("SELECT {REPLY_COLUMNS} FROM replies WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reply_id)
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        let Some(row) = row else { return Err(not_found(EntityKind::Other, format!("reply:{reply_id}"))) };
        reply_from_row(&row)
    }

    pub(crate) async fn edit_reply(
        pool: &Pool<Db>,
        by: &Attribution,
        reply_id: i64,
        text: &str,
    ) -> Result<Reply, StoreError> {
        check_text(text)?;
        let mut write = WriteTransaction::begin(pool).await?;
        let before = fetch_reply(&mut write, reply_id).await?;
        if before.status != ReplyStatus::Draft {
            return Err(StoreError::InvalidRequest(format!("la réponse {reply_id} est déjà confirmée")));
        }
        sqlx::query("UPDATE replies SET text = $1 WHERE id = $2")
            .bind(text)
            .bind(reply_id)
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let after = fetch_reply(&mut write, reply_id).await?;
        write
            .append(&event(
                by,
                "reply_edited",
                EntityKind::Case,
                before.case_id.to_string(),
                Some(reply_json(&before)),
                Some(reply_json(&after)),
            )?)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn confirm_reply(pool: &Pool<Db>, by: &Attribution, reply_id: i64) -> Result<Reply, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let before = fetch_reply(&mut write, reply_id).await?;
        if before.status != ReplyStatus::Draft {
            return Err(StoreError::InvalidRequest(format!("la réponse {reply_id} est déjà confirmée")));
        }
        let context = case_and_author(&mut write, before.case_id).await?;
        let payload = serde_json::json!({
            "action": "reply",
            "reply_id": reply_id,
            "network": context.network,
            "in_reply_to_external_id": context.message_external_id,
            "account_id": context.account_id,
            "text": before.text,
        });
        let outbox_id = enqueue(&mut write, &context.case, "reply", payload).await?;
        sqlx::query("UPDATE replies SET status = 'confirmed', confirmed_by = $1, confirmed_at = $2, outbox_id = $3 WHERE id = $4")
            .bind(by.actor.to_audit_text())
            .bind(to_microseconds(write.now))
            .bind(outbox_id)
            .bind(reply_id)
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let after = fetch_reply(&mut write, reply_id).await?;
        write
            .append(&event(
                &with_rule(by, RULE_REPLY),
                "reply_confirmed",
                EntityKind::Case,
                before.case_id.to_string(),
                Some(reply_json(&before)),
                Some(reply_json(&after)),
            )?)
            .await?;
        // The reply is the first response: every stage still running (the `review` stage
        // of MAMH, the single `response` stage of MESS) ends now.
        end_stages(&mut write, by, before.case_id, None).await?;
        advance_status(&mut write, by, before.case_id, &[CaseStatus::Open, CaseStatus::InProgress], CaseStatus::Answered)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    async fn fetch_answer(write: &mut WriteTransaction, answer_id: i64) -> Result<ProposedAnswer, StoreError> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM proposed_answers WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(answer_id)
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        let Some(row) = row else { return Err(not_found(EntityKind::Other, format!("answer:{answer_id}"))) };
        answer_from_row(&row)
    }

    pub(crate) async fn propose_answer(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        text: &str,
    ) -> Result<ProposedAnswer, StoreError> {
        check_text(text)?;
        let mut write = WriteTransaction::begin(pool).await?;
        if fetch_case(&mut *write.transaction, case_id).await?.is_none() {
            return Err(not_found(EntityKind::Case, case_id));
        }
        let sql = format!(
            "INSERT INTO proposed_answers (case_id, text, status, proposed_by, proposed_at) \
             VALUES ($1, $2, 'proposed', $3, $4) RETURNING {ANSWER_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .bind(text)
            .bind(by.actor.to_audit_text())
            .bind(to_microseconds(write.now))
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let answer = answer_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, "R-28"),
                "answer_proposed",
                EntityKind::Case,
                case_id.to_string(),
                None,
                Some(answer_json(&answer)),
            )?)
            .await?;
        end_stages(&mut write, by, case_id, Some("sector")).await?;
        advance_status(&mut write, by, case_id, &[CaseStatus::Open], CaseStatus::InProgress).await?;
        write.commit().await?;
        Ok(answer)
    }

    pub(crate) async fn review_answer(
        pool: &Pool<Db>,
        by: &Attribution,
        answer_id: i64,
        decision: ReviewDecision,
        comment: Option<&str>,
    ) -> Result<ProposedAnswer, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let before = fetch_answer(&mut write, answer_id).await?;
        if before.status != AnswerStatus::Proposed {
            return Err(StoreError::InvalidRequest(format!("la réponse proposée {answer_id} a déjà été révisée")));
        }
        let status = match decision {
            ReviewDecision::Approve => AnswerStatus::Approved,
            ReviewDecision::RequestChanges => AnswerStatus::ChangesRequested,
        };
        sqlx::query(
            "UPDATE proposed_answers SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 WHERE id = $5",
        )
        .bind(status.code())
        .bind(by.actor.to_audit_text())
        .bind(to_microseconds(write.now))
        .bind(comment)
        .bind(answer_id)
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
        let after = fetch_answer(&mut write, answer_id).await?;
        let action = match decision {
            ReviewDecision::Approve => "answer_approved",
            ReviewDecision::RequestChanges => "answer_changes_requested",
        };
        write
            .append(&event(
                by,
                action,
                EntityKind::Case,
                before.case_id.to_string(),
                Some(answer_json(&before)),
                Some(answer_json(&after)),
            )?)
            .await?;
        if decision == ReviewDecision::Approve {
            insert_reply(&mut write, by, before.case_id, &before.text, Some(answer_id)).await?;
        }
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn get_reply(pool: &Pool<Db>, reply_id: i64) -> Result<Option<Reply>, StoreError> {
        let sql = format!("SELECT {REPLY_COLUMNS} FROM replies WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reply_id)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::Database)?;
        row.as_ref().map(reply_from_row).transpose()
    }

    pub(crate) async fn get_answer(pool: &Pool<Db>, answer_id: i64) -> Result<Option<ProposedAnswer>, StoreError> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM proposed_answers WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(answer_id)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::Database)?;
        row.as_ref().map(answer_from_row).transpose()
    }

    pub(crate) async fn case_replies(pool: &Pool<Db>, case_id: CaseId) -> Result<Vec<Reply>, StoreError> {
        let sql = format!("SELECT {REPLY_COLUMNS} FROM replies WHERE case_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(reply_from_row).collect()
    }

    pub(crate) async fn case_answers(pool: &Pool<Db>, case_id: CaseId) -> Result<Vec<ProposedAnswer>, StoreError> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM proposed_answers WHERE case_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.get())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(answer_from_row).collect()
    }

    // ------------------------------------------------------------------------ history, audit

    pub(crate) async fn author_history(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        network: &str,
        author_external_id: &str,
    ) -> Result<AuthorHistory, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id AS case_id, m.id AS message_id, m.received_at AS received_at, \
             COALESCE(s.confirmed_route, s.route, c.route) AS route \
             FROM messages m JOIN cases c ON c.message_id = m.id \
             LEFT JOIN case_suggestions s ON s.case_id = c.id \
             WHERE c.organisation_id = $1 AND m.network = $2 AND m.author_external_id = $3 ORDER BY m.received_at, m.id",
        )
        .bind(organisation_id.as_str())
        .bind(network)
        .bind(author_external_id)
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        let cases = rows
            .iter()
            .map(|row| {
                Ok(AuthorCase {
                    case_id: CaseId::new(get(row, "case_id")?),
                    message_id: MessageId::new(get(row, "message_id")?),
                    received_at: from_microseconds("messages", "received_at", get(row, "received_at")?)?,
                    route: get(row, "route")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let warnings: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM author_warnings WHERE organisation_id = $1 AND network = $2 AND author_external_id = $3",
        )
        .bind(organisation_id.as_str())
        .bind(network)
        .bind(author_external_id)
        .fetch_one(pool)
        .await
        .map_err(StoreError::Database)?;
        let blocks: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM blocked_authors WHERE organisation_id = $1 AND network = $2 AND author_external_id = $3",
        )
        .bind(organisation_id.as_str())
        .bind(network)
        .bind(author_external_id)
        .fetch_one(pool)
        .await
        .map_err(StoreError::Database)?;
        Ok(AuthorHistory { cases, warnings: count(warnings), blocked: blocks > 0 })
    }

    pub(crate) async fn case_audit(pool: &Pool<Db>, case_id: CaseId) -> Result<Vec<AuditEntry>, StoreError> {
        let Some(case) = fetch_case(pool, case_id).await? else {
            return Err(not_found(EntityKind::Case, case_id));
        };
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE (entity_kind = $1 AND entity_id = $2) \
             OR (entity_kind = $3 AND entity_id = $4) ORDER BY sequence_number"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(EntityKind::Case.code())
            .bind(case_id.to_string())
            .bind(EntityKind::Message.code())
            .bind(case.message_id.to_string())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(|row| audit_entry_from_stored(audit_row_from_row(row)?)).collect()
    }

    pub(crate) async fn outbox_items(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        status: &str,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organisation_id, case_id, kind, payload_json, status, created_at FROM outbox \
             WHERE organisation_id = $1 AND status = $2 ORDER BY id",
        )
        .bind(organisation_id.as_str())
        .bind(status)
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let case_id: Option<i64> = get(row, "case_id")?;
                Ok(OutboxItem {
                    id: get(row, "id")?,
                    organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
                        .map_err(corrupt("outbox", "organisation_id"))?,
                    case_id: case_id.map(CaseId::new),
                    kind: get(row, "kind")?,
                    payload_json: get(row, "payload_json")?,
                    status: get(row, "status")?,
                    created_at: from_microseconds("outbox", "created_at", get(row, "created_at")?)?,
                })
            })
            .collect()
    }

    pub(crate) async fn pending_directorate_referrals(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<PendingReferral>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id AS case_id, s.confirmed_route AS route, m.received_at AS received_at, m.text AS text, \
             m.author_display_name AS author_name \
             FROM cases c JOIN case_suggestions s ON s.case_id = c.id JOIN messages m ON m.id = c.message_id \
             WHERE c.organisation_id = $1 AND s.confirmed_route LIKE 'regional_directorate:%' \
             AND NOT EXISTS (SELECT 1 FROM notifications_sent n WHERE n.case_id = c.id AND n.kind = 'directorate_referral') \
             ORDER BY c.id",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let route: String = get(row, "route")?;
                Ok(PendingReferral {
                    case_id: CaseId::new(get(row, "case_id")?),
                    directorate_id: route.split_once(':').map(|(_, id)| id.to_owned()).unwrap_or_default(),
                    received_at: from_microseconds("messages", "received_at", get(row, "received_at")?)?,
                    text: get(row, "text")?,
                    author_name: get(row, "author_name")?,
                })
            })
            .collect()
    }

    // ------------------------------------------------------------------------ report

    pub(crate) async fn report_stages(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<ReportStage>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.clock_start AS clock_start, s.stage AS stage, s.planned_due AS planned_due, \
             s.ended_at AS ended_at, ud.sector_id AS sector_id \
             FROM cases c JOIN case_deadlines d ON d.case_id = c.id \
             JOIN case_deadline_stages s ON s.case_id = c.id \
             LEFT JOIN case_units u ON u.case_id = c.id \
             LEFT JOIN unit_designations ud ON ud.organisation_id = c.organisation_id AND ud.unit_id = u.unit_id \
             WHERE c.organisation_id = $1 AND d.clock_start >= $2 AND d.clock_start < $3 \
             ORDER BY c.id, s.position",
        )
        .bind(organisation_id.as_str())
        .bind(from.map_or(i64::MIN, to_microseconds))
        .bind(to.map_or(i64::MAX, to_microseconds))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        let table = "case_deadline_stages";
        rows.iter()
            .map(|row| {
                let ended: Option<i64> = get(row, "ended_at")?;
                Ok(ReportStage {
                    sector: get(row, "sector_id")?,
                    stage: get(row, "stage")?,
                    clock_start: from_microseconds("case_deadlines", "clock_start", get(row, "clock_start")?)?,
                    planned_due: from_microseconds(table, "planned_due", get(row, "planned_due")?)?,
                    ended_at: ended.map(|at| from_microseconds(table, "ended_at", at)).transpose()?,
                })
            })
            .collect()
    }
}
