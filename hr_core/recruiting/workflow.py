"""The recruiting workflow on one prospect: add a candidate to an opening, move them between stages,
leave notes; every change audited as recruiting.edit and the stage history kept.

A move writes the Decision status into the prospect's source record too, so the exporter gives back
prospects.json with the new status and date.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import ConflictError, DatabaseUnavailableError, InvalidInputError, NotFoundError
from hr_core.models.recruiting import (
    Candidate,
    PipelineOpening,
    Prospect,
    ProspectNote,
    ProspectStageChange,
    Vaga,
)
from hr_core.pipeline_stages import ALL_STATUSES, STATUS_STAGE, Stage, stage_of
from hr_core.recruiting.dates import format_decision_date
from hr_core.recruiting.queries import select_prospects

MAX_NOTE = 5_000
# The status a move to a stage writes when the user names only the stage.
STAGE_STATUS: dict[Stage, str] = {
    "applied": "Inscrito",
    "in_process": "Em avaliação pelo RH",
    "interview": "Entrevista Técnica",
    "approved": "Aprovado",
    "rejected": "Não Aprovado pelo RH",
    "withdrew": "Desistiu",
}


@dataclass(frozen=True)
class StageChange:
    """One move in a prospect's history."""

    from_status: str
    to_status: str
    from_stage: str
    to_stage: str
    changed_by: str
    changed_at: dt.datetime


@dataclass(frozen=True)
class Note:
    """One note on a prospect."""

    author: str
    created_at: dt.datetime
    text: str


@dataclass(frozen=True)
class ProspectDetail:
    """One candidate in one opening's pipeline: where they are, since when, and what happened."""

    vaga_codigo: str
    titulo: str
    candidate_codigo: str
    nome: str
    situacao: str
    stage: str
    data_candidatura: dt.date | None
    ultima_atualizacao: dt.date | None
    recrutador: str
    comentario: str
    history: list[StageChange]
    notes: list[Note]


def statuses_of(stage: str) -> list[str]:
    """The Decision statuses that belong to a stage, the default one first."""
    default = STAGE_STATUS.get(stage)  # type: ignore[call-overload]
    others = [s for s, st in STATUS_STAGE.items() if st == stage and s != default]
    return ([default] if default else []) + others


def default_status_of(stage: str) -> str:
    """The status a move to a stage writes when only the stage is named; InvalidInputError if unknown."""
    statuses = statuses_of(stage.strip())
    if not statuses:
        raise InvalidInputError(f"stage {stage!r} is unknown; use one of {', '.join(STAGE_STATUS)}")
    return statuses[0]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _prospect(conn: Any, vaga: str, candidate: str) -> Any:
    row = conn.execute(
        select(Prospect).where(Prospect.vaga_codigo == vaga, Prospect.candidate_codigo == candidate)
    ).first()
    if row is None:
        raise NotFoundError(f"candidate {candidate!r} is not in the pipeline of opening {vaga!r}")
    return row


def _record_stage_change(
    conn: Connection,
    vaga: str,
    candidate: str,
    from_status: str,
    from_stage: str,
    status: str,
    *,
    actor: Actor,
    now: dt.datetime,
) -> StageChange:
    """Write one row of a prospect's stage history and return it."""
    change = StageChange(
        from_status=from_status,
        to_status=status,
        from_stage=from_stage,
        to_stage=stage_of(status),
        changed_by=actor.username,
        changed_at=now,
    )
    conn.execute(
        insert(ProspectStageChange).values(vaga_codigo=vaga, candidate_codigo=candidate, **vars(change))
    )
    return change


def move_prospect(
    *, engine: Engine, actor: Actor, vaga: str, candidate: str, status: str, today: dt.date | None = None
) -> StageChange:
    """Give a prospect a new Decision status (and so a stage); the move is kept in the history."""
    details: dict[str, Any] = {"vaga": vaga, "candidate": candidate, "status": status}
    with audited(engine, actor, Action.RECRUITING_EDIT, details) as audit:
        status = status.strip()
        if status not in ALL_STATUSES:
            raise InvalidInputError(f"status {status!r} is unknown; use one of {', '.join(ALL_STATUSES)}")
        now = _now()
        day = today or now.date()
        try:
            with begin(engine) as conn:
                row = _prospect(conn, vaga, candidate)
                if row.situacao == status:
                    raise ConflictError(f"candidate {candidate!r} already has the status {status!r}")
                raw = copy.deepcopy(row.raw or {})
                raw["situacao_candidado"] = status
                raw["ultima_atualizacao"] = format_decision_date(day)
                conn.execute(
                    update(Prospect)
                    .where(Prospect.id == row.id)
                    .values(situacao=status, stage=stage_of(status), ultima_atualizacao=day, raw=raw)
                )
                change = _record_stage_change(
                    conn, vaga, candidate, row.situacao, row.stage, status, actor=actor, now=now
                )
        except sa_exc.OperationalError as e:
            raise DatabaseUnavailableError(f"cannot move the prospect: {e.orig}") from e
        audit.details.update(from_status=change.from_status, stage=change.to_stage)
    return change


