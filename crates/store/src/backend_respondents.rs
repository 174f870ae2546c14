// Respondents, substitutes, absences, vigilance periods and sent notifications,
// written once for both backends: `sqlite.rs` and `postgres.rs` each `include!` this file
// after `backend_shared.rs`. Everything lives in the child module `respondents`, so its
// imports never collide with the other included files; it reuses the parent's
// `WriteTransaction`, `event` and row helpers through `use super::*`.

pub(crate) mod respondents {
    use super::*;

    use domain::respondents::{
        responsible_at, Absence, Designation, Period, SectorId, UnitId, VigilanceRecord,
    };
    use jiff::Timestamp;

    use crate::respondents::{
        CaseForDeadlines, NotificationKind, RespondentEntry, SentNotification, Transfer,
    };

    /// The clause every respondent change is recorded under unless the caller names one.
    const RULE_DESIGNATION: &str = "R-40";
    /// The clause of assignments and transfers to respondents and substitutes.
    const RULE_TRANSFER: &str = "R-41";

    fn with_rule(by: &Attribution, rule: &str) -> Attribution {
        Attribution { actor: by.actor.clone(), rule: Some(by.rule.clone().unwrap_or_else(|| rule.to_owned())) }
    }

    fn unit_entity_id(organisation_id: &OrganisationId, unit: &UnitId) -> String {
        format!("unit:{organisation_id}/{unit}")
    }

    fn designation_json(designation: &Designation) -> String {
        serde_json::json!({
            "organisation_id": designation.organisation_id.as_str(),
            "unit": designation.unit.as_str(),
            "sector": designation.sector.as_str(),
            "respondent_user_id": designation.respondent.get(),
            "substitute_user_id": designation.substitute.map(UserId::get),
        })
        .to_string()
    }

    fn absence_json(absence: &Absence) -> String {
        serde_json::json!({
            "id": absence.id,
            "organisation_id": absence.organisation_id.as_str(),
            "user_id": absence.user.get(),
            "start": absence.period.start().to_string(),
            "end": absence.period.end().to_string(),
            "reason": absence.reason,
        })
        .to_string()
    }

    fn vigilance_json(record: &VigilanceRecord) -> String {
        serde_json::json!({
            "id": record.id,
            "organisation_id": record.organisation_id.as_str(),
            "start": record.start.to_string(),
            "end": record.end.map(|end| end.to_string()),
            "reason": record.reason,
            "started_by": record.started_by,
        })
        .to_string()
    }

    fn bad_stored(table: &'static str, column: &'static str) -> impl Fn(domain::respondents::RespondentError) -> StoreError {
        move |error| StoreError::CorruptRow { table, column, reason: error.to_string() }
    }

    fn designation_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Designation, StoreError> {
        let substitute: Option<i64> = get(row, "substitute_user_id")?;
        Ok(Designation {
            organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
                .map_err(corrupt("unit_designations", "organisation_id"))?,
            unit: UnitId::parse(&get::<String>(row, "unit_id")?).map_err(bad_stored("unit_designations", "unit_id"))?,
            sector: SectorId::from_stored(&get::<String>(row, "sector_id")?)
                .map_err(bad_stored("unit_designations", "sector_id"))?,
            respondent: UserId::new(get(row, "respondent_user_id")?),
            substitute: substitute.map(UserId::new),
        })
    }

    fn absence_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Absence, StoreError> {
        let start = from_microseconds("absences", "starts_at", get(row, "starts_at")?)?;
        let end = from_microseconds("absences", "ends_at", get(row, "ends_at")?)?;
        Ok(Absence {
            id: get(row, "id")?,
            organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
                .map_err(corrupt("absences", "organisation_id"))?,
            user: UserId::new(get(row, "user_id")?),
            period: Period::new(start, end).map_err(bad_stored("absences", "ends_at"))?,
            reason: get(row, "reason")?,
        })
    }

