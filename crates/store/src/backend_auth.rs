// Sign-in, sessions, lock-outs and API tokens, written once for both backends: `sqlite.rs`
// and `postgres.rs` each `include!` this file after `backend_shared.rs`. Everything lives in
// the child module `auth`, reusing the parent's `WriteTransaction`, `event` and row helpers.

pub(crate) mod auth {
    use super::*;

    use jiff::Timestamp;

    use crate::auth::{
        ApiToken, EmailAddress, FailureOutcome, LockoutRule, NewApiToken, OidcIdentity, PendingOidcSave, PendingOidcSignIn,
        Session, SignInMethod, PENDING_OIDC_PURGE_BATCH,
    };

    const USER_COLUMNS: &str = "id, organisation_id, login, display_name, role, password_hash";
    const TOKEN_COLUMNS: &str = "id, user_id, name, role, created_at, last_used_at, revoked_at";

    /// Entity id of a sign-in attempt: the login as typed, bounded so a hostile client
    /// cannot fill the log with one huge entry.
    fn attempt_entity_id(login: &str) -> String {
        let bounded: String = login.chars().take(128).collect();
        format!("login:{bounded}")
    }

    fn session_json(user: &User, created_at: Timestamp, method: SignInMethod<'_>) -> String {
        let mut json = serde_json::json!({
            "user_id": user.id.get(),
            "login": user.login.as_str(),
            "role": user.role.as_str(),
            "signed_in_at": created_at.to_string(),
            "method": method.code(),
        });
        if let SignInMethod::Oidc { issuer, subject } = method {
            json["issuer"] = serde_json::Value::from(issuer);
            json["subject"] = serde_json::Value::from(subject);
        }
        json.to_string()
    }

    fn token_json(token: &ApiToken) -> String {
        serde_json::json!({
            "id": token.id,
            "user_id": token.user_id.get(),
            "name": token.name,
            "role": token.role.as_str(),
            "created_at": token.created_at.to_string(),
            "revoked_at": token.revoked_at.map(|at| at.to_string()),
        })
        .to_string()
    }

    fn optional_time(table: &'static str, column: &'static str, value: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
        value.map(|microseconds| from_microseconds(table, column, microseconds)).transpose()
    }

