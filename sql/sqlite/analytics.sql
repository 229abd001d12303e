-- SQLite overrides: hired_at is UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', so the month is its
-- characters 6-7 (what strftime('%m') would parse, without the parsing).

-- name: count_hires_by_month
-- Hires per calendar month (1-12, UTC) of the year.
SELECT CAST(substr(hired_at, 6, 2) AS INTEGER) AS month, COUNT(*) AS hired
FROM hired_employees
WHERE hired_at >= :year_start AND hired_at < :year_end
GROUP BY 1
ORDER BY 1;

-- name: count_hires_by_month_detail
-- Hires per (department, job, UTC month) of the year (timestamps are stored as UTC ISO text).
SELECT
    d.id AS department_id,
    d.department AS department,
    j.job AS job,
    CAST(substr(h.hired_at, 6, 2) AS INTEGER) AS month,
    COUNT(*) AS hired
FROM hired_employees AS h
JOIN departments AS d ON d.id = h.department_id
JOIN jobs AS j ON j.id = h.job_id
WHERE h.hired_at >= :year_start AND h.hired_at < :year_end
GROUP BY d.id, d.department, j.job, 4
ORDER BY d.department, j.job, 4;
