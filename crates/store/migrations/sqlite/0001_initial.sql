-- Balise store, SQLite. Times are INTEGER microseconds since the Unix epoch, UTC.
-- Ids are INTEGER PRIMARY KEY (rowid aliases) except organisations (a slug).

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    profile_id TEXT NOT NULL
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    network TEXT NOT NULL,
    handle TEXT NOT NULL,
    UNIQUE (network, handle),
    -- Lets messages check that their network is their account's network.
    UNIQUE (id, network)
);

CREATE TABLE authors (
    network TEXT NOT NULL,
    external_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (network, external_id)
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    thread_external_id TEXT,
    author_external_id TEXT NOT NULL,
    author_display_name TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'reply', 'private_message', 'mention')),
    received_at INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    UNIQUE (network, external_id),
    FOREIGN KEY (account_id, network) REFERENCES accounts (id, network),
    FOREIGN KEY (network, author_external_id) REFERENCES authors (network, external_id)
);
CREATE INDEX messages_by_account ON messages (account_id, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    route TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'answered', 'closed')),
    assignee_user_id INTEGER REFERENCES users (id),
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX cases_by_organisation ON cases (organisation_id, id);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    assigned_at INTEGER NOT NULL
);
CREATE INDEX assignments_by_case ON assignments (case_id, id);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    account_id INTEGER REFERENCES accounts (id),
    text TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('suggested', 'drafting', 'approval', 'validation', 'published')),
    created_at INTEGER NOT NULL
);

-- The audit log (R-81). Append-only: the triggers below refuse UPDATE and DELETE.
-- hash = SHA-256(prev_hash || canonical content); see crates/store/src/audit_chain.rs.
CREATE TABLE audit_log (
    sequence_number INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    rule TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The last entry's sequence number and hash. Every write transaction takes this row first,
-- which serialises appends and lets verify notice entries cut from the end of the log.
CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sequence_number INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, sequence_number, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
