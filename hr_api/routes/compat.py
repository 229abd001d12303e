"""The replaced services' routes (/compat/...), as adapters onto the v1 handlers: same bodies as their documents.

InteligentHR (HR data): POST /upload, /backup/<table>, /restore/<table>, GET /employee_counts,
/departments_most_hired (year 2021 unless given). FastAPI Service Datathon (recruiting):
/candidatos/*, /vagas/*, /prospects/*, /usuarios/*, /inferencias/*.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from hr_api.deps import ActorDep, EngineDep, RuntimeDep, StorageDep
from hr_api.routes.backups import BackupOut, RestoreOut, back_up_table, restore_latest
from hr_api.routes.hr import BatchIn, BatchOut, run_batch
from hr_api.routes.recruiting import (
    CandidateSearch,
    ExportIn,
    ImportIn,
    OpeningSearch,
    PageOut,
    Window,
    get_one_candidate,
    get_one_opening,
    get_opening_prospects,
    list_page,
    post_export,
    post_import,
)
from hr_api.routes.reports import AboveMeanRow, QuarterRow, read_report
from hr_core.analytics import DEFAULT_YEAR
from hr_core.auth import list_users
from hr_core.errors import NotFoundError
from hr_core.ml.profiles import get_drift_report, recommend_for_profile, score_payload
from hr_core.recruiting.importer import import_candidate_record

router = APIRouter(tags=["compat"])
Year = Annotated[int, Query(description="calendar year in UTC")]


@router.post("/upload", response_model=BatchOut)
def upload(engine: EngineDep, storage: StorageDep, actor: ActorDep, batch: BatchIn) -> BatchOut:
    """The JSON batch of the HR service (1–1000 rows per table); all or nothing, like POST /api/v1/hr/batch."""
    return run_batch(engine=engine, storage=storage, actor=actor, batch=batch, partial=False)


@router.get("/employee_counts", response_model=list[QuarterRow])
def employee_counts(engine: EngineDep, actor: ActorDep, year: Year = DEFAULT_YEAR) -> Response:
    """Hires per quarter by department and job (GET /api/v1/reports/hires-by-quarter)."""
    df = read_report(engine=engine, actor=actor, report="hires-by-quarter", year=year)
    return Response(df.to_json(orient="records", force_ascii=False), media_type="application/json")


@router.get("/departments_most_hired", response_model=list[AboveMeanRow])
def departments_most_hired(engine: EngineDep, actor: ActorDep, year: Year = DEFAULT_YEAR) -> Response:
    """Departments hiring above the mean (GET /api/v1/reports/departments-above-mean)."""
    df = read_report(engine=engine, actor=actor, report="departments-above-mean", year=year)
    return Response(df.to_json(orient="records", force_ascii=False), media_type="application/json")


@router.post("/backup/{table_name}", operation_id="compat_backup_post", response_model=BackupOut)
@router.get("/backup/{table_name}", operation_id="compat_backup_get", response_model=BackupOut)
def backup(engine: EngineDep, storage: StorageDep, actor: ActorDep, table_name: str) -> BackupOut:
    """Back up one table (the old service answered GET as well as POST)."""
    return back_up_table(engine=engine, storage=storage, actor=actor, table=table_name)


@router.post("/restore/{table_name}", operation_id="compat_restore_post", response_model=RestoreOut)
@router.get("/restore/{table_name}", operation_id="compat_restore_get", response_model=RestoreOut)
def restore(engine: EngineDep, storage: StorageDep, actor: ActorDep, table_name: str) -> RestoreOut:
    """Restore one table from its newest backup that verifies."""
    return restore_latest(engine=engine, storage=storage, actor=actor, table=table_name)


# FastAPI Service Datathon (recruiting): /candidatos/*


class CandidatoIn(BaseModel):
    """An applicants.json record, as the recruiting service took it."""

    model_config = ConfigDict(extra="allow")

    infos_basicas: dict[str, Any] = Field(description="codigo_profissional, nome, email, telefone, …")
    informacoes_pessoais: dict[str, Any] | None = None
    informacoes_profissionais: dict[str, Any] | None = None
    formacao_e_idiomas: dict[str, Any] | None = None
    cv_pt: str | None = None
    cv_en: str | None = None


class CandidatoCreated(BaseModel):
    message: str
    codigo_candidato: int | str = Field(description="the code as it was sent (a number stays a number)")


class FileKeyIn(BaseModel):
    file_key: str = Field(max_length=500, description="storage key of an applicants.json")


class Started(BaseModel):
    message: str
    job_id: int


@router.post("/candidatos/create", response_model=CandidatoCreated)
def candidatos_create(engine: EngineDep, actor: ActorDep, body: CandidatoIn) -> CandidatoCreated:
    """A Decision applicants record ({infos_basicas: {codigo_profissional, nome, …}, …}); created or updated."""
    record = body.model_dump(exclude_none=True)
    code, created = import_candidate_record(engine=engine, actor=actor, record=record)
    message = "Candidato inserido com sucesso!" if created else "Candidato atualizado com sucesso!"
    sent = body.infos_basicas.get("codigo_profissional")
    echoed = sent if isinstance(sent, int) and not isinstance(sent, bool) and str(sent) == code else code
    return CandidatoCreated(message=message, codigo_candidato=echoed)


@router.post("/candidatos/update-tables", response_model=Started)
def candidatos_update_tables(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response, body: FileKeyIn
) -> Started:
    """Import an applicants.json from a storage key in the background (POST /api/v1/recruiting/import)."""
    only = ImportIn(applicants=body.file_key, vagas=None, prospects=None, requirements=None, feedback=None)
    job = post_import(engine, storage, actor, response, only)
    response.status_code = 200
    return Started(message="Tarefa de atualização iniciada em background.", job_id=job.id)


@router.post("/candidatos/export-applicants", response_model=Started)
def candidatos_export(engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response) -> Started:
    """Export the recruiting data under the storage prefix exports/ in the background."""
    job = post_export(engine, storage, actor, response, ExportIn(prefix="exports"))
    response.status_code = 200
    return Started(message="Tarefa de exportação de candidatos iniciada em background.", job_id=job.id)


class CandidatosPage(BaseModel):
    total: int
    offset: int
    limit: int
    data: list[dict[str, Any]]


def compat_page(page: PageOut, code: str) -> CandidatosPage:
    """A v1 page in the recruiting service's shape: rows under `data`, the code under its old name."""
    rows = [{code: r.pop("codigo"), **r} for r in page.items]
    return CandidatosPage(total=page.total, offset=page.offset, limit=page.limit, data=rows)


