"""Recruiting: create and update candidates; import/export the Decision JSON from/to storage keys (202 jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job
from hr_core.recruiting.editing import CandidateForm, save_candidate

router = APIRouter(prefix="/recruiting", tags=["recruiting"])
Text = Field(default="", max_length=100_000)


class CandidateIn(BaseModel):
    """The fields the candidate form edits; other fields of an existing record are kept."""

    nome: str = Field(max_length=1000)
    email: str = Text
    telefone: str = Text
    local: str = Text
    titulo_profissional: str = Text
    area_atuacao: str = Text
    conhecimentos_tecnicos: str = Text
    certificacoes: str = Text
    nivel_profissional: str = Text
    nivel_academico: str = Text
    nivel_ingles: str = Text
    nivel_espanhol: str = Text
    outro_idioma: str = Text
    sexo: str = Text
    estado_civil: str = Text
    pcd: str = Text
    cv_pt: str = Text
    cv_en: str = Text


class CandidateCreate(CandidateIn):
    codigo: str = Field(max_length=100, description="codigo_profissional")


class SavedCandidate(BaseModel):
    codigo: str
    created: bool


class ImportIn(BaseModel):
    """Storage keys (under HR_STORAGE_URL) of Decision JSON files; at least one."""

    applicants: str | None = Field(None, max_length=500, examples=["imports/applicants.json"])
    vagas: str | None = Field(None, max_length=500)
    prospects: str | None = Field(None, max_length=500)


class ExportIn(BaseModel):
    prefix: str = Field(
        max_length=500,
        description="storage folder (key prefix) for the three files",
        examples=["exports/today"],
    )


def save(*, engine: EngineDep, actor: ActorDep, codigo: str, body: CandidateIn) -> SavedCandidate:
    result = save_candidate(
        engine=engine, actor=actor, form=CandidateForm(codigo=codigo, **body.model_dump())
    )
    return SavedCandidate(codigo=result.codigo, created=result.created)


@router.post("/candidates", response_model=SavedCandidate)
def post_candidate(engine: EngineDep, actor: ActorDep, body: CandidateCreate) -> SavedCandidate:
    """Create a candidate (or update it if the code exists, as the replaced service did)."""
    fields = CandidateIn(**body.model_dump(exclude={"codigo"}))
    return save(engine=engine, actor=actor, codigo=body.codigo, body=fields)


@router.put("/candidates/{codigo}", response_model=SavedCandidate)
def put_candidate(engine: EngineDep, actor: ActorDep, codigo: str, body: CandidateIn) -> SavedCandidate:
    """Update a candidate's form fields (creates it if the code is new)."""
    return save(engine=engine, actor=actor, codigo=codigo, body=body)


@router.post("/import", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_import(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response, body: ImportIn
) -> JobOut:
    """Import Decision JSON files from storage keys, as a job (202)."""
    params = {k: storage.locate(v) for k, v in body.model_dump().items() if v}
    return accept_job(engine=engine, actor=actor, response=response, kind="recruiting.import", params=params)


@router.post("/export", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_export(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response, body: ExportIn
) -> JobOut:
    """Export applicants.json, vagas.json and prospects.json under a storage prefix, as a job (202)."""
    params = {"out": storage.locate(body.prefix)}
    return accept_job(engine=engine, actor=actor, response=response, kind="recruiting.export", params=params)
