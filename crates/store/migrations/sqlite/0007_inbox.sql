-- 0007_inbox (sqlite): the inbox's sort key, kept next to each case so the inbox reads one
-- index in order and stops after a page, whatever the number of stored messages. The row
-- of a case is recomputed by triggers whenever the case, its verdict, its deadlines or its
-- suggestion change, so every writer (intake, case actions, imports) keeps it right without
-- knowing about it. `urgent_rank` is 0 for urgent cases; `due` is the first-response
-- deadline in microseconds, or the largest BIGINT when none runs (so both backends sort
-- alike without NULLS FIRST/LAST); `is_open` is 1 for `open` and `in_progress`; `categories`
-- is the verdict's JSON list followed by the quoted urgent kind, if any, so one LIKE finds either.

CREATE TABLE inbox_cases (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    organisation_id TEXT NOT NULL,
    status TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    urgent_rank INTEGER NOT NULL,
    due INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    network TEXT NOT NULL,
    route TEXT,
    sector TEXT,
    categories TEXT NOT NULL,
    assignee_user_id INTEGER
);
-- The default view (open cases) and the view by status, each in inbox order.
CREATE INDEX inbox_open_order ON inbox_cases (organisation_id, is_open, urgent_rank, due, case_id);
CREATE INDEX inbox_status_order ON inbox_cases (organisation_id, status, urgent_rank, due, case_id);
-- A respondent's inbox: the cases assigned to them.
CREATE INDEX inbox_assignee_order ON inbox_cases (assignee_user_id, is_open, urgent_rank, due, case_id);
-- The filters that name one value: each has its index in inbox order, so a filter that
-- matches few cases does not walk every open case to find them.
CREATE INDEX inbox_network_order ON inbox_cases (organisation_id, network, is_open, urgent_rank, due, case_id);
CREATE INDEX inbox_account_order ON inbox_cases (account_id, is_open, urgent_rank, due, case_id);
CREATE INDEX inbox_route_order ON inbox_cases (organisation_id, route, is_open, urgent_rank, due, case_id);
CREATE INDEX inbox_sector_order ON inbox_cases (organisation_id, sector, is_open, urgent_rank, due, case_id);

-- The case page: the thread of a message, the author's earlier messages, a case's history
-- (0005 creates the same audit index; IF NOT EXISTS keeps either order working).
CREATE INDEX messages_by_thread ON messages (account_id, thread_external_id, id);
CREATE INDEX messages_by_author ON messages (network, author_external_id, id);
CREATE INDEX IF NOT EXISTS audit_log_by_entity ON audit_log (entity_kind, entity_id, sequence_number);

-- One inbox row per case, computed from the case, its message, verdict, deadlines and
-- suggestion; every trigger below refreshes the rows of the case it touched from here.
CREATE VIEW inbox_source (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id, message_id) AS
    SELECT c.id, c.organisation_id, c.status,
           CASE WHEN c.status IN ('open', 'in_progress') THEN 1 ELSE 0 END,
           CASE WHEN v.urgent IS NOT NULL OR COALESCE(c.route, s.route_family) = 'urgent' THEN 0 ELSE 1 END,
           COALESCE(d.first_response_due, 9223372036854775807),
           m.account_id, m.network, COALESCE(c.route, s.route_family),
           CASE WHEN s.route_family = 'respondent' THEN s.target_id END,
           COALESCE(v.categories_json, '[]') || COALESCE('"' || v.urgent || '"', ''), c.assignee_user_id, c.message_id
    FROM cases c
    JOIN messages m ON m.id = c.message_id
    LEFT JOIN verdicts v ON v.message_id = c.message_id
    LEFT JOIN case_deadlines d ON d.case_id = c.id
    LEFT JOIN case_suggestions s ON s.case_id = c.id;

-- The cases stored before this migration.
INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source;

CREATE TRIGGER inbox_after_cases_insert AFTER INSERT ON cases
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.id;
END;

CREATE TRIGGER inbox_after_cases_update AFTER UPDATE ON cases
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.id;
END;

CREATE TRIGGER inbox_after_verdicts_insert AFTER INSERT ON verdicts
BEGIN
    DELETE FROM inbox_cases WHERE case_id = (SELECT id FROM cases WHERE message_id = NEW.message_id);
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE message_id = NEW.message_id;
END;

CREATE TRIGGER inbox_after_verdicts_update AFTER UPDATE ON verdicts
BEGIN
    DELETE FROM inbox_cases WHERE case_id = (SELECT id FROM cases WHERE message_id = NEW.message_id);
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE message_id = NEW.message_id;
END;

CREATE TRIGGER inbox_after_case_deadlines_insert AFTER INSERT ON case_deadlines
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.case_id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.case_id;
END;

CREATE TRIGGER inbox_after_case_deadlines_update AFTER UPDATE ON case_deadlines
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.case_id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.case_id;
END;

CREATE TRIGGER inbox_after_case_suggestions_insert AFTER INSERT ON case_suggestions
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.case_id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.case_id;
END;

CREATE TRIGGER inbox_after_case_suggestions_update AFTER UPDATE ON case_suggestions
BEGIN
    DELETE FROM inbox_cases WHERE case_id = NEW.case_id;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id FROM inbox_source WHERE case_id = NEW.case_id;
END;
