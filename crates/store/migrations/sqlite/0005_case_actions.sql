-- 0005_case_actions (sqlite): tables are added by the work on this area.
SELECT 1;
