"""Recruiting: candidates, openings and prospects (search pages with offset/limit/total and the pages'
filters, one record), create and update candidates, add prospects, move them and note on them;
import/export the Decision JSON by storage key (jobs)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine

from hr_api.deps import ActorDep, EngineDep, StorageDep
from hr_api.routes.jobs import ACCEPTED, JobOut, accept_job
from hr_core.access import Actor
from hr_core.recruiting.editing import CandidateForm, save_candidate
from hr_core.recruiting.importer import import_vaga_record
from hr_core.recruiting.queries import (
    MAX_PAGE_SIZE,
    PageOfRows,
    get_candidate,
    get_opening,
    list_candidate_prospects,
    list_opening_prospects,
    search_candidates,
    search_openings,
    search_prospects,
)
from hr_core.recruiting.workflow import (
    Note,
    ProspectDetail,
    add_prospect,
    add_prospect_note,
    default_status_of,
    get_prospect,
    move_prospect,
)
from hr_core.vocabulary import IMPORT_SOURCES

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
    """Storage keys (under HR_STORAGE_URL) of Decision JSON files and of an export's CSV files; at least one."""

    applicants: str | None = Field(
        None, max_length=500, description=IMPORT_SOURCES["applicants"], examples=["imports/applicants.json"]
    )
    vagas: str | None = Field(None, max_length=500, description=IMPORT_SOURCES["vagas"])
    prospects: str | None = Field(None, max_length=500, description=IMPORT_SOURCES["prospects"])
    requirements: str | None = Field(
        None,
        max_length=500,
        description=IMPORT_SOURCES["requirements"],
        examples=["exports/today/opening_skill_requirements.csv"],
    )
    feedback: str | None = Field(None, max_length=500, description=IMPORT_SOURCES["feedback"])


class ExportIn(BaseModel):
    prefix: str = Field(
        max_length=500,
        description="storage folder (key prefix) for the three files",
        examples=["exports/today"],
    )


class PageOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


class RowsOut(BaseModel):
    items: list[dict[str, Any]]


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (ISO dates, no NaN)."""
    return json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))  # type: ignore[no-any-return]


def jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))  # type: ignore[no-any-return]


class Window(BaseModel):
    """Which rows of a listing: `limit` (≤ 500) from `offset`."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)


