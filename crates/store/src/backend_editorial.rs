// The editorial calendar, written once for both backends: `sqlite.rs` and
// `postgres.rs` each `include!` this file. Everything lives in the child module `editorial`,
// reusing the parent's `WriteTransaction`, `event` and row helpers through `use super::*`.

pub(crate) mod editorial {
    use super::*;

    use domain::editorial::{
        EntryContent, EntryId, EntryStatus, LiveVideoAssessment, Media, SuggestionDocumentation, Variant,
    };
    use domain::profile::ContentType;

    use crate::editorial::{
        publication_payload, publication_payload_as_sent, ConfirmedMove, EntryRange, NewDecision, OutboxPublication, StoredDecision, StoredEntry,
        StoredPostponement,
    };

    /// The requirement every calendar change is recorded under unless the caller names one.
    const RULE_CALENDAR: &str = "R-50";
    const RULE_CHAIN: &str = "R-51";
    const RULE_POSTPONE: &str = "R-53";

    fn with_rule(by: &Attribution, rule: &str) -> Attribution {
        Attribution { actor: by.actor.clone(), rule: Some(by.rule.clone().unwrap_or_else(|| rule.to_owned())) }
    }

    fn entity_id(id: EntryId) -> String {
        format!("editorial_entry:{id}")
    }

    const ENTRY_COLUMNS: &str = "id, organisation_id, title, scheduled_at, content_type, campaign, sector, geolocation, \
        budget, documentation, already_validated, live_video_criteria, status, current_step, drafted_by, created_by, \
        created_at, updated_at";

    fn bad(table: &'static str, column: &'static str, reason: impl Into<String>) -> StoreError {
        StoreError::CorruptRow { table, column, reason: reason.into() }
    }

    fn entry_json(entry: &StoredEntry) -> String {
        let content = &entry.content;
        serde_json::json!({
            "id": entry.id.get(),
            "organisation_id": content.organisation_id.as_str(),
            "title": content.title,
            "scheduled_at": content.scheduled_at.map(|at| at.to_string()),
            "content_type": content.content_type.id(),
            "campaign": content.campaign,
            "sector": content.sector,
            "geolocation": content.geolocation,
            "budget": content.budget,
            "documentation": content.documentation.as_ref().map(SuggestionDocumentation::as_str),
            "already_validated": content.already_validated,
            "live_video_criteria": content.live_video.map(|l| l.to_code()),
            "status": entry.status.code(),
            "step": entry.status.step(),
            "drafted_by": entry.drafted_by.map(UserId::get),
            "variants": content.variants.iter().map(|v| serde_json::from_str::<serde_json::Value>(&publication_payload(v)).unwrap_or_default()).collect::<Vec<_>>(),
        })
        .to_string()
    }

