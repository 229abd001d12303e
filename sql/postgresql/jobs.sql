-- The job queue (hr_core.jobs.pgqueue), PostgreSQL only.

-- name: has_queue_schema
-- PostgreSQL only: whether procrastinate's schema is applied (pg_tables, not to_regclass(): the latter
-- reads a catalog cache that may predate the caller's lock).
SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_tables
    WHERE tablename = 'procrastinate_jobs' AND schemaname = ANY (current_schemas(false))
);