def _given(values: dict[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in values.items() if value is not None}


class CandidateSearch(Window):
    """The Candidates page's search and filters, as query parameters."""

    q: str = Field(default="", max_length=200, description="text in name, title, skills or CV; or a code")
    local: str | None = Field(default=None, max_length=200)
    nivel_profissional: str | None = Field(default=None, max_length=200)
    nivel_ingles: str | None = Field(default=None, max_length=200)
    nivel_espanhol: str | None = Field(default=None, max_length=200)
    pcd: str | None = Field(default=None, max_length=200)
    area_atuacao: str | None = Field(default=None, max_length=200)

    def run(self, *, engine: Engine, actor: Actor, page: int, page_size: int) -> PageOfRows:
        filters = _given(self.model_dump(exclude={"offset", "limit", "q"}))
        return search_candidates(
            engine=engine,
            actor=actor,
            text=self.q,
            filters=filters,
            sort="codigo",
            page=page,
            page_size=page_size,
        )


class OpeningSearch(Window):
    """The Job openings page's search and filters, as query parameters."""

    q: str = Field(default="", max_length=200, description="text in title or client; or a code")
    cliente: str | None = Field(default=None, max_length=200)
    cidade: str | None = Field(default=None, max_length=200)
    nivel_profissional: str | None = Field(default=None, max_length=200)
    stage: str | None = Field(default=None, max_length=100, description="having a prospect at this stage")

    def run(self, *, engine: Engine, actor: Actor, page: int, page_size: int) -> PageOfRows:
        filters = _given(self.model_dump(exclude={"offset", "limit", "q", "stage"}))
        return search_openings(
            engine=engine,
            actor=actor,
            text=self.q,
            filters=filters,
            stage=self.stage,
            sort="codigo",
            page=page,
            page_size=page_size,
        )


class ProspectSearch(Window):
    """The prospects listing's search and filters, as query parameters."""

    q: str = Field(default="", max_length=200, description="text in the candidate's name")
    vaga: str | None = Field(default=None, max_length=100, description="the opening's code")
    candidate: str | None = Field(default=None, max_length=100, description="the candidate's code")
    stage: str | None = Field(default=None, max_length=100, description="applied, in_process, interview, …")
    status: str | None = Field(default=None, max_length=200, description="a Decision status")
    recrutador: str | None = Field(default=None, max_length=200, description="the recruiter's name")

    def run(self, *, engine: Engine, actor: Actor, page: int, page_size: int) -> PageOfRows:
        filters = _given(self.model_dump(exclude={"offset", "limit", "q"}))
        return search_prospects(
            engine=engine, actor=actor, text=self.q, filters=filters, page=page, page_size=page_size
        )


Search = CandidateSearch | OpeningSearch | ProspectSearch


def list_page(*, engine: Engine, actor: Actor, search: Search) -> PageOut:
    """Rows offset..offset+limit of a page-numbered search (it reads at most two pages of `limit` rows)."""
    offset, limit = search.offset, search.limit
    first = offset // limit + 1
    page = search.run(engine=engine, actor=actor, page=first, page_size=limit)
    rows = page.rows.iloc[offset % limit :]
    if len(rows) < limit and first * limit < page.total:
        more = search.run(engine=engine, actor=actor, page=first + 1, page_size=limit)
        rows = pd.concat([rows, more.rows.iloc[: limit - len(rows)]])
    return PageOut(total=page.total, offset=offset, limit=limit, items=frame_records(rows))


@router.get("/candidates", response_model=PageOut)
def get_candidates(
    engine: EngineDep, actor: ActorDep, search: Annotated[CandidateSearch, Query()]
) -> PageOut:
    """Candidates by code, `limit` (≤ 500) from `offset`, with the search and filters of the Candidates page."""
    return list_page(engine=engine, actor=actor, search=search)


@router.get("/candidates/{codigo}", response_model=dict[str, Any])
def get_one_candidate(engine: EngineDep, actor: ActorDep, codigo: str) -> dict[str, Any]:
    """Every field of one candidate and its Decision record (opening a profile is audited)."""
    return jsonable(get_candidate(engine=engine, actor=actor, codigo=codigo))


@router.get("/candidates/{codigo}/prospects", response_model=RowsOut)
def get_candidate_prospects(engine: EngineDep, actor: ActorDep, codigo: str) -> RowsOut:
    """The openings a candidate applied to, with stage and dates."""
    return RowsOut(items=frame_records(list_candidate_prospects(engine=engine, actor=actor, codigo=codigo)))


@router.get("/openings", response_model=PageOut)
def get_openings(engine: EngineDep, actor: ActorDep, search: Annotated[OpeningSearch, Query()]) -> PageOut:
    """Openings (vagas) by code, `limit` (≤ 500) from `offset`, with the Job openings page's filters."""
    return list_page(engine=engine, actor=actor, search=search)


@router.get("/openings/{codigo}", response_model=dict[str, Any])
def get_one_opening(engine: EngineDep, actor: ActorDep, codigo: str) -> dict[str, Any]:
    """Every field of one opening and its Decision record."""
    return jsonable(get_opening(engine=engine, actor=actor, codigo=codigo))


@router.get("/openings/{codigo}/prospects", response_model=RowsOut)
def get_opening_prospects(engine: EngineDep, actor: ActorDep, codigo: str) -> RowsOut:
    """The prospects of an opening, with stage and dates."""
    return RowsOut(items=frame_records(list_opening_prospects(engine=engine, actor=actor, codigo=codigo)))


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


class VagaRecord(BaseModel):
    """An opening as vagas.json holds it; the record replaces the stored one (other sections kept as given)."""

    model_config = ConfigDict(extra="allow")

    informacoes_basicas: dict[str, Any] = Field(description="titulo_vaga, cliente, tipo_contratacao, …")
    perfil_vaga: dict[str, Any] | None = Field(
        None, description="cidade, nivel profissional, competências, …"
    )
    beneficios: dict[str, Any] | None = None


class OpeningCreate(VagaRecord):
    codigo: str = Field(max_length=100, description="the opening's code (codigo_vaga)")


class SavedOpening(BaseModel):
    codigo: str
    created: bool


def save_opening(*, engine: EngineDep, actor: ActorDep, codigo: str, body: VagaRecord) -> SavedOpening:
    record = body.model_dump(exclude={"codigo"}, exclude_none=True)
    code, created = import_vaga_record(engine=engine, actor=actor, codigo=codigo, record=record)
    return SavedOpening(codigo=code, created=created)


@router.post("/openings", response_model=SavedOpening)
def post_opening(engine: EngineDep, actor: ActorDep, body: OpeningCreate) -> SavedOpening:
    """Create an opening from its vagas.json record (or replace it if the code exists), same rules as an import."""
    return save_opening(engine=engine, actor=actor, codigo=body.codigo, body=body)


@router.put("/openings/{codigo}", response_model=SavedOpening)
def put_opening(engine: EngineDep, actor: ActorDep, codigo: str, body: VagaRecord) -> SavedOpening:
    """Replace an opening's record (creates it if the code is new)."""
    return save_opening(engine=engine, actor=actor, codigo=codigo, body=body)


class ProspectIn(BaseModel):
    """A candidate to put into an opening's pipeline (as 'Inscrito'); both must exist."""

    vaga: str = Field(max_length=100, description="the opening's code")
    candidate: str = Field(max_length=100, description="the candidate's code")
    recruiter: str = Field(default="", max_length=1000)


class ProspectMove(BaseModel):
    """A move to another Decision status, or to a stage (its default status); exactly one of the two."""

    status: str | None = Field(None, max_length=200, examples=["Entrevista Técnica"])
    stage: str | None = Field(None, max_length=100, examples=["interview"])

    @model_validator(mode="after")
    def _one_of(self) -> ProspectMove:
        if (self.status is None) == (self.stage is None):
            raise ValueError("give either status or stage")
        return self


class NoteIn(BaseModel):
    text: str = Field(max_length=100_000)


@router.get("/prospects", response_model=PageOut)
def get_prospects(engine: EngineDep, actor: ActorDep, search: Annotated[ProspectSearch, Query()]) -> PageOut:
    """Prospects in opening order, `limit` (≤ 500) from `offset`, by opening, candidate, stage, status, recruiter."""
    return list_page(engine=engine, actor=actor, search=search)


@router.get("/prospects/{vaga}/{candidate}", response_model=ProspectDetail)
def get_one_prospect(engine: EngineDep, actor: ActorDep, vaga: str, candidate: str) -> ProspectDetail:
    """One candidate in one opening's pipeline, with the stage history and the notes."""
    return get_prospect(engine=engine, actor=actor, vaga=vaga, candidate=candidate)


@router.post("/prospects", response_model=ProspectDetail, status_code=201)
def post_prospect(engine: EngineDep, actor: ActorDep, body: ProspectIn) -> ProspectDetail:
    """Put a candidate into an opening's pipeline as 'Inscrito' (409 if already there)."""
    add_prospect(
        engine=engine, actor=actor, vaga=body.vaga, candidate=body.candidate, recruiter=body.recruiter
    )
    return get_prospect(engine=engine, actor=actor, vaga=body.vaga.strip(), candidate=body.candidate.strip())


@router.patch("/prospects/{vaga}/{candidate}", response_model=ProspectDetail)
def patch_prospect(
    engine: EngineDep, actor: ActorDep, vaga: str, candidate: str, body: ProspectMove
) -> ProspectDetail:
    """Move a prospect to another status or stage (kept in its history; 409 if it is there already)."""
    status = body.status if body.status is not None else default_status_of(body.stage or "")
    move_prospect(engine=engine, actor=actor, vaga=vaga, candidate=candidate, status=status)
    return get_prospect(engine=engine, actor=actor, vaga=vaga, candidate=candidate)


@router.post("/prospects/{vaga}/{candidate}/notes", response_model=Note, status_code=201)
def post_prospect_note(engine: EngineDep, actor: ActorDep, vaga: str, candidate: str, body: NoteIn) -> Note:
    """Leave a note on a prospect (1 to 5,000 characters)."""
    return add_prospect_note(engine=engine, actor=actor, vaga=vaga, candidate=candidate, text=body.text)


@router.post("/import", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_import(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response, body: ImportIn
) -> JobOut:
    """Import Decision JSON files and an export's skill levels and feedback CSV from storage keys, as a job (202)."""
    params = {k: storage.locate(v) for k, v in body.model_dump().items() if v}
    return accept_job(engine=engine, actor=actor, response=response, kind="recruiting.import", params=params)


@router.post("/export", response_model=JobOut, status_code=202, responses=ACCEPTED)
def post_export(
    engine: EngineDep, storage: StorageDep, actor: ActorDep, response: Response, body: ExportIn
) -> JobOut:
    """Export applicants.json, vagas.json, prospects.json, opening_skill_requirements.csv and match_feedback.csv
    under a storage prefix, as a job (202)."""
    params = {"out": storage.locate(body.prefix)}
    return accept_job(engine=engine, actor=actor, response=response, kind="recruiting.export", params=params)