    fn entry_from_row(row: &<Db as sqlx::Database>::Row, variants: Vec<Variant>) -> Result<StoredEntry, StoreError> {
        const T: &str = "editorial_entries";
        let scheduled: Option<i64> = get(row, "scheduled_at")?;
        let content_type: String = get(row, "content_type")?;
        let documentation: Option<String> = get(row, "documentation")?;
        let live: Option<String> = get(row, "live_video_criteria")?;
        let status: String = get(row, "status")?;
        let step: Option<String> = get(row, "current_step")?;
        let drafted_by: Option<i64> = get(row, "drafted_by")?;
        let content = EntryContent {
            organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?).map_err(corrupt(T, "organisation_id"))?,
            title: get(row, "title")?,
            scheduled_at: scheduled.map(|at| from_microseconds(T, "scheduled_at", at)).transpose()?,
            content_type: ContentType::parse(&content_type).ok_or_else(|| bad(T, "content_type", content_type.clone()))?,
            campaign: get(row, "campaign")?,
            sector: get(row, "sector")?,
            geolocation: get(row, "geolocation")?,
            budget: get(row, "budget")?,
            documentation: documentation.as_deref().map(SuggestionDocumentation::from_stored),
            already_validated: get(row, "already_validated")?,
            live_video: live
                .as_deref()
                .map(|code| LiveVideoAssessment::from_code(code).ok_or_else(|| bad(T, "live_video_criteria", code)))
                .transpose()?,
            variants,
        };
        Ok(StoredEntry {
            id: EntryId::new(get(row, "id")?),
            content,
            status: EntryStatus::from_stored(&status, step.as_deref()).ok_or_else(|| bad(T, "status", status.clone()))?,
            drafted_by: drafted_by.map(UserId::new),
            created_by: UserId::new(get(row, "created_by")?),
            created_at: from_microseconds(T, "created_at", get(row, "created_at")?)?,
            updated_at: from_microseconds(T, "updated_at", get(row, "updated_at")?)?,
        })
    }

    fn variant_from_row(row: &<Db as sqlx::Database>::Row) -> Result<(i64, Variant), StoreError> {
        const T: &str = "editorial_variants";
        let strings = |column: &'static str, text: String| -> Result<Vec<String>, StoreError> {
            serde_json::from_str(&text).map_err(|error| bad(T, column, error.to_string()))
        };
        let media: Option<String> = get(row, "media_json")?;
        Ok((
            get(row, "entry_id")?,
            Variant {
                network: Network::parse(&get::<String>(row, "network")?).map_err(corrupt(T, "network"))?,
                message: get(row, "message")?,
                hashtags: strings("hashtags_json", get(row, "hashtags_json")?)?,
                link: get(row, "link")?,
                media: media
                    .map(|text| serde_json::from_str::<Media>(&text).map_err(|error| bad(T, "media_json", error.to_string())))
                    .transpose()?,
                mentions: strings("mentions_json", get(row, "mentions_json")?)?,
            },
        ))
    }

    async fn variants_of(
        executor: impl sqlx::Executor<'_, Database = Db>,
        entry_id: EntryId,
    ) -> Result<Vec<Variant>, StoreError> {
        let rows = sqlx::query(
            "SELECT entry_id, network, message, hashtags_json, link, media_json, mentions_json \
             FROM editorial_variants WHERE entry_id = $1 ORDER BY position",
        )
        .bind(entry_id.get())
        .fetch_all(executor)
        .await
        .map_err(StoreError::Database)?;
        rows.iter().map(|row| variant_from_row(row).map(|(_, v)| v)).collect()
    }

    async fn fetch_entry(
        transaction: &mut Transaction<'static, Db>,
        id: EntryId,
    ) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM editorial_entries WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(&mut **transaction)
            .await
            .map_err(StoreError::Database)?
        else {
            return Ok(None);
        };
        let variants = variants_of(&mut **transaction, id).await?;
        entry_from_row(&row, variants).map(Some)
    }

    fn not_found(id: EntryId) -> StoreError {
        StoreError::NotFound { entity: EntityKind::Post, id: entity_id(id) }
    }

    fn status_changed(id: EntryId, found: &EntryStatus) -> StoreError {
        StoreError::InvalidRequest(format!(
            "la publication {id} a changé d'étape entre-temps (elle est maintenant : {})",
            found.step().unwrap_or(found.code())
        ))
    }

    async fn write_variants(
        transaction: &mut Transaction<'static, Db>,
        id: EntryId,
        variants: &[Variant],
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM editorial_variants WHERE entry_id = $1")
            .bind(id.get())
            .execute(&mut **transaction)
            .await
            .map_err(StoreError::Database)?;
        for (position, variant) in variants.iter().enumerate() {
            let media = variant
                .media
                .as_ref()
                .map(|media| serde_json::to_string(media).map_err(|error| StoreError::InvalidRequest(error.to_string())))
                .transpose()?;
            sqlx::query(
                "INSERT INTO editorial_variants (entry_id, position, network, message, hashtags_json, link, media_json, mentions_json) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.get())
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(variant.network.as_str())
            .bind(&variant.message)
            .bind(serde_json::json!(variant.hashtags).to_string())
            .bind(&variant.link)
            .bind(media)
            .bind(serde_json::json!(variant.mentions).to_string())
            .execute(&mut **transaction)
            .await
            .for_entity(EntityKind::Post)?;
        }
        Ok(())
    }

    pub(crate) async fn create_entry(
        pool: &Pool<Db>,
        by: &Attribution,
        content: &EntryContent,
        status: &EntryStatus,
        created_by: UserId,
    ) -> Result<StoredEntry, StoreError> {
        content.check().map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
        let mut write = WriteTransaction::begin(pool).await?;
        let now = to_microseconds(write.now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO editorial_entries (organisation_id, title, scheduled_at, content_type, campaign, sector, \
             geolocation, budget, documentation, already_validated, live_video_criteria, status, current_step, \
             drafted_by, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $15) RETURNING id",
        )
        .bind(content.organisation_id.as_str())
        .bind(&content.title)
        .bind(content.scheduled_at.map(to_microseconds))
        .bind(content.content_type.id())
        .bind(&content.campaign)
        .bind(&content.sector)
        .bind(&content.geolocation)
        .bind(&content.budget)
        .bind(content.documentation.as_ref().map(SuggestionDocumentation::as_str))
        .bind(content.already_validated)
        .bind(content.live_video.map(|l| l.to_code()))
        .bind(status.code())
        .bind(status.step())
        .bind(created_by.get())
        .bind(now)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Post)?;
        let id = EntryId::new(id);
        write_variants(&mut write.transaction, id, &content.variants).await?;
        let stored = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
        write
            .append(&event(&with_rule(by, RULE_CALENDAR), "editorial_entry_created", EntityKind::Post, entity_id(id), None, Some(entry_json(&stored)))?)
            .await?;
        write.commit().await?;
        Ok(stored)
    }

    pub(crate) async fn update_entry(
        pool: &Pool<Db>,
        by: &Attribution,
        id: EntryId,
        expected_status: &EntryStatus,
        content: &EntryContent,
    ) -> Result<StoredEntry, StoreError> {
        content.check().map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
        let mut write = WriteTransaction::begin(pool).await?;
        let before = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
        if before.status != *expected_status {
            return Err(status_changed(id, &before.status));
        }
        if before.content.organisation_id != content.organisation_id {
            return Err(StoreError::InvalidRequest("une publication ne change pas d'organisme".to_owned()));
        }
        sqlx::query(
            "UPDATE editorial_entries SET title = $1, scheduled_at = $2, content_type = $3, campaign = $4, sector = $5, \
             geolocation = $6, budget = $7, documentation = $8, already_validated = $9, live_video_criteria = $10, \
             updated_at = $11 WHERE id = $12",
        )
        .bind(&content.title)
        .bind(content.scheduled_at.map(to_microseconds))
        .bind(content.content_type.id())
        .bind(&content.campaign)
        .bind(&content.sector)
        .bind(&content.geolocation)
        .bind(&content.budget)
        .bind(content.documentation.as_ref().map(SuggestionDocumentation::as_str))
        .bind(content.already_validated)
        .bind(content.live_video.map(|l| l.to_code()))
        .bind(to_microseconds(write.now))
        .bind(id.get())
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Post)?;
        write_variants(&mut write.transaction, id, &content.variants).await?;
        let after = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
        write
            .append(&event(
                &with_rule(by, RULE_CALENDAR),
                "editorial_entry_updated",
                EntityKind::Post,
                entity_id(id),
                Some(entry_json(&before)),
                Some(entry_json(&after)),
            )?)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn get_entry(pool: &Pool<Db>, id: EntryId) -> Result<Option<StoredEntry>, StoreError> {
        let mut transaction = begin_read_snapshot(pool).await.map_err(StoreError::Database)?;
        let entry = fetch_entry(&mut transaction, id).await?;
        transaction.commit().await.map_err(StoreError::Database)?;
        Ok(entry)
    }

    pub(crate) async fn list_entries(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        range: &EntryRange,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let mut transaction = begin_read_snapshot(pool).await.map_err(StoreError::Database)?;
        let from = range.from.map(to_microseconds).unwrap_or(i64::MIN);
        let to = range.to.map(to_microseconds).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM editorial_entries WHERE organisation_id = $1 \
             AND ((scheduled_at >= $2 AND scheduled_at < $3) OR (scheduled_at IS NULL AND $4)) \
             ORDER BY CASE WHEN scheduled_at IS NULL THEN 1 ELSE 0 END, scheduled_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .bind(from)
            .bind(to)
            .bind(range.include_unscheduled)
            .fetch_all(&mut *transaction)
            .await
            .map_err(StoreError::Database)?;
        let variant_rows = sqlx::query(
            "SELECT v.entry_id, v.network, v.message, v.hashtags_json, v.link, v.media_json, v.mentions_json \
             FROM editorial_variants v JOIN editorial_entries e ON e.id = v.entry_id \
             WHERE e.organisation_id = $1 ORDER BY v.entry_id, v.position",
        )
        .bind(organisation_id.as_str())
        .fetch_all(&mut *transaction)
        .await
        .map_err(StoreError::Database)?;
        transaction.commit().await.map_err(StoreError::Database)?;
        let mut variants: HashMap<i64, Vec<Variant>> = HashMap::new();
        for row in &variant_rows {
            let (entry_id, variant) = variant_from_row(row)?;
            variants.entry(entry_id).or_default().push(variant);
        }
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, "id")?;
                entry_from_row(row, variants.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    pub(crate) async fn record_decision(
        pool: &Pool<Db>,
        by: &Attribution,
        decision: &NewDecision,
    ) -> Result<StoredEntry, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let id = decision.entry_id;
        let before = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
        if before.status != decision.expected_status {
            return Err(status_changed(id, &before.status));
        }
        let now = to_microseconds(write.now);
        sqlx::query(
            "UPDATE editorial_entries SET status = $1, current_step = $2, drafted_by = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(decision.new_status.code())
        .bind(decision.new_status.step())
        .bind(decision.drafted_by.map(UserId::get))
        .bind(now)
        .bind(id.get())
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Post)?;
        let decision_id: i64 = sqlx::query_scalar(
            "INSERT INTO editorial_decisions (entry_id, step, decision, decided_by, role, comment, external_validator, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id.get())
        .bind(&decision.step)
        .bind(&decision.decision)
        .bind(decision.decided_by.get())
        .bind(&decision.role)
        .bind(&decision.comment)
        .bind(&decision.external_validator)
        .bind(now)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Post)?;
        let mut outbox_ids = Vec::new();
        if decision.publish {
            for variant in &before.content.variants {
                let outbox_id: i64 = sqlx::query_scalar(
                    "INSERT INTO publication_outbox (organisation_id, entry_id, network, payload_json, publish_at, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) RETURNING id",
                )
                .bind(before.content.organisation_id.as_str())
                .bind(id.get())
                .bind(variant.network.as_str())
                .bind(publication_payload_as_sent(
                    variant,
                    decision.published_texts.get(variant.network.as_str()).map(String::as_str),
                ))
                .bind(before.content.scheduled_at.map(to_microseconds))
                .bind(now)
                .fetch_one(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Post)?;
                outbox_ids.push(outbox_id);
            }
        }
        let after = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
        let action = match (decision.decision.as_str(), decision.publish) {
            (_, true) => "editorial_entry_published",
            ("withdraw", _) => "editorial_entry_withdrawn",
            _ => "editorial_decision_recorded",
        };
        let detail = serde_json::json!({
            "decision_id": decision_id,
            "step": decision.step,
            "decision": decision.decision,
            "role": decision.role,
            "comment": decision.comment,
            "external_validator": decision.external_validator,
            "status": after.status.code(),
            "next_step": after.status.step(),
            "outbox_ids": outbox_ids,
        });
        let before_json = serde_json::json!({"status": before.status.code(), "step": before.status.step()}).to_string();
        write
            .append(&event(&with_rule(by, if decision.decision == "withdraw" { RULE_POSTPONE } else { RULE_CHAIN }), action, EntityKind::Post, entity_id(id), Some(before_json), Some(detail.to_string()))?)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn list_decisions(pool: &Pool<Db>, entry_id: EntryId) -> Result<Vec<StoredDecision>, StoreError> {
        const T: &str = "editorial_decisions";
        let rows = sqlx::query(
            "SELECT d.id, d.entry_id, d.step, d.decision, d.decided_by, u.display_name, d.role, d.comment, \
             d.external_validator, d.decided_at FROM editorial_decisions d JOIN users u ON u.id = d.decided_by \
             WHERE d.entry_id = $1 ORDER BY d.id",
        )
        .bind(entry_id.get())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                Ok(StoredDecision {
                    id: get(row, "id")?,
                    entry_id: EntryId::new(get(row, "entry_id")?),
                    step: get(row, "step")?,
                    decision: get(row, "decision")?,
                    decided_by: UserId::new(get(row, "decided_by")?),
                    decided_by_name: get(row, "display_name")?,
                    role: get(row, "role")?,
                    comment: get(row, "comment")?,
                    external_validator: get(row, "external_validator")?,
                    decided_at: from_microseconds(T, "decided_at", get(row, "decided_at")?)?,
                })
            })
            .collect()
    }

    pub(crate) async fn postpone_entries(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        moves: &[ConfirmedMove],
        reason: &str,
        decided_by: UserId,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        if reason.trim().is_empty() {
            return Err(StoreError::InvalidRequest("un report doit dire pourquoi".to_owned()));
        }
        let mut write = WriteTransaction::begin(pool).await?;
        let now = to_microseconds(write.now);
        let mut out = Vec::with_capacity(moves.len());
        for planned in moves {
            let id = planned.entry_id;
            let before = fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?;
            if before.content.organisation_id != *organisation_id {
                return Err(not_found(id));
            }
            if before.status.is_final() {
                return Err(StoreError::InvalidRequest(format!("la publication {id} est déjà {}", before.status.code())));
            }
            if before.content.scheduled_at != planned.from {
                return Err(StoreError::InvalidRequest(format!("la date de la publication {id} a changé entre-temps")));
            }
            sqlx::query("UPDATE editorial_entries SET scheduled_at = $1, updated_at = $2 WHERE id = $3")
                .bind(to_microseconds(planned.to))
                .bind(now)
                .bind(id.get())
                .execute(&mut *write.transaction)
                .await
                .for_entity(EntityKind::Post)?;
            sqlx::query(
                "INSERT INTO editorial_postponements (entry_id, from_at, to_at, reason, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.get())
            .bind(planned.from.map(to_microseconds))
            .bind(to_microseconds(planned.to))
            .bind(reason)
            .bind(decided_by.get())
            .bind(now)
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Post)?;
            write
                .append(&event(
                    &with_rule(by, RULE_POSTPONE),
                    "editorial_entry_postponed",
                    EntityKind::Post,
                    entity_id(id),
                    Some(serde_json::json!({"scheduled_at": planned.from.map(|at| at.to_string())}).to_string()),
                    Some(serde_json::json!({"scheduled_at": planned.to.to_string(), "reason": reason}).to_string()),
                )?)
                .await?;
            out.push(fetch_entry(&mut write.transaction, id).await?.ok_or_else(|| not_found(id))?);
        }
        write.commit().await?;
        Ok(out)
    }

    pub(crate) async fn list_postponements(pool: &Pool<Db>, entry_id: EntryId) -> Result<Vec<StoredPostponement>, StoreError> {
        const T: &str = "editorial_postponements";
        let rows = sqlx::query(
            "SELECT id, entry_id, from_at, to_at, reason, decided_by, decided_at FROM editorial_postponements \
             WHERE entry_id = $1 ORDER BY id",
        )
        .bind(entry_id.get())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let from: Option<i64> = get(row, "from_at")?;
                Ok(StoredPostponement {
                    id: get(row, "id")?,
                    entry_id: EntryId::new(get(row, "entry_id")?),
                    from: from.map(|at| from_microseconds(T, "from_at", at)).transpose()?,
                    to: from_microseconds(T, "to_at", get(row, "to_at")?)?,
                    reason: get(row, "reason")?,
                    decided_by: UserId::new(get(row, "decided_by")?),
                    decided_at: from_microseconds(T, "decided_at", get(row, "decided_at")?)?,
                })
            })
            .collect()
    }

    const OUTBOX_COLUMNS: &str =
        "id, organisation_id, entry_id, network, payload_json, publish_at, status, attempts, last_error";

    fn outbox_from_row(row: &<Db as sqlx::Database>::Row) -> Result<OutboxPublication, StoreError> {
        const T: &str = "publication_outbox";
        let publish_at: Option<i64> = get(row, "publish_at")?;
        Ok(OutboxPublication {
            id: get(row, "id")?,
            organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?).map_err(corrupt(T, "organisation_id"))?,
            entry_id: EntryId::new(get(row, "entry_id")?),
            network: get(row, "network")?,
            payload_json: get(row, "payload_json")?,
            publish_at: publish_at.map(|at| from_microseconds(T, "publish_at", at)).transpose()?,
            status: get(row, "status")?,
            attempts: get(row, "attempts")?,
            last_error: get(row, "last_error")?,
        })
    }

    pub(crate) async fn pending_publications(pool: &Pool<Db>, limit: u32) -> Result<Vec<OutboxPublication>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM publication_outbox WHERE status = 'pending' ORDER BY id LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(outbox_from_row).collect()
    }

    pub(crate) async fn finish_publication(
        pool: &Pool<Db>,
        by: &Attribution,
        id: i64,
        error: Option<&str>,
    ) -> Result<OutboxPublication, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let status = if error.is_some() { "failed" } else { "sent" };
        let sql = format!(
            "UPDATE publication_outbox SET status = $1, attempts = attempts + 1, last_error = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'pending' RETURNING {OUTBOX_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .bind(error)
            .bind(to_microseconds(write.now))
            .bind(id)
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::Other, id: format!("publication_outbox:{id}") })?;
        let item = outbox_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, "R-42"),
                if error.is_some() { "publication_failed" } else { "publication_sent" },
                EntityKind::Post,
                entity_id(item.entry_id),
                None,
                Some(serde_json::json!({"outbox_id": id, "network": item.network, "error": error}).to_string()),
            )?)
            .await?;
        write.commit().await?;
        Ok(item)
    }

    pub(crate) async fn create_feed_token(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        organisation_id: &OrganisationId,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let organisation: Option<String> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
            .bind(user_id.get())
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        match organisation {
            None => return Err(StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() }),
            Some(found) if found != organisation_id.as_str() => {
                return Err(StoreError::InvalidRequest(format!("l'utilisateur {user_id} n'appartient pas à l'organisme {organisation_id}")));
            }
            Some(_) => {}
        }
        sqlx::query("INSERT INTO calendar_feed_tokens (token_hash, user_id, organisation_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id.get())
            .bind(organisation_id.as_str())
            .bind(to_microseconds(write.now))
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Other)?;
        // The hash is not logged: the log says that a token exists, not which.
        write
            .append(&event(by, "calendar_feed_token_created", EntityKind::User, user_id.to_string(), None, Some(serde_json::json!({"organisation_id": organisation_id.as_str()}).to_string()))?)
            .await?;
        write.commit().await?;
        Ok(())
    }

    pub(crate) async fn find_feed_token(pool: &Pool<Db>, token_hash: &str) -> Result<Option<(UserId, OrganisationId)>, StoreError> {
        let row = sqlx::query(
            "SELECT t.user_id, t.organisation_id FROM calendar_feed_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.organisation_id = t.organisation_id",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
        row.map(|row| {
            Ok((
                UserId::new(get(&row, "user_id")?),
                OrganisationId::parse(&get::<String>(&row, "organisation_id")?).map_err(corrupt("calendar_feed_tokens", "organisation_id"))?,
            ))
        })
        .transpose()
    }

    pub(crate) async fn revoke_feed_tokens(pool: &Pool<Db>, by: &Attribution, user_id: UserId) -> Result<u64, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let revoked = sqlx::query("UPDATE calendar_feed_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(to_microseconds(write.now))
            .bind(user_id.get())
            .execute(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?
            .rows_affected();
        if revoked > 0 {
            write
                .append(&event(by, "calendar_feed_tokens_revoked", EntityKind::User, user_id.to_string(), None, Some(serde_json::json!({"revoked": revoked}).to_string()))?)
                .await?;
        }
        write.commit().await?;
        Ok(revoked)
    }

}