    fn token_from_row(row: &<Db as sqlx::Database>::Row) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            id: get(row, "id")?,
            user_id: UserId::new(get(row, "user_id")?),
            name: get(row, "name")?,
            role: RoleId::parse(&get::<String>(row, "role")?).map_err(corrupt("api_tokens", "role"))?,
            created_at: from_microseconds("api_tokens", "created_at", get(row, "created_at")?)?,
            last_used_at: optional_time("api_tokens", "last_used_at", get(row, "last_used_at")?)?,
            revoked_at: optional_time("api_tokens", "revoked_at", get(row, "revoked_at")?)?,
        })
    }

    async fn fetch_user(
        executor: impl sqlx::Executor<'_, Database = Db>,
        id: UserId,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
            .bind(id.get())
            .fetch_optional(executor)
            .await
            .map_err(StoreError::Database)?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub(crate) async fn get_user(pool: &Pool<Db>, id: UserId) -> Result<Option<User>, StoreError> {
        fetch_user(pool, id).await
    }

    pub(crate) async fn list_users(pool: &Pool<Db>, organisation_id: &OrganisationId) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE organisation_id = $1 ORDER BY login"
        )))
        .bind(organisation_id.as_str())
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter().map(user_from_row).collect()
    }

    pub(crate) async fn set_password(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        hash: &PasswordHash,
    ) -> Result<(), StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let user = fetch_user(&mut *write.transaction, user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.expose())
            .bind(user_id.get())
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::User)?;
        // A new password ends every session opened with the old one.
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.get())
            .execute(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?
            .rows_affected();
        let after = serde_json::json!({
            "login": user.login.as_str(),
            "sessions_ended": ended,
        })
        .to_string();
        write
            .append(&event(by, "password_changed", EntityKind::User, user_id.to_string(), None, Some(after))?)
            .await?;
        write.commit().await
    }

    pub(crate) async fn create_session(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
    ) -> Result<Session, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let session = open_session(&mut write, by, user_id, token_hash, csrf_token, SignInMethod::Password).await?;
        write.commit().await?;
        Ok(session)
    }

    /// Inserts a session row, forgets the user's failed attempts and appends `signed_in`
    /// (with how the person proved who they are), inside the caller's write transaction.
    async fn open_session(
        write: &mut WriteTransaction,
        by: &Attribution,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
        method: SignInMethod<'_>,
    ) -> Result<Session, StoreError> {
        let user = fetch_user(&mut *write.transaction, user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
        let now = to_microseconds(write.now);
        sqlx::query(
            "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(user_id.get())
        .bind(csrf_token)
        .bind(now)
        .execute(&mut *write.transaction)
        .await
        .for_entity(EntityKind::User)?;
        // A successful sign-in starts the count of failures afresh.
        sqlx::query("DELETE FROM sign_in_failures WHERE login = $1")
            .bind(user.login.as_str())
            .execute(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        write
            .append(&event(
                by,
                "signed_in",
                EntityKind::User,
                user_id.to_string(),
                None,
                Some(session_json(&user, write.now, method)),
            )?)
            .await?;
        let created_at = write.now;
        Ok(Session {
            token_hash: token_hash.to_owned(),
            user,
            csrf_token: csrf_token.to_owned(),
            created_at,
            last_seen_at: created_at,
        })
    }

    pub(crate) async fn session_by_token_hash(pool: &Pool<Db>, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at, \
             u.id, u.organisation_id, u.login, u.display_name, u.role, u.password_hash \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            token_hash: get(&row, "session_id")?,
            user: user_from_row(&row)?,
            csrf_token: get(&row, "csrf_token")?,
            created_at: from_microseconds("sessions", "created_at", get(&row, "created_at")?)?,
            last_seen_at: from_microseconds("sessions", "last_seen_at", get(&row, "last_seen_at")?)?,
        }))
    }

    pub(crate) async fn touch_session(pool: &Pool<Db>, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(to_microseconds(at))
            .bind(token_hash)
            .execute(pool)
            .await
            .map_err(StoreError::Database)?;
        Ok(())
    }

    pub(crate) async fn delete_session(pool: &Pool<Db>, by: &Attribution, token_hash: &str) -> Result<bool, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let user_id: Option<i64> = sqlx::query_scalar("DELETE FROM sessions WHERE id = $1 RETURNING user_id")
            .bind(token_hash)
            .fetch_optional(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        let Some(user_id) = user_id else {
            return Ok(false);
        };
        write
            .append(&event(by, "signed_out", EntityKind::User, user_id.to_string(), None, None)?)
            .await?;
        write.commit().await?;
        Ok(true)
    }

    pub(crate) async fn purge_expired_sessions(
        pool: &Pool<Db>,
        idle_before: Timestamp,
        opened_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(to_microseconds(idle_before))
            .bind(to_microseconds(opened_before))
            .execute(pool)
            .await
            .map_err(StoreError::Database)?;
        Ok(result.rows_affected())
    }

    async fn last_lockout_end(
        executor: impl sqlx::Executor<'_, Database = Db>,
        login: &str,
    ) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MAX(locked_until) FROM sign_in_lockouts WHERE login = $1")
            .bind(login)
            .fetch_one(executor)
            .await
            .map_err(StoreError::Database)
    }

    async fn count_failures(
        executor: impl sqlx::Executor<'_, Database = Db>,
        login: &str,
        since: i64,
    ) -> Result<u32, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE login = $1 AND at >= $2")
            .bind(login)
            .bind(since)
            .fetch_one(executor)
            .await
            .map_err(StoreError::Database)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    pub(crate) async fn record_sign_in_failure(
        pool: &Pool<Db>,
        by: &Attribution,
        login: &str,
        rule: LockoutRule,
    ) -> Result<FailureOutcome, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let now = write.now;
        sqlx::query("INSERT INTO sign_in_failures (login, at) VALUES ($1, $2)")
            .bind(login)
            .bind(to_microseconds(now))
            .execute(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        let window_start = to_microseconds(now) - i64::try_from(rule.window.as_micros()).unwrap_or(i64::MAX);
        // Failures before the end of the last lock-out were already punished.
        let since = last_lockout_end(&mut *write.transaction, login)
            .await?
            .map_or(window_start, |end| end.max(window_start));
        let recent_failures = count_failures(&mut *write.transaction, login, since).await?;
        let entity_id = attempt_entity_id(login);
        let failure = serde_json::json!({ "recent_failures": recent_failures }).to_string();
        write
            .append(&event(by, "sign_in_failed", EntityKind::Other, entity_id.clone(), None, Some(failure))?)
            .await?;
        let mut locked_until = None;
        if recent_failures >= rule.threshold {
            let until = now
                .checked_add(rule.duration)
                .map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
            sqlx::query("INSERT INTO sign_in_lockouts (login, locked_at, locked_until) VALUES ($1, $2, $3)")
                .bind(login)
                .bind(to_microseconds(now))
                .bind(to_microseconds(until))
                .execute(&mut *write.transaction)
                .await
                .map_err(StoreError::Database)?;
            let lockout = serde_json::json!({
                "failures": recent_failures,
                "locked_until": until.to_string(),
            })
            .to_string();
            write
                .append(&event(by, "sign_in_locked_out", EntityKind::Other, entity_id, None, Some(lockout))?)
                .await?;
            locked_until = Some(until);
        }
        write.commit().await?;
        Ok(FailureOutcome { recent_failures, locked_until })
    }

    pub(crate) async fn active_lockout(pool: &Pool<Db>, login: &str, at: Timestamp) -> Result<Option<Timestamp>, StoreError> {
        let until: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(locked_until) FROM sign_in_lockouts WHERE login = $1 AND locked_at <= $2 AND locked_until > $2",
        )
        .bind(login)
        .bind(to_microseconds(at))
        .fetch_one(pool)
        .await
        .map_err(StoreError::Database)?;
        optional_time("sign_in_lockouts", "locked_until", until)
    }

    pub(crate) async fn recent_failures(pool: &Pool<Db>, login: &str, since: Timestamp) -> Result<u32, StoreError> {
        count_failures(pool, login, to_microseconds(since)).await
    }

    pub(crate) async fn create_api_token(pool: &Pool<Db>, by: &Attribution, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let user = fetch_user(&mut *write.transaction, token.user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: token.user_id.to_string() })?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO api_tokens (token_hash, user_id, name, role, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {TOKEN_COLUMNS}"
        )))
        .bind(&token.token_hash)
        .bind(user.id.get())
        .bind(&token.name)
        .bind(user.role.as_str())
        .bind(to_microseconds(write.now))
        .fetch_one(&mut *write.transaction)
        .await
        .for_entity(EntityKind::User)?;
        let created = token_from_row(&row)?;
        write
            .append(&event(by, "api_token_created", EntityKind::User, user.id.to_string(), None, Some(token_json(&created)))?)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn api_token_by_hash(pool: &Pool<Db>, token_hash: &str) -> Result<Option<(ApiToken, User)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1")))
            .bind(token_hash)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::Database)?;
        let Some(row) = row else { return Ok(None) };
        let token = token_from_row(&row)?;
        let user = fetch_user(pool, token.user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: token.user_id.to_string() })?;
        Ok(Some((token, user)))
    }

    pub(crate) async fn touch_api_token(pool: &Pool<Db>, id: i64, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(to_microseconds(at))
            .bind(id)
            .execute(pool)
            .await
            .map_err(StoreError::Database)?;
        Ok(())
    }

    async fn fetch_token_of_organisation(
        executor: impl sqlx::Executor<'_, Database = Db>,
        organisation_id: &OrganisationId,
        id: i64,
    ) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.user_id, t.name, t.role, t.created_at, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1 AND u.organisation_id = $2",
        )
        .bind(id)
        .bind(organisation_id.as_str())
        .fetch_optional(executor)
        .await
        .map_err(StoreError::Database)?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub(crate) async fn revoke_api_token(
        pool: &Pool<Db>,
        by: &Attribution,
        organisation_id: &OrganisationId,
        id: i64,
    ) -> Result<ApiToken, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let before = fetch_token_of_organisation(&mut *write.transaction, organisation_id, id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::Other, id: format!("api_token:{id}") })?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 RETURNING {TOKEN_COLUMNS}"
        )))
        .bind(to_microseconds(write.now))
        .bind(id)
        .fetch_one(&mut *write.transaction)
        .await
        .map_err(StoreError::Database)?;
        let after = token_from_row(&row)?;
        write
            .append(&event(
                by,
                "api_token_revoked",
                EntityKind::User,
                after.user_id.to_string(),
                Some(token_json(&before)),
                Some(token_json(&after)),
            )?)
            .await?;
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn list_api_tokens(
        pool: &Pool<Db>,
        organisation_id: &OrganisationId,
        user: Option<UserId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.user_id, t.name, t.role, t.created_at, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE u.organisation_id = $1 AND ($2 IS NULL OR t.user_id = $2) ORDER BY t.id DESC",
        )
        .bind(organisation_id.as_str())
        .bind(user.map(UserId::get))
        .fetch_all(pool)
        .await
        .map_err(StoreError::Database)?;
        rows.iter().map(token_from_row).collect()
    }

    // ------------------------------------------------------------ OpenID Connect identities

    fn identity_json(user: &User, identity: &OidcIdentity, how: &str) -> String {
        serde_json::json!({
            "login": user.login.as_str(),
            "issuer": identity.issuer,
            "subject": identity.subject,
            "linked_by": how,
        })
        .to_string()
    }

    pub(crate) async fn user_by_oidc_identity(pool: &Pool<Db>, identity: &OidcIdentity) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.organisation_id, u.login, u.display_name, u.role, u.password_hash \
             FROM oidc_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub(crate) async fn user_by_email_unlinked(
        pool: &Pool<Db>,
        issuer: &str,
        email: &EmailAddress,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1 \
             AND NOT EXISTS (SELECT 1 FROM oidc_identities i WHERE i.user_id = users.id AND i.issuer = $2)"
        )))
        .bind(email.as_str())
        .bind(issuer)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub(crate) async fn user_email(pool: &Pool<Db>, user_id: UserId) -> Result<Option<EmailAddress>, StoreError> {
        let email: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id.get())
            .fetch_optional(pool)
            .await
            .map_err(StoreError::Database)?;
        email
            .flatten()
            .map(|text| EmailAddress::parse(&text).map_err(|error| StoreError::CorruptRow { table: "users", column: "email", reason: error.to_string() }))
            .transpose()
    }

    pub(crate) async fn set_user_email(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        email: Option<&EmailAddress>,
    ) -> Result<(), StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let user = fetch_user(&mut *write.transaction, user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
        let before: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id.get())
            .fetch_one(&mut *write.transaction)
            .await
            .map_err(StoreError::Database)?;
        if before.as_deref() == email.map(EmailAddress::as_str) {
            return Ok(());
        }
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.map(EmailAddress::as_str))
            .bind(user_id.get())
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::User)?;
        let before = serde_json::json!({ "login": user.login.as_str(), "email": before }).to_string();
        let after = serde_json::json!({ "login": user.login.as_str(), "email": email.map(EmailAddress::as_str) }).to_string();
        write
            .append(&event(by, "user_email_changed", EntityKind::User, user_id.to_string(), Some(before), Some(after))?)
            .await?;
        write.commit().await
    }

    /// Binds `identity` to the user inside `write`, replacing the user's earlier subject at
    /// the same issuer; audited `oidc_identity_linked`.
    async fn bind_identity(
        write: &mut WriteTransaction,
        by: &Attribution,
        user: &User,
        identity: &OidcIdentity,
        how: &str,
        replace_earlier: bool,
    ) -> Result<(), StoreError> {
        // Only an administrator replaces a link; a sign-in by e-mail links an account that
        // has none, and the unique (user, issuer) key refuses it otherwise.
        let previous: Option<String> = if replace_earlier {
            sqlx::query_scalar("DELETE FROM oidc_identities WHERE user_id = $1 AND issuer = $2 RETURNING subject")
                .bind(user.id.get())
                .bind(&identity.issuer)
                .fetch_optional(&mut *write.transaction)
                .await
                .map_err(StoreError::Database)?
        } else {
            None
        };
        sqlx::query("INSERT INTO oidc_identities (issuer, subject, user_id, linked_at) VALUES ($1, $2, $3, $4)")
            .bind(&identity.issuer)
            .bind(&identity.subject)
            .bind(user.id.get())
            .bind(to_microseconds(write.now))
            .execute(&mut *write.transaction)
            .await
            .for_entity(EntityKind::User)?;
        let before = previous.map(|subject| {
            serde_json::json!({ "login": user.login.as_str(), "issuer": identity.issuer, "subject": subject }).to_string()
        });
        write
            .append(&event(
                by,
                "oidc_identity_linked",
                EntityKind::User,
                user.id.to_string(),
                before,
                Some(identity_json(user, identity, how)),
            )?)
            .await?;
        Ok(())
    }

    pub(crate) async fn link_oidc_identity(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        identity: &OidcIdentity,
    ) -> Result<(), StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        let user = fetch_user(&mut *write.transaction, user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
        bind_identity(&mut write, by, &user, identity, "administrator", true).await?;
        write.commit().await
    }

    pub(crate) async fn create_oidc_session(
        pool: &Pool<Db>,
        by: &Attribution,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
        identity: &OidcIdentity,
        link_by_email: bool,
    ) -> Result<Session, StoreError> {
        let mut write = WriteTransaction::begin(pool).await?;
        if link_by_email {
            let user = fetch_user(&mut *write.transaction, user_id)
                .await?
                .ok_or_else(|| StoreError::NotFound { entity: EntityKind::User, id: user_id.to_string() })?;
            bind_identity(&mut write, by, &user, identity, "verified_email", false).await?;
        }
        let method = SignInMethod::Oidc { issuer: &identity.issuer, subject: &identity.subject };
        let session = open_session(&mut write, by, user_id, token_hash, csrf_token, method).await?;
        write.commit().await?;
        Ok(session)
    }

    const PENDING_COLUMNS: &str = "nonce, pkce_verifier, return_path, lang, created_at, expires_at";

    fn pending_from_row(row: &<Db as sqlx::Database>::Row) -> Result<PendingOidcSignIn, StoreError> {
        Ok(PendingOidcSignIn {
            nonce: get(row, "nonce")?,
            pkce_verifier: get(row, "pkce_verifier")?,
            return_path: get(row, "return_path")?,
            lang: get(row, "lang")?,
            created_at: from_microseconds("oidc_pending_sign_ins", "created_at", get(row, "created_at")?)?,
            expires_at: from_microseconds("oidc_pending_sign_ins", "expires_at", get(row, "expires_at")?)?,
        })
    }

    async fn purge_expired_pending(
        executor: impl sqlx::Executor<'_, Database = Db>,
        now: Timestamp,
        limit: u32,
    ) -> Result<u64, StoreError> {
        // A bounded DELETE: the subquery picks at most `limit` expired keys (SQLite has no
        // DELETE … LIMIT by default, PostgreSQL none at all).
        let result = sqlx::query(
            "DELETE FROM oidc_pending_sign_ins WHERE state_hash IN \
             (SELECT state_hash FROM oidc_pending_sign_ins WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)",
        )
        .bind(to_microseconds(now))
        .bind(i64::from(limit))
        .execute(executor)
        .await
        .map_err(StoreError::Database)?;
        Ok(result.rows_affected())
    }

    // No audit entry here (see the facade): pending sign-ins are anonymous.
    pub(crate) async fn save_pending_oidc_sign_in(
        pool: &Pool<Db>,
        state_hash: &str,
        pending: &PendingOidcSignIn,
        max_pending: u64,
    ) -> Result<PendingOidcSave, StoreError> {
        // No lock on the audit chain's head (nothing is audited); on SQLite the transaction
        // still takes the write lock up front, so the count and the insert see one state.
        let mut transaction = begin_write_transaction(pool).await.map_err(StoreError::Database)?;
        purge_expired_pending(&mut *transaction, pending.created_at, PENDING_OIDC_PURGE_BATCH).await?;
        let pending_now: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oidc_pending_sign_ins WHERE expires_at > $1")
            .bind(to_microseconds(pending.created_at))
            .fetch_one(&mut *transaction)
            .await
            .map_err(StoreError::Database)?;
        if u64::try_from(pending_now).unwrap_or(u64::MAX) >= max_pending {
            transaction.commit().await.map_err(StoreError::Database)?;
            return Ok(PendingOidcSave::TooMany);
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO oidc_pending_sign_ins (state_hash, {PENDING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(state_hash)
        .bind(&pending.nonce)
        .bind(&pending.pkce_verifier)
        .bind(&pending.return_path)
        .bind(&pending.lang)
        .bind(to_microseconds(pending.created_at))
        .bind(to_microseconds(pending.expires_at))
        .execute(&mut *transaction)
        .await
        .for_entity(EntityKind::Other)?;
        transaction.commit().await.map_err(StoreError::Database)?;
        Ok(PendingOidcSave::Saved)
    }

    pub(crate) async fn take_pending_oidc_sign_in(
        pool: &Pool<Db>,
        state_hash: &str,
        now: Timestamp,
    ) -> Result<Option<PendingOidcSignIn>, StoreError> {
        // One statement, hence one transaction: the row that a racing take deletes first is
        // gone for the other (PostgreSQL makes the second DELETE wait on the row lock, then
        // find nothing; SQLite serialises writers).
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM oidc_pending_sign_ins WHERE state_hash = $1 RETURNING {PENDING_COLUMNS}"
        )))
        .bind(state_hash)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::Database)?;
        let pending = row.as_ref().map(pending_from_row).transpose()?;
        Ok(pending.filter(|pending| pending.expires_at > now))
    }

    pub(crate) async fn purge_expired_oidc_sign_ins(pool: &Pool<Db>, now: Timestamp, limit: u32) -> Result<u64, StoreError> {
        purge_expired_pending(pool, now, limit).await
    }
}
