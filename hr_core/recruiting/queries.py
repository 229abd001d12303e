"""Search, filter and detail queries over candidates, openings and prospects (for the pages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypedDict, cast

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.errors import DatabaseUnavailableError, InvalidInputError, NotFoundError
from hr_core.models.recruiting import Candidate, PipelineOpening, Prospect, Vaga
from hr_core.pipeline_stages import STAGE_LABELS
from hr_core.recruiting.core_tables import CANDIDATES, OPENINGS, VAGAS
from hr_core.recruiting.records import build_candidate_record, build_vaga_record

MAX_PAGE_SIZE = 500
CANDIDATE_LIST_COLUMNS = (
    "codigo",
    "nome",
    "titulo_profissional",
    "local",
    "area_atuacao",
    "nivel_profissional",
    "nivel_ingles",
    "nivel_espanhol",
    "pcd",
    "data_atualizacao",
)
# Sortable columns: the only identifiers a caller may choose.
CANDIDATE_SORTS: dict[str, Any] = {c: getattr(Candidate, c) for c in CANDIDATE_LIST_COLUMNS}
CANDIDATE_FILTERS: dict[str, Any] = {
    "local": Candidate.local,
    "nivel_profissional": Candidate.nivel_profissional,
    "nivel_ingles": Candidate.nivel_ingles,
    "nivel_espanhol": Candidate.nivel_espanhol,
    "pcd": Candidate.pcd,
    "area_atuacao": Candidate.area_atuacao,
}
OPENING_FILTERS = ("cliente", "cidade", "nivel_profissional")
OPENING_SORTS = ("codigo", "titulo", "cliente", "cidade", "nivel_profissional", "prospects")
# Exact-value filters of the prospects list: filter name -> column.
PROSPECT_FILTERS: dict[str, Any] = {
    "vaga": Prospect.vaga_codigo,
    "candidate": Prospect.candidate_codigo,
    "stage": Prospect.stage,
    "status": Prospect.situacao,
    "recrutador": Prospect.recrutador,
}


@dataclass(frozen=True)
class PageOfRows:
    """One page of a search: the rows and how many match in total."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class LevelColumns(TypedDict):
    """The levels and languages a candidate has and an opening asks for (hr_core.vocabulary's values)."""

    nivel_profissional: str
    nivel_academico: str
    nivel_ingles: str
    nivel_espanhol: str
    outro_idioma: str


class ImportedColumns(TypedDict):
    """What every imported record keeps to be exported as it came: its other keys and their order, its place."""

    extra: dict[str, Any]
    position: int


class CandidateRow(LevelColumns, ImportedColumns):
    """Every column of a candidates row (the JSON columns hold the source sections as imported)."""

    codigo: str
    nome: str
    email: str
    local: str
    titulo_profissional: str
    area_atuacao: str
    conhecimentos_tecnicos: str
    certificacoes: str
    sexo: str
    estado_civil: str
    pcd: str
    data_criacao: dt.datetime | None
    data_atualizacao: dt.datetime | None
    cv_pt: str
    cv_en: str
    infos_basicas: dict[str, Any]
    informacoes_pessoais: dict[str, Any]
    informacoes_profissionais: dict[str, Any]
    formacao_e_idiomas: dict[str, Any]
    cargo_atual: dict[str, Any]


class CandidateDetail(CandidateRow):
    """A candidate's row and its applicants.json entry as an export writes it."""

    record: dict[str, Any]


class VagaRow(LevelColumns, ImportedColumns):
    """Every column of a vagas row."""

    codigo: str
    titulo: str
    cliente: str
    tipo_contratacao: str
    analista_responsavel: str
    data_requisicao: dt.date | None
    pais: str
    estado: str
    cidade: str
    pcd: str
    areas_atuacao: str
    principais_atividades: str
    competencias: str
    informacoes_basicas: dict[str, Any]
    perfil_vaga: dict[str, Any]
    beneficios: dict[str, Any]


class PipelineOpeningRow(ImportedColumns):
    """Every column of a pipeline_openings row (an opening as prospects.json names it)."""

    vaga_codigo: str
    titulo: str
    modalidade: str


class OpeningDetail(TypedDict):
    """An opening: its vaga and vagas.json record (None when only the pipeline names it) and its pipeline
    entry (None when no prospects file names it); titulo from whichever has one."""

    codigo: str
    vaga: VagaRow | None
    pipeline: PipelineOpeningRow | None
    titulo: str
    record: dict[str, Any] | None


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as conn:
            yield conn
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the recruiting tables: {e.orig}") from e


