-- 0004_auth (sqlite): tables are added by the work on this area.
SELECT 1;
