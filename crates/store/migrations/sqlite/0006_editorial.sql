-- Editorial calendar (issue 6; R-50 to R-57): entries with S2 Annexe 5's fields, one variant
-- per network, the decisions of the approval chain (S2 Annexe 4), postponements (R-53), the
-- publications waiting for a connector, and per-user calendar feed tokens (stored hashed).
-- The case actions' `outbox` only allows moderation and reply kinds, so publications have
-- their own `publication_outbox`.

CREATE TABLE editorial_entries (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    scheduled_at INTEGER,
    content_type TEXT NOT NULL,
    campaign TEXT,
    sector TEXT,
    geolocation TEXT,
    budget TEXT,
    documentation TEXT,
    already_validated INTEGER NOT NULL DEFAULT 0,
    live_video_criteria TEXT CHECK (live_video_criteria IS NULL OR length(live_video_criteria) = 10),
    status TEXT NOT NULL CHECK (status IN ('at_step', 'published', 'withdrawn', 'refused')),
    current_step TEXT,
    drafted_by INTEGER REFERENCES users (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((status = 'at_step') = (current_step IS NOT NULL))
);
CREATE INDEX editorial_entries_by_schedule ON editorial_entries (organisation_id, scheduled_at, id);

CREATE TABLE editorial_variants (
    entry_id INTEGER NOT NULL REFERENCES editorial_entries (id),
    position INTEGER NOT NULL,
    network TEXT NOT NULL,
    message TEXT NOT NULL,
    hashtags_json TEXT NOT NULL,
    link TEXT,
    media_json TEXT,
    mentions_json TEXT NOT NULL,
    PRIMARY KEY (entry_id, network)
);

CREATE TABLE editorial_decisions (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES editorial_entries (id),
    step TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'request_changes', 'refuse', 'withdraw')),
    decided_by INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    comment TEXT,
    external_validator TEXT,
    decided_at INTEGER NOT NULL
);
CREATE INDEX editorial_decisions_by_entry ON editorial_decisions (entry_id, id);

CREATE TABLE editorial_postponements (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES editorial_entries (id),
    from_at INTEGER,
    to_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    decided_by INTEGER NOT NULL REFERENCES users (id),
    decided_at INTEGER NOT NULL
);
CREATE INDEX editorial_postponements_by_entry ON editorial_postponements (entry_id, id);

CREATE TABLE publication_outbox (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    entry_id INTEGER NOT NULL REFERENCES editorial_entries (id),
    network TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    publish_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (entry_id, network)
);
CREATE INDEX publication_outbox_by_status ON publication_outbox (status, id);

CREATE TABLE calendar_feed_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX calendar_feed_tokens_by_user ON calendar_feed_tokens (user_id);
