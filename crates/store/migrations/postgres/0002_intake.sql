-- Intake (issue 4), PostgreSQL: what the pipeline records once a stored message has been moderated and
-- triaged. A message is pending until it has a row in intake_outcomes; a processing error
-- leaves it pending, with the error in intake_failures, so nothing acknowledged is lost.

-- A mention the platform made by itself (R-18): stored, never a case.
ALTER TABLE messages ADD COLUMN automatic BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE verdicts (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id),
    action TEXT NOT NULL CHECK (action IN ('publish', 'hide', 'review')),
    categories_json TEXT NOT NULL,
    urgent TEXT,
    clauses_json TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    language TEXT NOT NULL,
    explanation TEXT NOT NULL,
    substance_remains BOOLEAN NOT NULL,
    engine_version TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE case_suggestions (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    route TEXT NOT NULL,
    route_family TEXT NOT NULL,
    target_id TEXT,
    reasons_json TEXT NOT NULL,
    alternatives_json TEXT NOT NULL,
    reply_expected BOOLEAN NOT NULL,
    suggested_page_json TEXT,
    suggested_at BIGINT NOT NULL,
    confirmed_route TEXT,
    confirmed_by TEXT,
    confirmed_at BIGINT
);
CREATE INDEX case_suggestions_by_route ON case_suggestions (route_family, case_id);

CREATE TABLE case_deadlines (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    commitment_id TEXT NOT NULL,
    clock_start BIGINT NOT NULL,
    first_response_due BIGINT NOT NULL,
    committed_due BIGINT NOT NULL,
    planned_at BIGINT NOT NULL
);

CREATE TABLE case_deadline_stages (
    case_id BIGINT NOT NULL REFERENCES case_deadlines (case_id),
    position BIGINT NOT NULL,
    stage TEXT NOT NULL,
    starts BIGINT NOT NULL,
    planned_due BIGINT NOT NULL,
    ended_at BIGINT,
    PRIMARY KEY (case_id, position),
    UNIQUE (case_id, stage)
);

CREATE TABLE intake_outcomes (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('case_opened', 'not_a_case')),
    case_id BIGINT REFERENCES cases (id),
    processed_at BIGINT NOT NULL
);

CREATE TABLE intake_failures (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id),
    attempts BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