def add_prospect_note(*, engine: Engine, actor: Actor, vaga: str, candidate: str, text: str) -> Note:
    """Leave a note on a candidate in an opening's pipeline (1 to 5,000 characters)."""
    with audited(engine, actor, Action.RECRUITING_EDIT, {"vaga": vaga, "candidate": candidate, "note": True}):
        body = (text or "").strip()
        if not body:
            raise InvalidInputError("the note is empty; write something to save")
        if len(body) > MAX_NOTE:
            raise InvalidInputError(f"the note has {len(body):,} characters; at most {MAX_NOTE:,}")
        note = Note(author=actor.username, created_at=_now(), text=body)
        try:
            with begin(engine) as conn:
                _prospect(conn, vaga, candidate)
                conn.execute(
                    insert(ProspectNote).values(vaga_codigo=vaga, candidate_codigo=candidate, **vars(note))
                )
        except sa_exc.OperationalError as e:
            raise DatabaseUnavailableError(f"cannot save the note: {e.orig}") from e
    return note


def add_prospect(
    *,
    engine: Engine,
    actor: Actor,
    vaga: str,
    candidate: str,
    recruiter: str = "",
    today: dt.date | None = None,
) -> StageChange:
    """Put a candidate into an opening's pipeline as 'Inscrito'; both must exist; not twice."""
    details = {"vaga": vaga, "candidate": candidate, "add": True}
    with audited(engine, actor, Action.RECRUITING_EDIT, details):
        vaga, candidate = vaga.strip(), candidate.strip()
        now = _now()
        day = today or now.date()
        try:
            with begin(engine) as conn:
                person = conn.execute(select(Candidate.nome).where(Candidate.codigo == candidate)).first()
                if person is None:
                    raise NotFoundError(f"candidate {candidate!r} does not exist; check the code")
                opening = conn.execute(select(Vaga.titulo).where(Vaga.codigo == vaga)).first()
                listed = conn.execute(
                    select(PipelineOpening.vaga_codigo).where(PipelineOpening.vaga_codigo == vaga)
                ).first()
                if opening is None and listed is None:
                    raise NotFoundError(f"opening {vaga!r} does not exist; check the code")
                taken = conn.execute(
                    select(Prospect.id).where(
                        Prospect.vaga_codigo == vaga, Prospect.candidate_codigo == candidate
                    )
                ).first()
                if taken is not None:
                    raise ConflictError(
                        f"candidate {candidate!r} is already in the pipeline of opening {vaga!r}"
                    )
                if listed is None:
                    position = conn.execute(
                        select(func.coalesce(func.max(PipelineOpening.position), -1))
                    ).scalar_one()
                    conn.execute(
                        insert(PipelineOpening).values(
                            vaga_codigo=vaga,
                            titulo=opening.titulo if opening is not None else "",
                            modalidade="",
                            position=position + 1,
                            extra={},
                        )
                    )
                position = conn.execute(
                    select(func.coalesce(func.max(Prospect.position), -1)).where(Prospect.vaga_codigo == vaga)
                ).scalar_one()
                status = STAGE_STATUS["applied"]
                raw = {
                    "nome": person.nome,
                    "codigo": candidate,
                    "situacao_candidado": status,
                    "data_candidatura": format_decision_date(day),
                    "ultima_atualizacao": format_decision_date(day),
                    "comentario": "",
                    "recrutador": recruiter.strip(),
                }
                conn.execute(
                    insert(Prospect).values(
                        vaga_codigo=vaga,
                        candidate_codigo=candidate,
                        nome=person.nome,
                        situacao=status,
                        stage=stage_of(status),
                        data_candidatura=day,
                        ultima_atualizacao=day,
                        comentario="",
                        recrutador=recruiter.strip(),
                        position=position + 1,
                        raw=raw,
                    )
                )
                change = _record_stage_change(conn, vaga, candidate, "", "", status, actor=actor, now=now)
        except sa_exc.OperationalError as e:
            raise DatabaseUnavailableError(f"cannot add the prospect: {e.orig}") from e
    return change


def list_prospect_history(*, engine: Engine, actor: Actor, vaga: str, candidate: str) -> list[StageChange]:
    """A prospect's moves, oldest first (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    t = ProspectStageChange
    stmt = (
        select(t.from_status, t.to_status, t.from_stage, t.to_stage, t.changed_by, t.changed_at)
        .where(t.vaga_codigo == vaga, t.candidate_codigo == candidate)
        .order_by(t.changed_at, t.id)
    )
    try:
        with engine.connect() as conn:
            return [StageChange(**row._mapping) for row in conn.execute(stmt)]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the stage history: {e.orig}") from e


def list_prospect_notes(*, engine: Engine, actor: Actor, vaga: str, candidate: str) -> list[Note]:
    """A prospect's notes, newest first (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    t = ProspectNote
    stmt = (
        select(t.author, t.created_at, t.text)
        .where(t.vaga_codigo == vaga, t.candidate_codigo == candidate)
        .order_by(t.created_at.desc(), t.id.desc())
    )
    try:
        with engine.connect() as conn:
            return [Note(**row._mapping) for row in conn.execute(stmt)]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the notes: {e.orig}") from e


def get_prospect(*, engine: Engine, actor: Actor, vaga: str, candidate: str) -> ProspectDetail:
    """A prospect with its opening's title, its stage history and its notes (recruiters and admins)."""
    require_role(actor, Action.RECRUITING_READ)
    stmt = select_prospects().where(Prospect.vaga_codigo == vaga, Prospect.candidate_codigo == candidate)
    try:
        with engine.connect() as conn:
            row = conn.execute(stmt).first()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the prospect: {e.orig}") from e
    if row is None:
        raise NotFoundError(f"candidate {candidate!r} is not in the pipeline of opening {vaga!r}")
    return ProspectDetail(
        **row._mapping,
        history=list_prospect_history(engine=engine, actor=actor, vaga=vaga, candidate=candidate),
        notes=list_prospect_notes(engine=engine, actor=actor, vaga=vaga, candidate=candidate),
    )
