-- name: list_pipeline_prospect_dates
-- Every prospect with the dates the pipeline numbers are computed from, its opening's title and client
-- and its recruiter (an opening only in prospects.json has no client).
SELECT
    p.vaga_codigo,
    p.candidate_codigo,
    p.stage,
    p.data_candidatura,
    p.ultima_atualizacao,
    p.recrutador,
    COALESCE(v.titulo, o.titulo, '') AS titulo,
    COALESCE(v.cliente, '') AS cliente
FROM prospects p
LEFT JOIN vagas v ON v.codigo = p.vaga_codigo
LEFT JOIN pipeline_openings o ON o.vaga_codigo = p.vaga_codigo

-- name: list_pipeline_stage_changes
-- Every recorded move of a prospect (the stage history).
SELECT vaga_codigo, candidate_codigo, from_stage, to_stage, changed_at
FROM prospect_stage_changes

-- name: list_pipeline_openings
-- Every opening: those on file (vagas) and those named only in prospects.json, with when it was requested.
SELECT
    v.codigo AS vaga_codigo,
    v.titulo,
    v.cliente,
    v.analista_responsavel,
    v.data_requisicao
FROM vagas v
UNION ALL
SELECT
    o.vaga_codigo,
    o.titulo,
    '' AS cliente,
    '' AS analista_responsavel,
    NULL AS data_requisicao
FROM pipeline_openings o
WHERE NOT EXISTS (SELECT 1 FROM vagas v WHERE v.codigo = o.vaga_codigo)
