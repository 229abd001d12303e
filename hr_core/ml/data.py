"""Read candidates, openings and prospects from the recruiting tables for the models."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc

from hr_core.errors import DatabaseUnavailableError, NotFoundError
from hr_core.ml.features import CANDIDATE_COLUMNS, VAGA_COLUMNS
from hr_core.ml.feedback import VERDICT_LABELS, build_latest_feedback_query
from hr_core.ml.skills import SKILL_LEVELS_KEY
from hr_core.models.recruiting import Candidate, Prospect, Vaga
from hr_core.models.skill_requirements import OpeningSkillRequirement
from hr_core.pipeline_stages import match_label


def _read(engine: Engine, stmt: object, columns: list[str]) -> pd.DataFrame:
    try:
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()  # type: ignore[call-overload]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the recruiting tables: {e.orig}") from e
    return pd.DataFrame([tuple(r) for r in rows], columns=columns, dtype=object)


def load_candidates(engine: Engine, *, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Candidates' typed columns (all, or those with the given codes)."""
    stmt = select(*[getattr(Candidate, c) for c in CANDIDATE_COLUMNS]).order_by(Candidate.codigo)
    if codes is not None:
        stmt = stmt.where(Candidate.codigo.in_(list(codes)))
    return _read(engine, stmt, list(CANDIDATE_COLUMNS))


def load_vagas(engine: Engine, *, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Openings' typed columns (all, or those with the given codes), and in SKILL_LEVELS_KEY the skill levels
    a recruiter saved for each (term -> level; {} when none), which the features and skill lists read."""
    wanted = None if codes is None else list(codes)
    stmt = select(*[getattr(Vaga, c) for c in VAGA_COLUMNS]).order_by(Vaga.codigo)
    if wanted is not None:
        stmt = stmt.where(Vaga.codigo.in_(wanted))
    frame = _read(engine, stmt, list(VAGA_COLUMNS))
    levels = load_skill_levels(engine, codes=wanted) if len(frame) else {}
    frame[SKILL_LEVELS_KEY] = pd.Series([levels.get(str(c), {}) for c in frame["codigo"]], dtype=object)
    return frame


def load_skill_levels(engine: Engine, *, codes: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """The saved skill levels per opening code (term -> level), of all openings or the given ones."""
    table = OpeningSkillRequirement
    stmt = select(table.vaga_codigo, table.term, table.level).order_by(table.vaga_codigo, table.term)
    if codes is not None:
        stmt = stmt.where(table.vaga_codigo.in_(list(codes)))
    levels: dict[str, dict[str, str]] = {}
    for code, term, level in _read(engine, stmt, ["vaga", "term", "level"]).itertuples(index=False):
        levels.setdefault(str(code), {})[str(term)] = str(level)
    return levels


def load_protected_attributes(engine: Engine, *, codes: Iterable[str]) -> pd.DataFrame:
    """codigo, sexo, estado_civil, pcd and data_nascimento of candidates: read only to measure fairness."""
    stmt = (
        select(
            Candidate.codigo,
            Candidate.sexo,
            Candidate.estado_civil,
            Candidate.pcd,
            Candidate.informacoes_pessoais,
        )
        .where(Candidate.codigo.in_(list(codes)))
        .order_by(Candidate.codigo)
    )
    frame = _read(engine, stmt, ["codigo", "sexo", "estado_civil", "pcd", "informacoes_pessoais"])
    frame["data_nascimento"] = [
        (p or {}).get("data_nascimento", "") if isinstance(p, dict) else ""
        for p in frame["informacoes_pessoais"]
    ]
    return frame.drop(columns=["informacoes_pessoais"])


def load_prospects(engine: Engine) -> pd.DataFrame:
    """Prospect pairs whose candidate and opening both exist, with status, date and label (or None)."""
    stmt = (
        select(Prospect.candidate_codigo, Prospect.vaga_codigo, Prospect.situacao, Prospect.data_candidatura)
        .join(Candidate, Candidate.codigo == Prospect.candidate_codigo)
        .join(Vaga, Vaga.codigo == Prospect.vaga_codigo)
        .order_by(Prospect.vaga_codigo, Prospect.candidate_codigo)
    )
    frame = _read(engine, stmt, ["candidate", "vaga", "situacao", "data_candidatura"])
    frame["label"] = [match_label(s) for s in frame["situacao"]]
    return frame


def load_feedback_labels(engine: Engine) -> pd.DataFrame:
    """The latest recruiter verdict on each pair whose candidate and opening both exist, as a label
    (good → 1, wrong → 0), with when it was given: candidate, vaga, label, feedback_at."""
    latest = build_latest_feedback_query().subquery()
    stmt = (
        select(latest.c.candidate, latest.c.vaga, latest.c.verdict, latest.c.created_at)
        .join(Candidate, Candidate.codigo == latest.c.candidate)
        .join(Vaga, Vaga.codigo == latest.c.vaga)
        .order_by(latest.c.vaga, latest.c.candidate)
    )
    frame = _read(engine, stmt, ["candidate", "vaga", "verdict", "feedback_at"])
    frame["label"] = [VERDICT_LABELS[v] for v in frame["verdict"]]
    return frame.drop(columns=["verdict"])


def get_data_fingerprint(engine: Engine) -> dict[str, object]:
    """Counts and highest codes of candidates and openings: changes when an import adds or removes rows."""
    try:
        with engine.connect() as conn:
            cand = conn.execute(select(func.count(), func.max(Candidate.codigo))).one()
            vaga = conn.execute(select(func.count(), func.max(Vaga.codigo))).one()
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the recruiting tables: {e.orig}") from e
    return {
        "candidates": int(cand[0]),
        "candidates_max": cand[1],
        "vagas": int(vaga[0]),
        "vagas_max": vaga[1],
    }


def require_one(frame: pd.DataFrame, code: str, *, what: str) -> dict[str, object]:
    """The single row of a frame loaded by code, or NotFoundError."""
    if frame.empty:
        raise NotFoundError(f"{what} {code!r} does not exist; check the code or import the recruiting data")
    row: dict[str, object] = frame.iloc[0].to_dict()
    return row


def list_pair_choices(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """Labels for the candidate and opening pickers: code → 'code · name · title' and 'code · title · city'."""
    cands = load_candidates(engine)
    vagas = load_vagas(engine)
    return (
        {
            str(r.codigo): f"{r.codigo} · {r.nome or '(no name)'} · {r.titulo_profissional}"
            for r in cands.itertuples()
        },
        {str(r.codigo): f"{r.codigo} · {r.titulo or '(no title)'} · {r.cidade}" for r in vagas.itertuples()},
    )