def escape_like(text: str) -> str:
    """A LIKE pattern that matches text literally anywhere (\\ escapes %, _ and itself)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(columns: list[Any], text: str) -> ColumnElement[bool]:
    pattern = escape_like(text.strip())
    return or_(*[col.ilike(pattern, escape="\\") for col in columns])


def _page(page: int, page_size: int) -> tuple[int, int]:
    if page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise InvalidInputError(f"page size {page_size} must be between 1 and {MAX_PAGE_SIZE}")
    if page < 1:
        raise InvalidInputError(f"page {page} must be 1 or more")
    return page, page_size


def _frame(conn: Connection, stmt: Select[Any] | Any) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def search_candidates(
    *,
    engine: Engine,
    actor: Actor,
    text: str = "",
    filters: dict[str, str] | None = None,
    sort: str = "nome",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> PageOfRows:
    """Candidates whose name, skills, title or CV contain text, filtered by exact column values."""
    require_role(actor, Action.RECRUITING_READ)
    page, page_size = _page(page, page_size)
    if sort not in CANDIDATE_SORTS:
        raise InvalidInputError(
            f"cannot sort candidates by {sort!r}; use one of {', '.join(CANDIDATE_SORTS)}"
        )
    conditions: list[ColumnElement[bool]] = []
    if text.strip():
        columns = [
            Candidate.nome,
            Candidate.conhecimentos_tecnicos,
            Candidate.titulo_profissional,
            Candidate.cv_pt,
            Candidate.cv_en,
        ]
        conditions.append(or_(Candidate.codigo == text.strip(), _contains(columns, text)))
    for name, value in (filters or {}).items():
        if name not in CANDIDATE_FILTERS:
            raise InvalidInputError(
                f"cannot filter candidates by {name!r}; use one of {', '.join(CANDIDATE_FILTERS)}"
            )
        if value is not None:
            conditions.append(CANDIDATE_FILTERS[name] == value)
    where = and_(*conditions) if conditions else literal(True)
    order = CANDIDATE_SORTS[sort].desc() if descending else CANDIDATE_SORTS[sort].asc()
    stmt = (
        select(*[getattr(Candidate, c) for c in CANDIDATE_LIST_COLUMNS])
        .where(where)
        .order_by(order, Candidate.codigo)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    with _connect(engine) as conn:
        total = int(conn.execute(select(func.count()).select_from(Candidate).where(where)).scalar_one())
        rows = _frame(conn, stmt)
    return PageOfRows(rows, total, page, page_size)


def list_candidate_filter_options(*, engine: Engine, actor: Actor) -> dict[str, list[str]]:
    """The distinct non-empty values of each candidate filter column, sorted."""
    require_role(actor, Action.RECRUITING_READ)
    out: dict[str, list[str]] = {}
    with _connect(engine) as conn:
        for name, column in CANDIDATE_FILTERS.items():
            stmt = select(column).where(column != "").distinct().order_by(column)
            out[name] = [v for (v,) in conn.execute(stmt)]
    return out


def get_candidate(*, engine: Engine, actor: Actor, codigo: str) -> CandidateDetail:
    """Every column of one candidate plus its record as exported; NotFoundError if absent.

    Opening a full profile is audited (LGPD: who saw whose personal data).
    """
    with audited(engine, actor, Action.RECRUITING_VIEW_PROFILE, {"candidate": codigo}):
        with _connect(engine) as conn:
            row = conn.execute(select(CANDIDATES).where(Candidate.codigo == codigo)).mappings().first()
        if row is None:
            raise NotFoundError(f"candidate {codigo!r} is not in the database; check the code or import it")
    candidate = cast(CandidateRow, dict(row))  # the select names every column CandidateRow lists
    return CandidateDetail(**candidate, record=build_candidate_record(candidate))


def _add_stage_label(df: pd.DataFrame) -> pd.DataFrame:
    df.insert(
        df.columns.get_loc("stage") + 1, "stage_label", df["stage"].map(STAGE_LABELS).fillna(df["stage"])
    )
    return df


def _days(df: pd.DataFrame) -> pd.DataFrame:
    start = pd.to_datetime(df["data_candidatura"])
    end = pd.to_datetime(df["ultima_atualizacao"])
    df["days_to_last_update"] = (end - start).dt.days.astype("Int64")
    return df


def list_candidate_prospects(*, engine: Engine, actor: Actor, codigo: str) -> pd.DataFrame:
    """The candidate's prospects with the opening's title and whether the opening is in vagas."""
    require_role(actor, Action.RECRUITING_READ)
    stmt = (
        select(
            Prospect.vaga_codigo,
            func.coalesce(Vaga.titulo, PipelineOpening.titulo, "").label("titulo"),
            Prospect.situacao,
            Prospect.stage,
            Prospect.data_candidatura,
            Prospect.ultima_atualizacao,
            Prospect.recrutador,
            Prospect.comentario,
            Vaga.codigo.is_not(None).label("vaga_in_database"),
        )
        .select_from(Prospect)
        .outerjoin(Vaga, Vaga.codigo == Prospect.vaga_codigo)
        .outerjoin(PipelineOpening, PipelineOpening.vaga_codigo == Prospect.vaga_codigo)
        .where(Prospect.candidate_codigo == codigo)
        .order_by(Prospect.data_candidatura.desc(), Prospect.vaga_codigo)
    )
    with _connect(engine) as conn:
        df = _frame(conn, stmt)
    df["vaga_in_database"] = df["vaga_in_database"].astype(bool)
    return _days(_add_stage_label(df))


def _openings_union() -> Any:
    """Openings from vagas, plus those only prospects.json names (marked not in the database)."""
    from_vagas = select(
        Vaga.codigo.label("codigo"),
        Vaga.titulo.label("titulo"),
        Vaga.cliente.label("cliente"),
        Vaga.cidade.label("cidade"),
        Vaga.nivel_profissional.label("nivel_profissional"),
        Vaga.data_requisicao.label("data_requisicao"),
        literal(True).label("in_database"),
    )
    only_pipeline = select(
        PipelineOpening.vaga_codigo,
        PipelineOpening.titulo,
        literal(""),
        literal(""),
        literal(""),
        literal(None, type_=Vaga.data_requisicao.type),
        false(),
    ).where(~exists().where(Vaga.codigo == PipelineOpening.vaga_codigo))
    return union_all(from_vagas, only_pipeline).subquery("openings")


def search_openings(
    *,
    engine: Engine,
    actor: Actor,
    text: str = "",
    filters: dict[str, str] | None = None,
    stage: str | None = None,
    sort: str = "codigo",
    descending: bool = False,
    page: int = 1,
    page_size: int = 25,
) -> PageOfRows:
    """Openings (vagas and pipeline-only ones) by text, client/city/level, and having a prospect at stage."""
    require_role(actor, Action.RECRUITING_READ)
    page, page_size = _page(page, page_size)
    if sort not in OPENING_SORTS:
        raise InvalidInputError(f"cannot sort openings by {sort!r}; use one of {', '.join(OPENING_SORTS)}")
    o = _openings_union()
    counts = (
        select(Prospect.vaga_codigo.label("vaga_codigo"), func.count().label("prospects"))
        .group_by(Prospect.vaga_codigo)
        .subquery("counts")
    )
    conditions: list[ColumnElement[bool]] = []
    if text.strip():
        conditions.append(or_(o.c.codigo == text.strip(), _contains([o.c.titulo, o.c.cliente], text)))
    for name, value in (filters or {}).items():
        if name not in OPENING_FILTERS:
            raise InvalidInputError(
                f"cannot filter openings by {name!r}; use one of {', '.join(OPENING_FILTERS)}"
            )
        if value is not None:
            conditions.append(o.c[name] == value)
    if stage:
        conditions.append(exists().where(and_(Prospect.vaga_codigo == o.c.codigo, Prospect.stage == stage)))
    where = and_(*conditions) if conditions else literal(True)
    n_prospects = func.coalesce(counts.c.prospects, 0).label("prospects")
    sort_col = n_prospects if sort == "prospects" else o.c[sort]
    stmt = (
        select(*o.c, n_prospects)
        .select_from(o.outerjoin(counts, counts.c.vaga_codigo == o.c.codigo))
        .where(where)
        .order_by(sort_col.desc() if descending else sort_col.asc(), o.c.codigo)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    with _connect(engine) as conn:
        total = int(conn.execute(select(func.count()).select_from(o).where(where)).scalar_one())
        rows = _frame(conn, stmt)
    rows["in_database"] = rows["in_database"].astype(bool)
    return PageOfRows(rows, total, page, page_size)


def list_opening_filter_options(*, engine: Engine, actor: Actor) -> dict[str, list[str]]:
    """Distinct non-empty clients, cities and levels of the vagas, sorted."""
    require_role(actor, Action.RECRUITING_READ)
    out: dict[str, list[str]] = {}
    with _connect(engine) as conn:
        for name in OPENING_FILTERS:
            column = getattr(Vaga, name)
            out[name] = [
                v for (v,) in conn.execute(select(column).where(column != "").distinct().order_by(column))
            ]
    return out


def get_opening(*, engine: Engine, actor: Actor, codigo: str) -> OpeningDetail:
    """An opening: its vaga (record or None) and its pipeline entry (or None); NotFoundError if neither."""
    require_role(actor, Action.RECRUITING_READ)
    with _connect(engine) as conn:
        vaga = conn.execute(select(VAGAS).where(Vaga.codigo == codigo)).mappings().first()
        opening = (
            conn.execute(select(OPENINGS).where(PipelineOpening.vaga_codigo == codigo)).mappings().first()
        )
    if vaga is None and opening is None:
        raise NotFoundError(
            f"opening {codigo!r} is neither in vagas nor in any prospects file; check the code"
        )
    # The selects name every column VagaRow and PipelineOpeningRow list.
    vaga_row = cast(VagaRow, dict(vaga)) if vaga else None
    pipeline = cast(PipelineOpeningRow, dict(opening)) if opening else None
    return OpeningDetail(
        codigo=codigo,
        vaga=vaga_row,
        pipeline=pipeline,
        titulo=(vaga_row["titulo"] if vaga_row else "") or (pipeline["titulo"] if pipeline else ""),
        record=build_vaga_record(vaga_row) if vaga_row else None,
    )


def list_opening_prospects(*, engine: Engine, actor: Actor, codigo: str) -> pd.DataFrame:
    """The opening's prospects in file order, with stage, days to last update and candidate presence."""
    require_role(actor, Action.RECRUITING_READ)
    in_candidates = exists().where(Candidate.codigo == Prospect.candidate_codigo)
    stmt = (
        select(
            Prospect.candidate_codigo,
            Prospect.nome,
            Prospect.situacao,
            Prospect.stage,
            Prospect.data_candidatura,
            Prospect.ultima_atualizacao,
            Prospect.recrutador,
            Prospect.comentario,
            in_candidates.label("candidate_in_database"),
        )
        .where(Prospect.vaga_codigo == codigo)
        .order_by(Prospect.position, Prospect.id)
    )
    with _connect(engine) as conn:
        df = _frame(conn, stmt)
    df["candidate_in_database"] = df["candidate_in_database"].astype(bool)
    return _days(_add_stage_label(df))


