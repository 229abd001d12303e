-- Hiring analytics. Every year/quarter/month boundary is a bound UTC instant computed by
-- hr_core.analytics, so each query is a half-open range scan of ix_hired_employees_hired_at
-- (hired_at, department_id, job_id) on both databases.

-- name: get_hires_by_quarter
-- One row per (department, job) with a hire in [:year_start, :year_end); hires per quarter.
SELECT
    d.department AS department,
    j.job AS job,
    SUM(CASE WHEN h.hired_at < :q2_start THEN 1 ELSE 0 END) AS "Q1",
    SUM(CASE WHEN h.hired_at >= :q2_start AND h.hired_at < :q3_start THEN 1 ELSE 0 END) AS "Q2",
    SUM(CASE WHEN h.hired_at >= :q3_start AND h.hired_at < :q4_start THEN 1 ELSE 0 END) AS "Q3",
    SUM(CASE WHEN h.hired_at >= :q4_start THEN 1 ELSE 0 END) AS "Q4"
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
JOIN jobs AS j ON j.id = h.job_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.department, j.job
ORDER BY d.department, j.job;

-- name: list_departments_above_mean
-- Departments whose hires in the year exceed the mean over departments that hired that year
-- (compared as hired * n > total, exact integer arithmetic on both databases).
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
ORDER BY p.hired DESC, d.department;

-- name: count_hires_by_department
-- Hires per department in the year, for every department that hired at least once.
SELECT d.id AS id, d.department AS department, COUNT(*) AS hired
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.id, d.department
ORDER BY hired DESC, d.department;

-- name: get_hired_at_range
-- Earliest and latest hire instants (two index look-ups).
SELECT MIN(hired_at) AS first_at, MAX(hired_at) AS last_at FROM hired_employees;

-- name: count_hires_between
-- Hires in the half-open range [:start_at, :end_at).
SELECT COUNT(*) AS hired FROM hired_employees WHERE hired_at >= :start_at AND hired_at < :end_at;

-- name: has_hires_between
-- 1 when at least one hire lies in [:start_at, :end_at), no row otherwise.
SELECT 1 AS found FROM hired_employees WHERE hired_at >= :start_at AND hired_at < :end_at LIMIT 1;

-- name: list_department_jobs
-- The jobs a department hired for in the year, with hires per job.
SELECT j.id AS job_id, j.job AS job, COUNT(*) AS hired
FROM hired_employees AS h
JOIN jobs AS j ON j.id = h.job_id
WHERE h.department_id = :department_id AND h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY j.id, j.job
ORDER BY hired DESC, j.job;

-- name: list_department_hires
-- The people a department hired in the year, oldest first.
SELECT h.id AS id, h.name AS name, h.hired_at AS hired_at, j.job AS job
FROM hired_employees AS h
JOIN jobs AS j ON j.id = h.job_id
WHERE h.department_id = :department_id AND h.hired_at >= :year_start AND h.hired_at < :year_end
ORDER BY h.hired_at, h.id;
