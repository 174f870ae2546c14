-- The inbox's sector follows the route a person confirmed or changed ("respondent:DGFEF"),
-- and only falls back to the suggestion's target while nobody has decided: 0007 took it
-- from the suggestion alone, so a case routed by hand to a sector never showed under that
-- sector's filter. The triggers of 0007 call this function by name and need no change.
CREATE OR REPLACE FUNCTION inbox_refresh(target_case BIGINT) RETURNS void LANGUAGE sql AS $body$
    DELETE FROM inbox_cases WHERE case_id = target_case;
    INSERT INTO inbox_cases (case_id, organisation_id, status, is_open, urgent_rank, due, account_id, network, route, sector, categories, assignee_user_id)
    SELECT c.id, c.organisation_id, c.status,
           CASE WHEN c.status IN ('open', 'in_progress') THEN 1 ELSE 0 END,
           CASE WHEN v.urgent IS NOT NULL OR COALESCE(c.route, s.route_family) = 'urgent' THEN 0 ELSE 1 END,
           COALESCE(d.first_response_due, 9223372036854775807),
           m.account_id, m.network, COALESCE(c.route, s.route_family),
           CASE
               WHEN s.confirmed_route IS NOT NULL THEN
                   CASE WHEN s.confirmed_route LIKE 'respondent:%' THEN substr(s.confirmed_route, 12) END
               WHEN s.route_family = 'respondent' THEN s.target_id
           END,
           COALESCE(v.categories_json, '[]') || COALESCE('"' || v.urgent || '"', ''), c.assignee_user_id
    FROM cases c
    JOIN messages m ON m.id = c.message_id
    LEFT JOIN verdicts v ON v.message_id = c.message_id
    LEFT JOIN case_deadlines d ON d.case_id = c.id
    LEFT JOIN case_suggestions s ON s.case_id = c.id
    WHERE c.id = target_case;
$body$;

-- The cases routed by a person before this migration.
UPDATE inbox_cases i
SET sector = CASE WHEN s.confirmed_route LIKE 'respondent:%' THEN substr(s.confirmed_route, 12) END
FROM case_suggestions s
WHERE s.case_id = i.case_id AND s.confirmed_route IS NOT NULL;