@router.get("/candidatos/list", response_model=CandidatosPage)
def candidatos_list(engine: EngineDep, actor: ActorDep, window: Annotated[Window, Query()]) -> CandidatosPage:
    """Candidates page by page (GET /api/v1/recruiting/candidates)."""
    search = CandidateSearch(offset=window.offset, limit=window.limit)
    return compat_page(list_page(engine=engine, actor=actor, search=search), "codigo_profissional")


@router.get("/candidatos/details/{codigo_profissional}", response_model=dict[str, Any])
def candidatos_details(engine: EngineDep, actor: ActorDep, codigo_profissional: str) -> dict[str, Any]:
    """The candidate's sections as the recruiting service answered them (curriculos holds the CVs)."""
    record = get_one_candidate(engine, actor, codigo_profissional)["record"]
    sections = ("infos_basicas", "informacoes_pessoais", "informacoes_profissionais", "formacao_e_idiomas")
    out = {name: record.get(name) or {} for name in sections}
    out["curriculos"] = {"cv_pt": record.get("cv_pt", ""), "cv_en": record.get("cv_en", "")}
    return out


@router.get("/vagas/list", response_model=CandidatosPage)
def vagas_list(engine: EngineDep, actor: ActorDep, window: Annotated[Window, Query()]) -> CandidatosPage:
    """Openings page by page (GET /api/v1/recruiting/openings)."""
    search = OpeningSearch(offset=window.offset, limit=window.limit)
    return compat_page(list_page(engine=engine, actor=actor, search=search), "codigo_vaga")


