-- PostgreSQL overrides for sql/ingest.sql: real timestamps in staging, IS DISTINCT FROM in upserts,
-- and only ever the session's own temporary staging tables dropped.

-- name: drop_ingest_stage_departments
DROP TABLE IF EXISTS pg_temp.ingest_stage_departments;

-- name: drop_ingest_stage_jobs
DROP TABLE IF EXISTS pg_temp.ingest_stage_jobs;

-- name: drop_ingest_stage_hired_employees
DROP TABLE IF EXISTS pg_temp.ingest_stage_hired_employees;

-- name: create_ingest_stage_hired_employees
CREATE TEMPORARY TABLE ingest_stage_hired_employees (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    hired_at TIMESTAMPTZ NOT NULL,
    department_id INTEGER NOT NULL,
    job_id INTEGER NOT NULL
) ON COMMIT DROP;

-- name: create_ingest_stage_departments
CREATE TEMPORARY TABLE ingest_stage_departments (id INTEGER NOT NULL, department TEXT NOT NULL) ON COMMIT DROP;

-- name: create_ingest_stage_jobs
CREATE TEMPORARY TABLE ingest_stage_jobs (id INTEGER NOT NULL, job TEXT NOT NULL) ON COMMIT DROP;

-- name: upsert_ingest_departments
INSERT INTO departments AS t (id, department)
SELECT id, department FROM ingest_stage_departments
ON CONFLICT (id) DO UPDATE SET department = excluded.department
WHERE t.department IS DISTINCT FROM excluded.department;

-- name: upsert_ingest_jobs
INSERT INTO jobs AS t (id, job)
SELECT id, job FROM ingest_stage_jobs
ON CONFLICT (id) DO UPDATE SET job = excluded.job
WHERE t.job IS DISTINCT FROM excluded.job;

-- name: upsert_ingest_hired_employees
INSERT INTO hired_employees AS t (id, name, hired_at, department_id, job_id)
SELECT id, name, hired_at, department_id, job_id FROM ingest_stage_hired_employees
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name,
    hired_at = excluded.hired_at,
    department_id = excluded.department_id,
    job_id = excluded.job_id
WHERE (t.name, t.hired_at, t.department_id, t.job_id)
    IS DISTINCT FROM (excluded.name, excluded.hired_at, excluded.department_id, excluded.job_id);

-- name: lock_ingest_hired_employees
-- Other writers wait until this load commits (readers do not), so ids above the current maximum
-- stay free and their rows can be copied straight into the table.
LOCK TABLE hired_employees IN SHARE ROW EXCLUSIVE MODE;

-- name: set_ingest_work_mem
-- Enough memory for the merge's hash join over a large staging table, for this transaction only.
SET LOCAL work_mem = '64MB';

-- name: analyze_ingest_stage_departments
ANALYZE pg_temp.ingest_stage_departments;

-- name: analyze_ingest_stage_jobs
ANALYZE pg_temp.ingest_stage_jobs;

-- name: analyze_ingest_stage_hired_employees
ANALYZE pg_temp.ingest_stage_hired_employees;