    fn vigilance_from_row(row: &<Db as sqlx::Database>::Row) -> Result<VigilanceRecord, StoreError> {
        let end: Option<i64> = get(row, "ends_at")?;
        Ok(VigilanceRecord {
            id: get(row, "id")?,
            organisation_id: OrganisationId::parse(&get::<String>(row, "organisation_id")?)
                .map_err(corrupt("vigilance_periods", "organisation_id"))?,
            start: from_microseconds("vigilance_periods", "starts_at", get(row, "starts_at")?)?,
            end: end.map(|end| from_microseconds("vigilance_periods", "ends_at", end)).transpose()?,
            reason: get(row, "reason")?,
            started_by: get(row, "started_by")?,
        })
    }

    const DESIGNATION_COLUMNS: &str =
        "organisation_id, unit_id, sector_id, respondent_user_id, substitute_user_id";
    const ABSENCE_COLUMNS: &str = "id, organisation_id, user_id, starts_at, ends_at, reason";
    const VIGILANCE_COLUMNS: &str = "id, organisation_id, starts_at, ends_at, reason, started_by";

    /// Refuses a user who does not exist or works for another organisation.
    async fn check_member(
        transaction: &mut Transaction<'static, Db>,
        organisation_id: &OrganisationId,
        user: UserId,
    ) -> Result<(), StoreError> {
        let organisation: Option<String> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
            .bind(user.get())
            .fetch_optional(&mut **transaction)
            .await
            .map_err(StoreError::Database)?;
        match organisation {
            None => Err(StoreError::NotFound { entity: EntityKind::User, id: user.to_string() }),
            Some(found) if found != organisation_id.as_str() => Err(StoreError::InvalidRequest(format!(
                "l'utilisateur {user} n'appartient pas à l'organisme {organisation_id}"
            ))),
            Some(_) => Ok(()),
        }
    }

