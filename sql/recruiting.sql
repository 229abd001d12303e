-- name: count_recruiting_rows
-- Row counts of the recruiting tables, and prospects whose candidate or opening is not in the database.
SELECT
    (SELECT COUNT(*) FROM candidates) AS candidates,
    (SELECT COUNT(*) FROM vagas) AS vagas,
    (SELECT COUNT(*) FROM pipeline_openings) AS openings,
    (SELECT COUNT(*) FROM prospects) AS prospects,
    (SELECT COUNT(*) FROM prospects p
        WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.codigo = p.candidate_codigo)) AS prospects_without_candidate,
    (SELECT COUNT(*) FROM prospects p
        WHERE NOT EXISTS (SELECT 1 FROM vagas v WHERE v.codigo = p.vaga_codigo)) AS prospects_without_vaga,
    (SELECT COUNT(*) FROM pipeline_openings o
        WHERE NOT EXISTS (SELECT 1 FROM vagas v WHERE v.codigo = o.vaga_codigo)) AS openings_only_in_pipeline

-- name: count_prospects_by_stage
-- Prospects per pipeline stage across every opening.
SELECT stage, COUNT(*) AS prospects
FROM prospects
GROUP BY stage
ORDER BY stage

-- name: count_prospects_by_recruiter_stage
-- Prospects per recruiter and stage (blank recruiter shown as an empty string).
SELECT recrutador, stage, COUNT(*) AS prospects
FROM prospects
GROUP BY recrutador, stage
ORDER BY recrutador, stage

-- name: count_prospects_by_month_stage
-- Prospects per application month (YYYY-MM) and stage; rows without an application date are left out.
SELECT SUBSTR(CAST(data_candidatura AS TEXT), 1, 7) AS month, stage, COUNT(*) AS prospects
FROM prospects
WHERE data_candidatura IS NOT NULL
GROUP BY SUBSTR(CAST(data_candidatura AS TEXT), 1, 7), stage
ORDER BY month, stage

-- name: count_prospects_by_opening_stage
-- Prospects per stage for the given openings (:codes, expanding).
SELECT vaga_codigo, stage, COUNT(*) AS prospects
FROM prospects
WHERE vaga_codigo IN :codes
GROUP BY vaga_codigo, stage
