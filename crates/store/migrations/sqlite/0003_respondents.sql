-- Respondents, substitutes and absences (R-40, R-41), vigilance periods, notification
-- addresses and the notifications already sent (so none is sent twice).

CREATE TABLE unit_designations (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    unit_id TEXT NOT NULL,
    sector_id TEXT NOT NULL,
    respondent_user_id INTEGER NOT NULL REFERENCES users (id),
    substitute_user_id INTEGER REFERENCES users (id),
    CHECK (substitute_user_id IS NULL OR substitute_user_id <> respondent_user_id),
    PRIMARY KEY (organisation_id, unit_id)
);

CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    CHECK (ends_at > starts_at)
);
CREATE INDEX absences_by_organisation ON absences (organisation_id, user_id);

CREATE TABLE case_units (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    unit_id TEXT NOT NULL
);

CREATE TABLE vigilance_periods (
    id INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    reason TEXT NOT NULL,
    started_by TEXT NOT NULL,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
-- At most one running period per organisation.
CREATE UNIQUE INDEX vigilance_one_running ON vigilance_periods (organisation_id) WHERE ends_at IS NULL;

CREATE TABLE notification_addresses (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (organisation_id, recipient)
);

CREATE TABLE notifications_sent (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    stage TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'breach', 'urgent_page')),
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, stage, kind)
);
