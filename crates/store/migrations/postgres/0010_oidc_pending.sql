-- Pending OpenID Connect sign-ins: a sign-in sent to the identity provider and not back yet,
-- kept in the database (not in one instance's memory) so the provider's answer may land on
-- any of several Balise instances sharing it. The key is the hex SHA-256 of the `state`
-- (never the state itself, which only the browser's cookie and the provider hold); a row
-- is taken (deleted and returned) once, and lives 10 minutes at most. Times are
-- microseconds since the Unix epoch, like the rest of the schema. Not audited: anyone can
-- start a sign-in anonymously (the sign-in itself and its failures are audited).

CREATE TABLE oidc_pending_sign_ins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_path TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX oidc_pending_sign_ins_by_expiry ON oidc_pending_sign_ins (expires_at);
