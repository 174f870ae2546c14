-- 0007_inbox (postgres): tables are added by the work on this area.
SELECT 1;
