-- 0006_editorial (postgres): tables are added by the work on this area.
SELECT 1;
