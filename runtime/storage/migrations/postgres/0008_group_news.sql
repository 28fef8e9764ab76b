-- Nothing to do: with PostgreSQL the inbox lives in Redis, which folds a group's per-member
-- entries into the group's own as it reads them (runtime/storage/redis/inbox.py); the SQLite
-- migration of the same number serves the embedded wiring. Same version numbers for both.
SELECT 1;
