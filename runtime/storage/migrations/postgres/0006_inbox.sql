-- Nothing to do: with PostgreSQL the inbox and read markers live in Redis
-- (runtime/storage/redis/inbox.py); the SQLite tables of the same number serve the embedded
-- wiring. This file keeps both dialects at the same version numbers.
SELECT 1;
