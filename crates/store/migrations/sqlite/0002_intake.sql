-- Intake (issue 4): what the pipeline records once a stored message has been moderated and
-- triaged. A message is pending until it has a row in intake_outcomes; a processing error
-- leaves it pending, with the error in intake_failures, so nothing acknowledged is lost.

-- A mention the platform made by itself (R-18): stored, never a case.
ALTER TABLE messages ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1));

CREATE TABLE verdicts (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    action TEXT NOT NULL CHECK (action IN ('publish', 'hide', 'review')),
    categories_json TEXT NOT NULL,
    urgent TEXT,
    clauses_json TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    language TEXT NOT NULL,
    explanation TEXT NOT NULL,
    substance_remains INTEGER NOT NULL CHECK (substance_remains IN (0, 1)),
    engine_version TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);

CREATE TABLE case_suggestions (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    route TEXT NOT NULL,
    route_family TEXT NOT NULL,
    target_id TEXT,
    reasons_json TEXT NOT NULL,
    alternatives_json TEXT NOT NULL,
    reply_expected INTEGER NOT NULL CHECK (reply_expected IN (0, 1)),
    suggested_page_json TEXT,
    suggested_at INTEGER NOT NULL,
    confirmed_route TEXT,
    confirmed_by TEXT,
    confirmed_at INTEGER
);
CREATE INDEX case_suggestions_by_route ON case_suggestions (route_family, case_id);

CREATE TABLE case_deadlines (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    commitment_id TEXT NOT NULL,
    clock_start INTEGER NOT NULL,
    first_response_due INTEGER NOT NULL,
    committed_due INTEGER NOT NULL,
    planned_at INTEGER NOT NULL
);

CREATE TABLE case_deadline_stages (
    case_id INTEGER NOT NULL REFERENCES case_deadlines (case_id),
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    starts INTEGER NOT NULL,
    planned_due INTEGER NOT NULL,
    ended_at INTEGER,
    PRIMARY KEY (case_id, position),
    UNIQUE (case_id, stage)
);

CREATE TABLE intake_outcomes (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('case_opened', 'not_a_case')),
    case_id INTEGER REFERENCES cases (id),
    processed_at INTEGER NOT NULL
);

CREATE TABLE intake_failures (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
