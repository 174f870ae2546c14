//! The store's side of sign-in: users' passwords, sessions, failed sign-ins and
//! lock-outs, and API tokens. Secrets never reach the database in clear: a session or an API
//! token is stored as the SHA-256 of its random token (the caller hashes), a password as its
//! argon2 hash. Every change that matters to an auditor (sign-in, failure, lock-out,
//! sign-out, password change, token creation and revocation) writes its audit entry in the
//! same transaction; the bookkeeping of "last seen" times does not (it would add one entry
//! per request and say nothing an auditor needs). The SQL is in `backend_auth.rs`.

use domain::audit::Attribution;
use domain::entities::{OrganisationId, PasswordHash, RoleId, User, UserId};
use jiff::{SignedDuration, Timestamp};

use crate::{postgres, sqlite, Store, StoreError};

/// A session, found by the hash of its cookie token, with its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the cookie's token (the row's id).
    pub token_hash: String,
    /// Who is signed in.
    pub user: User,
    /// The token forms and unsafe API calls must carry (CSRF).
    pub csrf_token: String,
    /// When the person signed in (the absolute limit counts from here).
    pub created_at: Timestamp,
    /// The last request seen (the idle limit counts from here).
    pub last_seen_at: Timestamp,
}

/// An API token, without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    /// Whose token it is (the creating user).
    pub user_id: UserId,
    /// A name the user chose, e.g. `connecteur facebook`.
    pub name: String,
    /// The creating user's role when it was created; the token acts with this role.
    pub role: RoleId,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A token to create: the caller generates the secret and passes only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: String,
    /// Hex SHA-256 of the secret shown once to the user.
    pub token_hash: String,
}

/// When repeated failures lock a login out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutRule {
    /// This many failures …
    pub threshold: u32,
    /// … within this window …
    pub window: SignedDuration,
    /// … refuse the login for this long.
    pub duration: SignedDuration,
}

impl LockoutRule {
    /// Five failures within fifteen minutes lock the login for fifteen minutes.
    pub const DEFAULT: LockoutRule = LockoutRule {
        threshold: 5,
        window: SignedDuration::from_mins(15),
        duration: SignedDuration::from_mins(15),
    };
}

/// What a recorded failure led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureOutcome {
    /// Failures counted in the window (since the last lock-out ended), this one included.
    pub recent_failures: u32,
    /// `Some` when this failure locked the login out, until then.
    pub locked_until: Option<Timestamp>,
}

/// How a person proved who they are when a session opened (written to the `signed_in`
/// audit entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInMethod<'a> {
    /// A local account's password.
    Password,
    /// An OpenID Connect identity provider.
    Oidc { issuer: &'a str, subject: &'a str },
}

impl SignInMethod<'_> {
    /// The code written to the audit log: `password` or `oidc`.
    pub fn code(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Oidc { .. } => "oidc",
        }
    }
}

/// A person's identity at an OpenID Connect provider: the provider's issuer URL and the
/// subject (`sub`) it gives the person, which is unique and stable only within that issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcIdentity {
    pub issuer: String,
    pub subject: String,
}

/// Why an e-mail address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("adresse courriel invalide « {text} » : {reason}")]
pub struct EmailAddressError {
    text: String,
    reason: &'static str,
}

/// An account's e-mail address, lowercased so that comparisons ignore case (providers and
/// administrators do not always agree on it). Checked only for shape: one `@` between a
/// non-empty local part and a domain with a dot, no spaces or control characters, at most
/// 254 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address (surrounding spaces are ignored).
    pub fn parse(text: &str) -> Result<EmailAddress, EmailAddressError> {
        let refuse = |reason| Err(EmailAddressError { text: text.chars().take(300).collect(), reason });
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 254 {
            return refuse("elle doit compter de 1 à 254 caractères");
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse("elle ne peut contenir d'espace ni de caractère de contrôle");
        }
        let Some((local, domain)) = trimmed.split_once('@') else {
            return refuse("il manque le @");
        };
        if local.is_empty() || domain.contains('@') || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return refuse("la forme attendue est nom@domaine.exemple");
        }
        Ok(EmailAddress(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A sign-in sent to an OpenID Connect provider and not back yet: what the callback needs to
/// finish it. Kept in the database, keyed by the hex SHA-256 of its `state` (the caller
/// hashes), so the provider's answer may land on any instance sharing the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingOidcSignIn {
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (RFC 7636) sent with the code.
    pub pkce_verifier: String,
    /// Where the person goes once signed in (already checked to be a local path).
    pub return_path: String,
    /// The language code of the pages (`fr` or `en`).
    pub lang: String,
    pub created_at: Timestamp,
    /// After this instant the sign-in can no longer be finished.
    pub expires_at: Timestamp,
}

/// What became of a pending sign-in given to [`Store::save_pending_oidc_sign_in`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingOidcSave {
    Saved,
    /// As many sign-ins as allowed are pending already; nothing was written.
    TooMany,
}

