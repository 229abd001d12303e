-- SQLite's blocks for sql/ingest.sql: the `temp` schema, IS NOT in upserts (NULL-safe inequality), the
-- `WHERE true` that SQLite's parser needs before ON CONFLICT, hired_at staged as UTC text.

-- name: drop_ingest_stage_departments
DROP TABLE IF EXISTS temp.ingest_stage_departments;

-- name: upsert_ingest_departments
-- Insert new ids, update changed rows, leave identical rows alone (rowcount = inserted + updated).
INSERT INTO departments (id, department)
SELECT id, department FROM ingest_stage_departments WHERE true
ON CONFLICT (id) DO UPDATE SET department = excluded.department
WHERE departments.department IS NOT excluded.department;

-- name: drop_ingest_stage_jobs
DROP TABLE IF EXISTS temp.ingest_stage_jobs;

-- name: upsert_ingest_jobs
INSERT INTO jobs (id, job)
SELECT id, job FROM ingest_stage_jobs WHERE true
ON CONFLICT (id) DO UPDATE SET job = excluded.job
WHERE jobs.job IS NOT excluded.job;

-- name: drop_ingest_stage_hired_employees
DROP TABLE IF EXISTS temp.ingest_stage_hired_employees;

-- name: create_ingest_stage_hired_employees
-- hired_at is text in SQLite's DATETIME storage form (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff').
CREATE TEMPORARY TABLE ingest_stage_hired_employees (
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    hired_at TEXT NOT NULL,
    department_id INTEGER NOT NULL,
    job_id INTEGER NOT NULL
);

-- name: upsert_ingest_hired_employees
INSERT INTO hired_employees (id, name, hired_at, department_id, job_id)
SELECT id, name, hired_at, department_id, job_id FROM ingest_stage_hired_employees WHERE true
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name,
    hired_at = excluded.hired_at,
    department_id = excluded.department_id,
    job_id = excluded.job_id
WHERE hired_employees.name IS NOT excluded.name
   OR hired_employees.hired_at IS NOT excluded.hired_at
   OR hired_employees.department_id IS NOT excluded.department_id
   OR hired_employees.job_id IS NOT excluded.job_id;

-- name: analyze_ingest_stage_departments
-- Planner statistics for the staged rows before the merge.
ANALYZE temp.ingest_stage_departments;

-- name: analyze_ingest_stage_jobs
ANALYZE temp.ingest_stage_jobs;

-- name: analyze_ingest_stage_hired_employees
ANALYZE temp.ingest_stage_hired_employees;
