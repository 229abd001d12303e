-- Loading HR files (hr_core.ingest): a temporary staging table per load, then one upsert.
-- Portable text is SQLite's; PostgreSQL overrides sit in sql/postgresql/ingest.sql.

-- name: drop_ingest_stage_departments
DROP TABLE IF EXISTS temp.ingest_stage_departments;

-- name: create_ingest_stage_departments
-- Valid rows of the current load, before the merge.
CREATE TEMPORARY TABLE ingest_stage_departments (id INTEGER NOT NULL, department TEXT NOT NULL);

-- name: insert_ingest_stage_departments
INSERT INTO ingest_stage_departments (id, department) VALUES (:id, :department);

-- name: count_ingest_existing_departments
-- How many staged ids the table already holds (the rest will be inserted).
SELECT COUNT(*) FROM ingest_stage_departments s JOIN departments t ON t.id = s.id;

-- name: upsert_ingest_departments
-- Insert new ids, update changed rows, leave identical rows alone (rowcount = inserted + updated).
INSERT INTO departments (id, department)
SELECT id, department FROM ingest_stage_departments WHERE true
ON CONFLICT (id) DO UPDATE SET department = excluded.department
WHERE departments.department IS NOT excluded.department;

-- name: drop_ingest_stage_jobs
DROP TABLE IF EXISTS temp.ingest_stage_jobs;

-- name: create_ingest_stage_jobs
CREATE TEMPORARY TABLE ingest_stage_jobs (id INTEGER NOT NULL, job TEXT NOT NULL);

-- name: insert_ingest_stage_jobs
INSERT INTO ingest_stage_jobs (id, job) VALUES (:id, :job);

-- name: count_ingest_existing_jobs
SELECT COUNT(*) FROM ingest_stage_jobs s JOIN jobs t ON t.id = s.id;

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

-- name: insert_ingest_stage_hired_employees
INSERT INTO ingest_stage_hired_employees (id, name, hired_at, department_id, job_id)
VALUES (:id, :name, :hired_at, :department_id, :job_id);

-- name: count_ingest_existing_hired_employees
SELECT COUNT(*) FROM ingest_stage_hired_employees s JOIN hired_employees t ON t.id = s.id;

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

-- name: list_ingest_departments
-- Existing departments, so rows can be checked against them before anything is written.
SELECT id, department FROM departments;

-- name: list_ingest_jobs
SELECT id, job FROM jobs;

-- name: get_ingest_max_employee_id
-- The highest employee id, so batch rows without an id get the next ones.
SELECT COALESCE(MAX(id), 0) FROM hired_employees;

-- name: lock_ingest_hired_employees
-- Keep other writers out until the load commits. SQLite's write transaction already locks the whole
-- database, so this portable form only reads; PostgreSQL's override takes a table lock.
SELECT 1;

-- name: set_ingest_work_mem
-- Memory for the merge of a large staging table (PostgreSQL override); nothing to set on SQLite.
SELECT 1;

-- name: analyze_ingest_stage_departments
-- Planner statistics for the staged rows before the merge.
ANALYZE temp.ingest_stage_departments;

-- name: analyze_ingest_stage_jobs
ANALYZE temp.ingest_stage_jobs;

-- name: analyze_ingest_stage_hired_employees
ANALYZE temp.ingest_stage_hired_employees;