def select_prospects() -> Select[*tuple[Any, ...]]:
    """Prospects with their opening's title (from vagas, else the pipeline entry): listings and one prospect."""
    return (
        select(
            Prospect.vaga_codigo,
            func.coalesce(Vaga.titulo, PipelineOpening.titulo, "").label("titulo"),
            Prospect.candidate_codigo,
            Prospect.nome,
            Prospect.situacao,
            Prospect.stage,
            Prospect.data_candidatura,
            Prospect.ultima_atualizacao,
            Prospect.recrutador,
            Prospect.comentario,
        )
        .select_from(Prospect)
        .outerjoin(Vaga, Vaga.codigo == Prospect.vaga_codigo)
        .outerjoin(PipelineOpening, PipelineOpening.vaga_codigo == Prospect.vaga_codigo)
    )


def search_prospects(
    *,
    engine: Engine,
    actor: Actor,
    text: str = "",
    filters: dict[str, str] | None = None,
    page: int = 1,
    page_size: int = 25,
) -> PageOfRows:
    """Prospects across openings, by opening, candidate, stage, status or recruiter (recrutador), and name text;
    in opening order, then file order."""
    require_role(actor, Action.RECRUITING_READ)
    page, page_size = _page(page, page_size)
    conditions: list[ColumnElement[bool]] = []
    if text.strip():
        conditions.append(_contains([Prospect.nome], text))
    for name, value in (filters or {}).items():
        if name not in PROSPECT_FILTERS:
            raise InvalidInputError(
                f"cannot filter prospects by {name!r}; use one of {', '.join(PROSPECT_FILTERS)}"
            )
        if name == "stage" and value is not None and value not in STAGE_LABELS:
            raise InvalidInputError(f"stage {value!r} is unknown; use one of {', '.join(STAGE_LABELS)}")
        if value is not None:
            conditions.append(PROSPECT_FILTERS[name] == value)
    where = and_(*conditions) if conditions else literal(True)
    stmt = (
        select_prospects()
        .where(where)
        .order_by(Prospect.vaga_codigo, Prospect.position, Prospect.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    with _connect(engine) as conn:
        total = int(conn.execute(select(func.count()).select_from(Prospect).where(where)).scalar_one())
        rows = _frame(conn, stmt)
    return PageOfRows(_days(_add_stage_label(rows)), total, page, page_size)
