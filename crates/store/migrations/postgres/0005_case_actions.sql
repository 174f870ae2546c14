-- 0005_case_actions (postgres): tables are added by the work on this area.
SELECT 1;
