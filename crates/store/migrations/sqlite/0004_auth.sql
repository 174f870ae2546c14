-- Sign-in and sessions: sessions (the id is the SHA-256 of the cookie's token, never the
-- token itself), failed sign-ins and lock-outs, and API tokens (stored hashed, revocable).
-- Times are microseconds since the Unix epoch, like the rest of the schema.

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_login ON sign_in_failures (login, at);

CREATE TABLE sign_in_lockouts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    locked_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    CHECK (locked_until > locked_at)
);
CREATE INDEX sign_in_lockouts_by_login ON sign_in_lockouts (login, locked_until);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