@router.get("/vagas/details/{codigo_vaga}", response_model=dict[str, Any])
def vagas_details(engine: EngineDep, actor: ActorDep, codigo_vaga: str) -> dict[str, Any]:
    """The opening's Decision record (informacoes_basicas, perfil_vaga, beneficios)."""
    return get_one_opening(engine, actor, codigo_vaga).get("record") or {}


@router.get("/prospects/{codigo_vaga}", response_model=dict[str, Any])
def prospects_of(engine: EngineDep, actor: ActorDep, codigo_vaga: str) -> dict[str, Any]:
    """The prospects of an opening."""
    return {"codigo_vaga": codigo_vaga, "prospects": get_opening_prospects(engine, actor, codigo_vaga).items}


class UsuarioOut(BaseModel):
    username: str
    role: str
    disabled: bool


@router.get("/usuarios/list", response_model=list[UsuarioOut])
def usuarios_list(engine: EngineDep, actor: ActorDep) -> list[UsuarioOut]:
    """The users who may log in (admins)."""
    return [
        UsuarioOut(username=u.username, role=u.role, disabled=u.disabled)
        for u in list_users(engine=engine, actor=actor)
    ]


@router.get("/usuarios/me", response_model=UsuarioOut)
def usuarios_me(engine: EngineDep, actor: ActorDep) -> UsuarioOut:
    """The user the credentials act as."""
    return UsuarioOut(username=actor.username, role=actor.role, disabled=False)


class MatchPayload(BaseModel):
    """The recruiting service's flat payload: the candidate's fields and the opening's (`…_vaga`) side by side.
    Sex and marital status are accepted for compatibility and ignored by the model."""

    model_config = ConfigDict(extra="allow")

    titulo_profissional: str | None = None
    conhecimentos_tecnicos: str | None = None
    titulo_vaga: str | None = None
    competencia_tecnicas_e_comportamentais: str | None = None


class MatchProbability(BaseModel):
    match_probability: float = Field(description="percent, one decimal")


class RecommendationsData(BaseModel):
    data: list[dict[str, Any]]


class DriftReportOut(BaseModel):
    drift_report: str


@router.post("/inferencias/matchModel/predict", response_model=MatchProbability)
def match_predict(runtime: RuntimeDep, actor: ActorDep, body: MatchPayload) -> MatchProbability:
    """Match probability in percent for a candidate and an opening given field by field."""
    score = score_payload(
        actor=actor, model=runtime.match_model(), payload=body.model_dump(exclude_none=True)
    )
    return MatchProbability(match_probability=round(score.probability * 100, 1))


@router.post("/inferencias/recommendationModel/predict", response_model=RecommendationsData)
def recommendation_predict(
    runtime: RuntimeDep, actor: ActorDep, body: MatchPayload, k: Annotated[int, Query(ge=1, le=100)] = 10
) -> RecommendationsData:
    """Openings for a free-form candidate profile, embedded on the fly."""
    found = recommend_for_profile(
        engine=runtime.engine,
        actor=actor,
        profile=body.model_dump(exclude_none=True),
        k=k,
        get_encoder=runtime.encoder,
        get_model=runtime.match_model,
    )
    return RecommendationsData(
        data=[
            {
                "codigo_vaga": f.recommendation.code,
                "titulo_vaga": f.recommendation.title,
                "competencia_tecnicas_e_comportamentais": f.competencias,
                "areas_atuacao_vaga": f.areas_atuacao,
                "score": f.recommendation.semantic_similarity,
                "probability": f.recommendation.probability,
                "lexical_score": f.recommendation.lexical_score,
                "matched_skills": list(f.recommendation.matched_skills),
                "missing_skills": list(f.recommendation.missing_skills),
            }
            for f in found
        ]
    )


@router.get("/inferencias/driftReport", response_model=DriftReportOut)
def drift_report(actor: ActorDep) -> DriftReportOut:
    """The latest drift report's HTML as a string (404 before the first)."""
    summary, report = get_drift_report(actor=actor)
    if report is None:
        raise NotFoundError(f"the drift report file {summary.get('report')!r} is gone; run a new report")
    return DriftReportOut(drift_report=report.read_text(encoding="utf-8"))
