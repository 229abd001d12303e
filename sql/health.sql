-- name: count_hr_rows
-- Row counts of the hiring tables, for the home page and health checks.
SELECT
    (SELECT COUNT(*) FROM departments) AS departments,
    (SELECT COUNT(*) FROM jobs) AS jobs,
    (SELECT COUNT(*) FROM hired_employees) AS hired_employees

-- name: get_schema_revision
-- The Alembic revision the database is at (one row once migrated); read without importing Alembic.
SELECT version_num FROM alembic_version