    pub(super) async fn fetch_designation(
        executor: impl sqlx::Executor<'_, Database = Db>,
        organisation_id: &OrganisationId,
        unit: &UnitId,
    ) -> Result<Option<Designation>, StoreError> {
        let sql = format!(
            "SELECT {DESIGNATION_COLUMNS} FROM unit_designations WHERE organisation_id = $1 AND unit_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .bind(unit.as_str())
            .fetch_optional(executor)
            .await
            .map_err(StoreError::Database)?;
        row.as_ref().map(designation_from_row).transpose()
    }

    pub(crate) async fn designate_respondent(
        pool: &Pool<Db>,
        by: &Attribution,
        designation: &Designation,
    ) -> Result<Designation, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        check_member(&mut write.transaction, &designation.organisation_id, designation.respondent).await?;
        if let Some(substitute) = designation.substitute {
            check_member(&mut write.transaction, &designation.organisation_id, substitute).await?;
        }
        // The primary key (organisation, unit) is R-40's "at most one respondent per unit":
        // a second designation fails there and comes back as `AlreadyExists`.
        sqlx::query(
            "INSERT INTO unit_designations (organisation_id, unit_id, sector_id, respondent_user_id, substitute_user_id) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(designation.organisation_id.as_str())
        .bind(designation.unit.as_str())
        .bind(designation.sector.as_str())
        .bind(designation.respondent.get())
        .bind(designation.substitute.map(UserId::get))
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        write
            .append(&event(
                &with_rule(by, RULE_DESIGNATION),
                "respondent_designated",
                EntityKind::Other,
                unit_entity_id(&designation.organisation_id, &designation.unit),
                None,
                Some(designation_json(designation)),
            )?)
            .await?;
        write.commit().await?;
        Ok(designation.clone())
    }

    /// Changes the respondent and/or the substitute of a unit that already has a designation.
    pub(crate) async fn change_designation(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        unit: &UnitId,
        respondent: Option<UserId>,
        substitute: Option<Option<UserId>>,
    ) -> Result<Designation, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let Some(before) = fetch_designation(&mut *write.transaction, organisation_id, unit).await? else {
            return Err(StoreError::NotFound { entity: EntityKind::Other, id: unit_entity_id(organisation_id, unit) });
        };
        let mut after = before.clone();
        if let Some(respondent) = respondent {
            check_member(&mut write.transaction, organisation_id, respondent).await?;
            after.respondent = respondent;
        }
        if let Some(substitute) = substitute {
            if let Some(user) = substitute {
                check_member(&mut write.transaction, organisation_id, user).await?;
            }
            after.substitute = substitute;
        }
        if after == before {
            return Ok(after);
        }
        sqlx::query(
            "UPDATE unit_designations SET respondent_user_id = $1, substitute_user_id = $2 \
             WHERE organisation_id = $3 AND unit_id = $4",
        )
        .bind(after.respondent.get())
        .bind(after.substitute.map(UserId::get))
        .bind(organisation_id.as_str())
        .bind(unit.as_str())
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        write
            .append(&event(
                &with_rule(by, RULE_DESIGNATION),
                "designation_changed",
                EntityKind::Other,
                unit_entity_id(organisation_id, unit),
                Some(designation_json(&before)),
                Some(designation_json(&after)),
            )?)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn list_designations(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<Designation>, StoreError> {
        let sql = format!(
            "SELECT {DESIGNATION_COLUMNS} FROM unit_designations WHERE organisation_id = $1 ORDER BY sector_id, unit_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(designation_from_row).collect()
    }

    pub(crate) async fn list_respondents(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<RespondentEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.organisation_id, d.unit_id, d.sector_id, d.respondent_user_id, d.substitute_user_id, \
             r.login AS respondent_login, r.display_name AS respondent_name, \
             s.login AS substitute_login, s.display_name AS substitute_name \
             FROM unit_designations d JOIN users r ON r.id = d.respondent_user_id \
             LEFT JOIN users s ON s.id = d.substitute_user_id \
             WHERE d.organisation_id = $1 ORDER BY d.sector_id, d.unit_id",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let substitute_login: Option<String> = get(row, "substitute_login")?;
                Ok(RespondentEntry {
                    designation: designation_from_row(row)?,
                    respondent_login: Login::parse(&get::<String>(row, "respondent_login")?)
                        .map_err(corrupt("users", "login"))?,
                    respondent_name: get(row, "respondent_name")?,
                    substitute_login: substitute_login
                        .as_deref()
                        .map(Login::parse)
                        .transpose()
                        .map_err(corrupt("users", "login"))?,
                    substitute_name: get(row, "substitute_name")?,
                })
            })
            .collect()
    }

    pub(crate) async fn record_absence(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        user: UserId,
        period: Period,
        reason: &str,
    ) -> Result<Absence, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        check_member(&mut write.transaction, organisation_id, user).await?;
        let sql = format!(
            "INSERT INTO absences (organisation_id, user_id, starts_at, ends_at, reason) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {ABSENCE_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .bind(user.get())
            .bind(to_microseconds(period.start()))
            .bind(to_microseconds(period.end()))
            .bind(reason)
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Other)?;
        let absence = absence_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, RULE_DESIGNATION),
                "absence_recorded",
                EntityKind::Other,
                format!("absence:{}", absence.id),
                None,
                Some(absence_json(&absence)),
            )?)
            .await?;
        write.commit().await?;
        Ok(absence)
    }

    pub(crate) async fn cancel_absence(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        absence_id: i64,
    ) -> Result<Absence, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let sql = format!(
            "UPDATE absences SET cancelled = $1 WHERE id = $2 AND organisation_id = $3 AND cancelled = $4 \
             RETURNING {ABSENCE_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(true)
            .bind(absence_id)
            .bind(organisation_id.as_str())
            .bind(false)
            .fetch_optional(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Other)?;
        let Some(row) = row else {
            return Err(StoreError::NotFound { entity: EntityKind::Other, id: format!("absence:{absence_id}") });
        };
        let absence = absence_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, RULE_DESIGNATION),
                "absence_cancelled",
                EntityKind::Other,
                format!("absence:{}", absence.id),
                Some(absence_json(&absence)),
                None,
            )?)
            .await?;
        write.commit().await?;
        Ok(absence)
    }

    pub(super) async fn fetch_absences(
        executor: impl sqlx::Executor<'_, Database = Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<Absence>, StoreError> {
        let sql = format!(
            "SELECT {ABSENCE_COLUMNS} FROM absences WHERE organisation_id = $1 AND cancelled = $2 ORDER BY starts_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .bind(false)
            .fetch_all(executor)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(absence_from_row).collect()
    }

    pub(crate) async fn list_absences(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<Absence>, StoreError> {
        fetch_absences(pool, organisation_id).await
    }

    /// Hands `case` to `user` inside `write`: assignment history, the case's assignee, and
    /// the audit entry under R-41 naming the previous and the new holder.
    pub(super) async fn hand_over(
        write: &mut WriteTransaction,
        by: &Attribution,
        action: &str,
        case: &Case,
        unit: &UnitId,
        user: UserId,
    ) -> Result<Assignment, StoreError> {
        let now = to_microseconds(write.now);
        let row = sqlx::query(
            "INSERT INTO assignments (case_id, user_id, assigned_at) VALUES ($1, $2, $3) \
             RETURNING id, case_id, user_id, assigned_at",
        )
        .bind(case.id.get())
        .bind(user.get())
        .bind(now)
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?;
        let assignment = assignment_from_row(&row)?;
        sqlx::query("UPDATE cases SET assignee_user_id = $1, updated_at = $2 WHERE id = $3")
            .bind(user.get())
            .bind(now)
            .bind(case.id.get())
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Case)?;
        let mut after = case.clone();
        after.assignee = Some(user);
        after.updated_at = write.now;
        let after_json = serde_json::json!({
            "case": serde_json::from_str::<serde_json::Value>(&case_json(&after)).unwrap_or_default(),
            "unit": unit.as_str(),
            "from_user_id": case.assignee.map(UserId::get),
            "to_user_id": user.get(),
            "assignment_id": assignment.id.get(),
        })
        .to_string();
        write
            .append(&event(
                &with_rule(by, RULE_TRANSFER),
                action,
                EntityKind::Case,
                case.id.to_string(),
                Some(case_json(case)),
                Some(after_json),
            )?)
            .await?;
        Ok(assignment)
    }

    pub(crate) async fn assign_case_to_unit(
        pool: &Pool<Db>,
        by: &Attribution,
        case_id: CaseId,
        unit: &UnitId,
        at: Timestamp,
    ) -> Result<Option<Assignment>, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let Some(case) = fetch_case(&mut *write.transaction, case_id).await? else {
            return Err(StoreError::NotFound { entity: EntityKind::Case, id: case_id.to_string() });
        };
        let Some(designation) = fetch_designation(&mut *write.transaction, &case.organisation_id, unit).await? else {
            return Err(StoreError::NotFound {
                entity: EntityKind::Other,
                id: unit_entity_id(&case.organisation_id, unit),
            });
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
        let absences = fetch_absences(&mut *write.transaction, &case.organisation_id).await?;
        let assignment = match responsible_at(&designation, &absences, at) {
            Some(user) => Some(hand_over(&mut write, by, "case_assigned_to_unit", &case, unit, user).await?),
            None => {
                // Nobody is available: the case still belongs to the unit, and the log says
                // so, so the communications team sees it unassigned for a reason.
                write
                    .append(&event(
                        &with_rule(by, RULE_TRANSFER),
                        "case_unit_unstaffed",
                        EntityKind::Case,
                        case_id.to_string(),
                        Some(case_json(&case)),
                        Some(serde_json::json!({ "unit": unit.as_str(), "at": at.to_string() }).to_string()),
                    )?)
                    .await?;
                None
            }
        };
        write.commit().await?;
        Ok(assignment)
    }

    pub(crate) async fn reassign_for_absences(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        at: Timestamp,
    ) -> Result<Vec<Transfer>, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let designations: HashMap<String, Designation> = {
            let sql = format!("SELECT {DESIGNATION_COLUMNS} FROM unit_designations WHERE organisation_id = $1");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(organisation_id.as_str())
                .fetch_all(&mut *write.transaction)
                .await
                .map_err(StoreError::Database)?;
            rows.iter()
                .map(|row| designation_from_row(row).map(|d| (d.unit.as_str().to_owned(), d)))
                .collect::<Result<_, _>>()?
        };
        let absences = fetch_absences(&mut *write.transaction, organisation_id).await?;
        let rows = sqlx::query(
            "SELECT c.id AS id, c.organisation_id AS organisation_id, c.message_id AS message_id, c.route AS route, \
             c.status AS status, c.assignee_user_id AS assignee_user_id, c.opened_at AS opened_at, \
             c.updated_at AS updated_at, u.unit_id AS unit_id \
             FROM cases c JOIN case_units u ON u.case_id = c.id \
             WHERE c.organisation_id = $1 AND c.status IN ('open', 'in_progress') ORDER BY c.id",
        )
        .bind(organisation_id.as_str())
        .fetch_all(&mut *write.transaction)
        .await
        .map_err(StoreError::Database)?;
        let mut transfers = Vec::new();
        for row in &rows {
            let case = case_from_row(row)?;
            let unit_text: String = get(row, "unit_id")?;
            let Some(designation) = designations.get(&unit_text) else { continue };
            let Some(responsible) = responsible_at(designation, &absences, at) else { continue };
            if case.assignee == Some(responsible) {
                continue;
            }
            let assignment =
                hand_over(&mut write, by, "case_transferred", &case, &designation.unit, responsible).await?;
            transfers.push(Transfer { case_id: case.id, from: case.assignee, to: responsible, assignment });
        }
        if transfers.is_empty() {
            return Ok(transfers);
        }
        write.commit().await?;
        Ok(transfers)
    }

    pub(crate) async fn start_vigilance(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        start: Timestamp,
        reason: &str,
    ) -> Result<VigilanceRecord, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let sql = format!(
            "INSERT INTO vigilance_periods (organisation_id, starts_at, ends_at, reason, started_by) \
             VALUES ($1, $2, NULL, $3, $4) RETURNING {VIGILANCE_COLUMNS}"
        );
        // The partial unique index refuses a second running period: `AlreadyExists`.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .bind(to_microseconds(start))
            .bind(reason)
            .bind(by.actor.to_audit_text())
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Other)?;
        let record = vigilance_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, "R-03"),
                "vigilance_started",
                EntityKind::Other,
                format!("vigilance:{}", record.id),
                None,
                Some(vigilance_json(&record)),
            )?)
            .await?;
        write.commit().await?;
        Ok(record)
    }

    pub(crate) async fn stop_vigilance(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        end: Timestamp,
    ) -> Result<Option<VigilanceRecord>, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let sql = format!(
            "SELECT {VIGILANCE_COLUMNS} FROM vigilance_periods WHERE organisation_id = $1 AND ends_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        let Some(row) = row else { return Ok(None) };
        let before = vigilance_from_row(&row)?;
        let sql = format!("UPDATE vigilance_periods SET ends_at = $1 WHERE id = $2 RETURNING {VIGILANCE_COLUMNS}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_microseconds(end))
            .bind(before.id)
            .fetch_one(&mut *write.transaction)
            .await
            .for_entity(EntityKind::Other)?;
        let after = vigilance_from_row(&row)?;
        write
            .append(&event(
                &with_rule(by, "R-03"),
                "vigilance_stopped",
                EntityKind::Other,
                format!("vigilance:{}", after.id),
                Some(vigilance_json(&before)),
                Some(vigilance_json(&after)),
            )?)
            .await?;
        write.commit().await?;
        Ok(Some(after))
    }

    pub(crate) async fn list_vigilance(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<VigilanceRecord>, StoreError> {
        let sql = format!(
            "SELECT {VIGILANCE_COLUMNS} FROM vigilance_periods WHERE organisation_id = $1 ORDER BY starts_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organisation_id.as_str())
            .fetch_all(pool)
            .await
            .map_err(StoreError::Database)?;
        rows.iter().map(vigilance_from_row).collect()
    }

    pub(crate) async fn set_notification_address(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        recipient: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        sqlx::query(
            "INSERT INTO notification_addresses (organisation_id, recipient, address) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id, recipient) DO UPDATE SET address = excluded.address",
        )
        .bind(organisation_id.as_str())
        .bind(recipient)
        .bind(address)
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Other)?;
        write
            .append(&event(
                by,
                "notification_address_set",
                EntityKind::Other,
                format!("recipient:{organisation_id}/{recipient}"),
                None,
                Some(serde_json::json!({ "recipient": recipient, "address": address }).to_string()),
            )?)
            .await?;
        write.commit().await
    }

    pub(crate) async fn notification_addresses(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT recipient, address FROM notification_addresses WHERE organisation_id = $1 ORDER BY recipient",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter().map(|row| Ok((get(row, "recipient")?, get(row, "address")?))).collect()
    }

    pub(crate) async fn sent_notifications(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<SentNotification>, StoreError> {
        let rows = sqlx::query(
            "SELECT case_id, stage, kind FROM notifications_sent WHERE organisation_id = $1 ORDER BY case_id, stage, kind",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, "kind")?;
                Ok(SentNotification {
                    case_id: CaseId::new(get(row, "case_id")?),
                    stage: get(row, "stage")?,
                    kind: NotificationKind::parse(&kind).ok_or_else(|| StoreError::CorruptRow {
                        table: "notifications_sent",
                        column: "kind",
                        reason: format!("unknown kind {kind:?}"),
                    })?,
                })
            })
            .collect()
    }

    pub(crate) async fn record_notification_sent(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        sent: &SentNotification,
        recipients: &[String],
    ) -> Result<bool, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO notifications_sent (organisation_id, case_id, stage, kind, sent_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (case_id, stage, kind) DO NOTHING",
        )
        .bind(organisation_id.as_str())
        .bind(sent.case_id.get())
        .bind(&sent.stage)
        .bind(sent.kind.code())
        .bind(to_microseconds(write.now))
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::Case)?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        let (action, rule) = match sent.kind {
            NotificationKind::Warning => ("deadline_warning_sent", "R-03"),
            NotificationKind::Breach => ("deadline_breach_escalated", "R-03"),
            NotificationKind::UrgentPage => ("urgent_case_paged", "R-13"),
            NotificationKind::DirectorateReferral => ("directorate_referral_sent", "R-24"),
        };
        write
            .append(&event(
                &with_rule(by, rule),
                action,
                EntityKind::Case,
                sent.case_id.to_string(),
                None,
                Some(serde_json::json!({ "stage": sent.stage, "kind": sent.kind.code(), "recipients": recipients }).to_string()),
            )?)
            .await?;
        write.commit().await?;
        Ok(true)
    }

    pub(crate) async fn cases_for_deadlines(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
    ) -> Result<Vec<CaseForDeadlines>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id AS id, c.organisation_id AS organisation_id, c.message_id AS message_id, c.route AS route, \
             c.status AS status, c.assignee_user_id AS assignee_user_id, c.opened_at AS opened_at, \
             c.updated_at AS updated_at, m.received_at AS received_at, m.text AS text, \
             u.unit_id AS unit_id, d.sector_id AS sector_id \
             FROM cases c JOIN messages m ON m.id = c.message_id \
             LEFT JOIN case_units u ON u.case_id = c.id \
             LEFT JOIN unit_designations d ON d.organisation_id = c.organisation_id AND d.unit_id = u.unit_id \
             WHERE c.organisation_id = $1 AND c.status IN ('open', 'in_progress') ORDER BY c.id",
        )
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter()
            .map(|row| {
                let unit: Option<String> = get(row, "unit_id")?;
                let sector: Option<String> = get(row, "sector_id")?;
                Ok(CaseForDeadlines {
                    case: case_from_row(row)?,
                    received_at: from_microseconds("messages", "received_at", get(row, "received_at")?)?,
                    text: get(row, "text")?,
                    unit: unit.as_deref().map(UnitId::parse).transpose().map_err(bad_stored("case_units", "unit_id"))?,
                    sector: sector
                        .as_deref()
                        .map(SectorId::from_stored)
                        .transpose()
                        .map_err(bad_stored("unit_designations", "sector_id"))?,
                })
            })
            .collect()
    }
}
