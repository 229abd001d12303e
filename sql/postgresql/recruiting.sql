-- name: count_prospects_by_month_stage
-- Prospects per application month (YYYY-MM) and stage; to_char does not depend on DateStyle.
SELECT to_char(data_candidatura, 'YYYY-MM') AS month, stage, COUNT(*) AS prospects
FROM prospects
WHERE data_candidatura IS NOT NULL
GROUP BY to_char(data_candidatura, 'YYYY-MM'), stage
ORDER BY month, stage
