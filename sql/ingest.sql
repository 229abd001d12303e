-- Loading HR files (hr_core.ingest): a temporary staging table per load, then one upsert.
-- Portable blocks; what needs a dialect's own syntax (the temp schema's name, IS NOT / IS DISTINCT FROM,
-- a timestamp column type) sits in sql/sqlite/ingest.sql and sql/postgresql/ingest.sql.

-- name: create_ingest_stage_departments
-- Valid rows of the current load, before the merge.
CREATE TEMPORARY TABLE ingest_stage_departments (id INTEGER NOT NULL, department TEXT NOT NULL);

-- name: insert_ingest_stage_departments
INSERT INTO ingest_stage_departments (id, department) VALUES (:id, :department);

-- name: count_ingest_existing_departments
-- How many staged ids the table already holds (the rest will be inserted).
SELECT COUNT(*) FROM ingest_stage_departments s JOIN departments t ON t.id = s.id;

-- name: insert_ingest_new_departments
-- Add only: insert the staged rows whose id is new; rows already in the table stay as they are.
INSERT INTO departments (id, department)
SELECT id, department FROM ingest_stage_departments WHERE true
ON CONFLICT (id) DO NOTHING;

-- name: vacate_ingest_department_names
-- Before the upsert, a department whose name another staged row takes gets a temporary name (:prefix,
-- longer than any accepted name, and its id), so names can swap or move between ids without meeting the
-- unique index mid-statement; the upsert then gives every such row its new name.
UPDATE departments SET department = :prefix || CAST(id AS TEXT)
WHERE EXISTS (
    SELECT 1 FROM ingest_stage_departments s
    WHERE s.department = departments.department AND s.id <> departments.id
);

-- name: count_ingest_vacated_department_names
-- Departments still holding a temporary name after the upsert (none unless the table changed meanwhile).
SELECT COUNT(*) FROM departments WHERE department LIKE :pattern;

-- name: create_ingest_stage_jobs
CREATE TEMPORARY TABLE ingest_stage_jobs (id INTEGER NOT NULL, job TEXT NOT NULL);

-- name: insert_ingest_stage_jobs
INSERT INTO ingest_stage_jobs (id, job) VALUES (:id, :job);

-- name: count_ingest_existing_jobs
SELECT COUNT(*) FROM ingest_stage_jobs s JOIN jobs t ON t.id = s.id;

-- name: insert_ingest_new_jobs
INSERT INTO jobs (id, job)
SELECT id, job FROM ingest_stage_jobs WHERE true
ON CONFLICT (id) DO NOTHING;

-- name: vacate_ingest_job_names
UPDATE jobs SET job = :prefix || CAST(id AS TEXT)
WHERE EXISTS (SELECT 1 FROM ingest_stage_jobs s WHERE s.job = jobs.job AND s.id <> jobs.id);

-- name: count_ingest_vacated_job_names
SELECT COUNT(*) FROM jobs WHERE job LIKE :pattern;

-- name: insert_ingest_stage_hired_employees
INSERT INTO ingest_stage_hired_employees (id, name, hired_at, department_id, job_id)
VALUES (:id, :name, :hired_at, :department_id, :job_id);

-- name: count_ingest_existing_hired_employees
SELECT COUNT(*) FROM ingest_stage_hired_employees s JOIN hired_employees t ON t.id = s.id;

-- name: insert_ingest_new_hired_employees
INSERT INTO hired_employees (id, name, hired_at, department_id, job_id)
SELECT id, name, hired_at, department_id, job_id FROM ingest_stage_hired_employees WHERE true
ON CONFLICT (id) DO NOTHING;

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
