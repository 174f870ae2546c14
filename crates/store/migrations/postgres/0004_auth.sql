-- 0004_auth (postgres): tables are added by the work on this area.
SELECT 1;
