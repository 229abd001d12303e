-- PostgreSQL's blocks for sql/analytics.sql: text ordered by code point (COLLATE "C") like SQLite's
-- BINARY, so both databases return the same row order whatever the database's default collation is;
-- the UTC month of a timestamptz (SQLite's is in sql/sqlite/analytics.sql).

-- name: get_hires_by_quarter
-- One row per (department, job) with a hire in [:year_start, :year_end); hires per quarter.
SELECT
    d.department AS department,
    j.job AS job,
    COUNT(*) FILTER (WHERE h.hired_at < :q2_start) AS "Q1",
    COUNT(*) FILTER (WHERE h.hired_at >= :q2_start AND h.hired_at < :q3_start) AS "Q2",
    COUNT(*) FILTER (WHERE h.hired_at >= :q3_start AND h.hired_at < :q4_start) AS "Q3",
    COUNT(*) FILTER (WHERE h.hired_at >= :q4_start) AS "Q4"
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
JOIN jobs AS j ON j.id = h.job_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.department, j.job
ORDER BY d.department COLLATE "C", j.job COLLATE "C";

-- name: list_departments_above_mean
-- Departments whose hires in the year exceed the mean over departments that hired that year.
WITH per_department AS (
    SELECT h.department_id AS id, COUNT(*) AS hired
    FROM hired_employees AS h
    WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
    GROUP BY h.department_id
)
SELECT p.id AS id, d.department AS department, p.hired AS hired
FROM per_department AS p
JOIN departments AS d ON d.id = p.id
WHERE p.hired * (SELECT COUNT(*) FROM per_department) > (SELECT SUM(hired) FROM per_department)
ORDER BY p.hired DESC, d.department COLLATE "C";

-- name: count_hires_by_department
-- Hires per department in the year, for every department that hired at least once.
SELECT d.id AS id, d.department AS department, COUNT(*) AS hired
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.id, d.department
ORDER BY hired DESC, d.department COLLATE "C";

-- name: list_department_jobs
-- The jobs a department hired for in the year, with hires per job.
SELECT j.id AS job_id, j.job AS job, COUNT(*) AS hired
FROM hired_employees AS h
JOIN jobs AS j ON j.id = h.job_id
WHERE h.department_id = :department_id AND h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY j.id, j.job
ORDER BY hired DESC, j.job COLLATE "C";

-- name: count_hires_by_month
-- Hires per calendar month (1-12, UTC) of the year.
SELECT CAST(EXTRACT(MONTH FROM hired_at AT TIME ZONE 'UTC') AS INTEGER) AS month, COUNT(*) AS hired
FROM hired_employees
WHERE hired_at >= :year_start AND hired_at < :year_end
GROUP BY 1
ORDER BY 1;

-- name: count_hires_by_month_detail
-- Hires per (department, job, UTC month) of the year, so every figure can follow the page's filters.
SELECT
    d.id AS department_id,
    d.department AS department,
    j.job AS job,
    CAST(EXTRACT(MONTH FROM h.hired_at AT TIME ZONE 'UTC') AS INTEGER) AS month,
    COUNT(*) AS hired
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
JOIN jobs AS j ON j.id = h.job_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.id, d.department, j.job, 4
ORDER BY d.department, j.job, 4;
