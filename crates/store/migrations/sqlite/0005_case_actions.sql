-- Case actions (issue 4): what people decide on a case once the intake has triaged it.
-- Citizens' words are never edited: moderation decisions (hide, unhide, delete) and blocks
-- are records here plus an item in the outbox for the network connectors to carry out.
-- Replies go to the outbox only once a person confirms them.

-- The case page reads the audit trail of one case and its message.
CREATE INDEX audit_log_by_entity ON audit_log (entity_kind, entity_id, sequence_number);

-- What the network connectors must do, oldest first.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    case_id INTEGER REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('hide', 'unhide', 'delete', 'block', 'reply')),
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_by_status ON outbox (status, id);

CREATE TABLE moderation_actions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    message_id INTEGER NOT NULL REFERENCES messages (id),
    action TEXT NOT NULL CHECK (action IN ('hide', 'unhide', 'delete')),
    clause TEXT,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id)
);
CREATE INDEX moderation_actions_by_case ON moderation_actions (case_id, id);

-- Warnings are counted per author and account (R-12).
CREATE TABLE author_warnings (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    network TEXT NOT NULL,
    author_external_id TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    clause TEXT,
    text TEXT,
    warned_by TEXT NOT NULL,
    warned_at INTEGER NOT NULL
);
CREATE INDEX author_warnings_by_author ON author_warnings (network, author_external_id, account_id);

CREATE TABLE blocked_authors (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    network TEXT NOT NULL,
    author_external_id TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    blocked_by TEXT NOT NULL,
    blocked_at INTEGER NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    UNIQUE (network, author_external_id, account_id)
);

CREATE TABLE proposed_answers (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'changes_requested')),
    proposed_by TEXT NOT NULL,
    proposed_at INTEGER NOT NULL,
    reviewed_by TEXT,
    reviewed_at INTEGER,
    review_comment TEXT
);
CREATE INDEX proposed_answers_by_case ON proposed_answers (case_id, id);

CREATE TABLE replies (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'confirmed')),
    answer_id INTEGER REFERENCES proposed_answers (id),
    prepared_by TEXT NOT NULL,
    prepared_at INTEGER NOT NULL,
    confirmed_by TEXT,
    confirmed_at INTEGER,
    outbox_id INTEGER REFERENCES outbox (id)
);
CREATE INDEX replies_by_case ON replies (case_id, id);

-- The regional directorate's mailbox is notified once per case (R-24): a new kind of sent
-- notification. SQLite cannot alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE notifications_sent_new (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    stage TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'breach', 'urgent_page', 'directorate_referral')),
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, stage, kind)
);
INSERT INTO notifications_sent_new (organisation_id, case_id, stage, kind, sent_at)
    SELECT organisation_id, case_id, stage, kind, sent_at FROM notifications_sent;
DROP TABLE notifications_sent;
ALTER TABLE notifications_sent_new RENAME TO notifications_sent;