/// How many expired pending sign-ins one save forgets at most, so that a start never pays
/// for a long backlog (the next ones forget the rest).
pub const PENDING_OIDC_PURGE_BATCH: u32 = 500;

macro_rules! dispatch_auth {
    ($store:expr, $function:ident ( $($argument:expr),* )) => {
        match $store {
            Store::Sqlite(pool) => sqlite::auth::$function(pool, $($argument),*).await,
            Store::Postgres(pool) => postgres::auth::$function(pool, $($argument),*).await,
        }
    };
}

impl Store {
    /// A user by id.
    pub async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        dispatch_auth!(self, get_user(id))
    }

    /// The organisation's users, by login.
    pub async fn list_users(&self, organisation_id: &OrganisationId) -> Result<Vec<User>, StoreError> {
        dispatch_auth!(self, list_users(organisation_id))
    }

    /// Replaces a user's password hash and ends all their sessions (audited
    /// `password_changed`; the hash is never written to the log). `NotFound` when the user
    /// does not exist.
    pub async fn set_password(&self, by: &Attribution, user_id: UserId, hash: &PasswordHash) -> Result<(), StoreError> {
        dispatch_auth!(self, set_password(by, user_id, hash))
    }

    /// Opens a session for a user who just proved their password (audited `signed_in`) and
    /// forgets their earlier failed attempts.
    pub async fn create_session(
        &self,
        by: &Attribution,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
    ) -> Result<Session, StoreError> {
        dispatch_auth!(self, create_session(by, user_id, token_hash, csrf_token))
    }

    /// The session whose token hashes to `token_hash`, expired or not (the caller decides).
    pub async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        dispatch_auth!(self, session_by_token_hash(token_hash))
    }

    /// Records activity on a session (renews its idle limit). Not audited.
    pub async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        dispatch_auth!(self, touch_session(token_hash, at))
    }

    /// Ends a session (audited `signed_out` when `by` names why; expired sessions are
    /// ended with a system actor). `false` when there was no such session.
    pub async fn delete_session(&self, by: &Attribution, token_hash: &str) -> Result<bool, StoreError> {
        dispatch_auth!(self, delete_session(by, token_hash))
    }

    /// Forgets sessions idle since before `idle_before` or opened before `opened_before`
    /// (housekeeping; they are already refused). Returns how many.
    pub async fn purge_expired_sessions(&self, idle_before: Timestamp, opened_before: Timestamp) -> Result<u64, StoreError> {
        dispatch_auth!(self, purge_expired_sessions(idle_before, opened_before))
    }

    /// Records a failed sign-in for `login` (the text typed, which may name nobody), audited
    /// `sign_in_failed`; when it makes `rule.threshold` failures within `rule.window` (since
    /// the last lock-out ended), also locks the login out (audited `sign_in_locked_out`).
    pub async fn record_sign_in_failure(
        &self,
        by: &Attribution,
        login: &str,
        rule: LockoutRule,
    ) -> Result<FailureOutcome, StoreError> {
        dispatch_auth!(self, record_sign_in_failure(by, login, rule))
    }

    /// The end of the lock-out in force for `login` at `at`, if any.
    pub async fn active_lockout(&self, login: &str, at: Timestamp) -> Result<Option<Timestamp>, StoreError> {
        dispatch_auth!(self, active_lockout(login, at))
    }

    /// Failed sign-ins for `login` since `since`.
    pub async fn recent_failures(&self, login: &str, since: Timestamp) -> Result<u32, StoreError> {
        dispatch_auth!(self, recent_failures(login, since))
    }

    /// Creates an API token acting with the user's current role (audited
    /// `api_token_created`; the hash is not logged). `NotFound` for an unknown user.
    pub async fn create_api_token(&self, by: &Attribution, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        dispatch_auth!(self, create_api_token(by, token))
    }

    /// The token whose secret hashes to `token_hash`, with its user (revoked or not: the
    /// caller refuses revoked ones).
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<(ApiToken, User)>, StoreError> {
        dispatch_auth!(self, api_token_by_hash(token_hash))
    }

    /// Records a use of a token. Not audited.
    pub async fn touch_api_token(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        dispatch_auth!(self, touch_api_token(id, at))
    }

    /// Revokes a token of the organisation (audited `api_token_revoked`). `NotFound` when
    /// the organisation has no such token; revoking twice keeps the first time.
    pub async fn revoke_api_token(&self, by: &Attribution, organisation_id: &OrganisationId, id: i64) -> Result<ApiToken, StoreError> {
        dispatch_auth!(self, revoke_api_token(by, organisation_id, id))
    }

    /// The tokens of one user (`Some`) or of the whole organisation (`None`), newest first.
    pub async fn list_api_tokens(&self, organisation_id: &OrganisationId, user: Option<UserId>) -> Result<Vec<ApiToken>, StoreError> {
        dispatch_auth!(self, list_api_tokens(organisation_id, user))
    }

    /// The account linked to an OpenID Connect identity, if any.
    pub async fn user_by_oidc_identity(&self, identity: &OidcIdentity) -> Result<Option<User>, StoreError> {
        dispatch_auth!(self, user_by_oidc_identity(identity))
    }

    /// The account with this e-mail address that has no identity linked yet at `issuer`:
    /// the only account a first sign-in by verified e-mail may link to.
    pub async fn user_by_email_unlinked(&self, issuer: &str, email: &EmailAddress) -> Result<Option<User>, StoreError> {
        dispatch_auth!(self, user_by_email_unlinked(issuer, email))
    }

    /// The account's e-mail address, if it has one.
    pub async fn user_email(&self, user_id: UserId) -> Result<Option<EmailAddress>, StoreError> {
        dispatch_auth!(self, user_email(user_id))
    }

    /// Sets or clears an account's e-mail address (audited `user_email_changed`; nothing
    /// written when it does not change). `AlreadyExists` when another account has it,
    /// `NotFound` for an unknown user.
    pub async fn set_user_email(&self, by: &Attribution, user_id: UserId, email: Option<&EmailAddress>) -> Result<(), StoreError> {
        dispatch_auth!(self, set_user_email(by, user_id, email))
    }

    /// Links an account to an OpenID Connect identity, replacing the account's earlier
    /// subject at the same issuer (audited `oidc_identity_linked`, with the earlier subject
    /// as "before"). `AlreadyExists` when the identity belongs to another account.
    pub async fn link_oidc_identity(&self, by: &Attribution, user_id: UserId, identity: &OidcIdentity) -> Result<(), StoreError> {
        dispatch_auth!(self, link_oidc_identity(by, user_id, identity))
    }

    /// Opens a session for a person the identity provider vouched for (audited `signed_in`
    /// with `"method": "oidc"`, the issuer and the subject). With `link_by_email`, first binds
    /// the identity to the account (found by its verified e-mail address; audited
    /// `oidc_identity_linked`) in the same transaction; `AlreadyExists` if the account was
    /// linked to another subject in between.
    pub async fn create_oidc_session(
        &self,
        by: &Attribution,
        user_id: UserId,
        token_hash: &str,
        csrf_token: &str,
        identity: &OidcIdentity,
        link_by_email: bool,
    ) -> Result<Session, StoreError> {
        dispatch_auth!(self, create_oidc_session(by, user_id, token_hash, csrf_token, identity, link_by_email))
    }

    /// Keeps a pending OpenID Connect sign-in under `state_hash` (hex SHA-256 of its state),
    /// first forgetting up to [`PENDING_OIDC_PURGE_BATCH`] expired ones; `TooMany` (nothing
    /// written) when `max_pending` unexpired ones exist already, so anonymous starts cannot
    /// fill the database. Under races between instances the bound may be passed by as many
    /// starts as run at the same instant, no more. Not audited: anyone can start a sign-in
    /// without being known, and an entry per start would let anyone fill the log (the
    /// sign-in itself, and its failures, are audited).
    pub async fn save_pending_oidc_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingOidcSignIn,
        max_pending: u64,
    ) -> Result<PendingOidcSave, StoreError> {
        dispatch_auth!(self, save_pending_oidc_sign_in(state_hash, pending, max_pending))
    }

    /// Takes the pending sign-in keyed by `state_hash` back, once: the row is deleted and
    /// returned by one statement, so of two callbacks racing on the same state (even on two
    /// instances) exactly one gets it. `None` when there is none, or when it expired by `now`
    /// (it is forgotten all the same).
    pub async fn take_pending_oidc_sign_in(&self, state_hash: &str, now: Timestamp) -> Result<Option<PendingOidcSignIn>, StoreError> {
        dispatch_auth!(self, take_pending_oidc_sign_in(state_hash, now))
    }

    /// Forgets at most `limit` pending sign-ins expired by `now` (housekeeping: they are
    /// refused anyway). Returns how many.
    pub async fn purge_expired_oidc_sign_ins(&self, now: Timestamp, limit: u32) -> Result<u64, StoreError> {
        dispatch_auth!(self, purge_expired_oidc_sign_ins(now, limit))
    }
}
