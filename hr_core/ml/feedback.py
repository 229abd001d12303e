"""Recruiters' feedback on suggested matches: record a verdict (good / wrong), list them, the latest per pair.

Feedback teaches the match model: `train-match` takes a 'good' verdict as a positive label and a 'wrong'
one as a negative, and where a pair has both feedback and a decided prospect the latest feedback wins
(see hr_core.ml.match). Every verdict is kept (a history), audited as ml.feedback, and exported with the
recruiting data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Engine, Select, func, insert, select
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import DatabaseUnavailableError, InvalidInputError, NotFoundError
from hr_core.models.feedback import MatchFeedback
from hr_core.models.recruiting import Candidate, Vaga
from hr_core.vocabulary import FEEDBACK_SOURCES, FEEDBACK_VERDICTS

Verdict = Literal["good", "wrong"]
FeedbackSource = Literal["match_scoring", "recommendations", "job_openings", "api", "cli"]
MAX_REASON = 1_000
MAX_LIST = 10_000
# The training label each verdict gives a pair.
VERDICT_LABELS: dict[str, int] = {"good": 1, "wrong": 0}


@dataclass(frozen=True)
class Feedback:
    """One verdict a recruiter gave on a candidate for an opening."""

    id: int
    candidate: str
    vaga: str
    verdict: Verdict
    reason: str
    source: FeedbackSource
    username: str
    created_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "candidate": self.candidate,
            "vaga": self.vaga,
            "verdict": self.verdict,
            "reason": self.reason,
            "source": self.source,
            "username": self.username,
            "created_at": self.created_at.isoformat(),
        }


_COLUMNS = (
    MatchFeedback.id,
    MatchFeedback.candidate_codigo.label("candidate"),
    MatchFeedback.vaga_codigo.label("vaga"),
    MatchFeedback.verdict,
    MatchFeedback.reason,
    MatchFeedback.source,
    MatchFeedback.username,
    MatchFeedback.created_at,
)


def _check_choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInputError(f"{field} {value!r} is not one of: {', '.join(allowed)}")
    return value


def _row(mapping: Any) -> Feedback:
    return Feedback(**dict(mapping))


def record_feedback(
    *,
    engine: Engine,
    actor: Actor,
    candidate: str,
    vaga: str,
    verdict: str,
    reason: str = "",
    source: str,
    now: dt.datetime | None = None,
) -> Feedback:
    """Store a recruiter's verdict on a stored (candidate, opening) pair; audited as ml.feedback.

    InvalidInputError names the field and value when the verdict or source is not in the vocabulary or
    the reason is longer than MAX_REASON characters; NotFoundError when a code does not exist.
    """
    cand, vag = (candidate or "").strip(), (vaga or "").strip()
    text = (reason or "").strip()
    details = {"candidate": cand, "vaga": vag, "verdict": verdict, "source": source}
    with audited(engine, actor, Action.MATCH_FEEDBACK, details) as audit:
        _check_choice("verdict", verdict, FEEDBACK_VERDICTS)
        _check_choice("source", source, FEEDBACK_SOURCES)
        if len(text) > MAX_REASON:
            raise InvalidInputError(f"reason has {len(text):,} characters; at most {MAX_REASON:,}")
        if not cand or not vag:
            raise InvalidInputError("candidate and vaga (opening) codes must both be given")
        created = now or dt.datetime.now(dt.UTC)
        values = {
            "candidate_codigo": cand,
            "vaga_codigo": vag,
            "verdict": verdict,
            "reason": text,
            "source": source,
            "username": actor.username,
            "created_at": created,
        }
        try:
            with begin(engine) as conn:
                if conn.execute(select(Candidate.codigo).where(Candidate.codigo == cand)).first() is None:
                    raise NotFoundError(f"candidate {cand!r} does not exist; check the code")
                if conn.execute(select(Vaga.codigo).where(Vaga.codigo == vag)).first() is None:
                    raise NotFoundError(f"opening (vaga) {vag!r} does not exist; check the code")
                added = insert(MatchFeedback).values(**values).returning(MatchFeedback.id)
                row_id = int(conn.execute(added).scalar_one())
        except sa_exc.OperationalError as e:
            raise DatabaseUnavailableError(f"cannot save the feedback: {e.orig}") from e
        audit.details.update(id=row_id, reason_chars=len(text))
    return Feedback(
        id=row_id,
        candidate=cand,
        vaga=vag,
        verdict=cast(Verdict, verdict),
        reason=text,
        source=cast(FeedbackSource, source),
        username=actor.username,
        created_at=created,
    )


def list_feedback(
    *,
    engine: Engine,
    actor: Actor,
    candidate: str | None = None,
    vaga: str | None = None,
    verdict: str | None = None,
    username: str | None = None,
    latest_only: bool = False,
    limit: int | None = 1000,
) -> list[Feedback]:
    """Feedback newest first, filtered by candidate, opening, verdict and who gave it; latest_only keeps
    only each pair's latest verdict (the one training uses); limit None gives all (the export).
    Recruiters and admins."""
    require_role(actor, Action.MATCH_FEEDBACK)
    if verdict:
        _check_choice("verdict", verdict, FEEDBACK_VERDICTS)
    if limit is not None and not 1 <= limit <= MAX_LIST:
        raise InvalidInputError(f"limit {limit} must be between 1 and {MAX_LIST:,}")
    rows = (build_latest_feedback_query() if latest_only else select(*_COLUMNS)).subquery()
    stmt = select(rows).order_by(rows.c.created_at.desc(), rows.c.id.desc())
    for column, value in (
        (rows.c.candidate, candidate),
        (rows.c.vaga, vaga),
        (rows.c.verdict, verdict),
        (rows.c.username, username),
    ):
        if value:
            stmt = stmt.where(column == value)
    return _fetch(engine, stmt if limit is None else stmt.limit(limit))


def build_latest_feedback_query() -> Select[Any]:
    """The latest verdict on each (candidate, opening) pair: the newest created_at, then the highest id.

    The one definition of "latest"; training (hr_core.ml.data.load_feedback_labels) and the pages use it.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=(MatchFeedback.candidate_codigo, MatchFeedback.vaga_codigo),
            order_by=(MatchFeedback.created_at.desc(), MatchFeedback.id.desc()),
        )
        .label("rank")
    )
    ranked = select(*_COLUMNS, rank).subquery()
    return select(*[ranked.c[c.key] for c in _COLUMNS]).where(ranked.c.rank == 1)


def get_latest_verdicts(
    *, engine: Engine, actor: Actor, pairs: Iterable[tuple[str, str]] | None = None
) -> dict[tuple[str, str], Feedback]:
    """The latest verdict per (candidate, opening) pair: all pairs, or only those given."""
    require_role(actor, Action.MATCH_FEEDBACK)
    latest = build_latest_feedback_query().subquery()
    stmt = select(latest).order_by(latest.c.candidate, latest.c.vaga)
    wanted = set(pairs) if pairs is not None else None
    if wanted is not None:
        if not wanted:
            return {}
        stmt = stmt.where(latest.c.candidate.in_(sorted({c for c, _ in wanted})))
    found = {(f.candidate, f.vaga): f for f in _fetch(engine, stmt)}
    return found if wanted is None else {k: v for k, v in found.items() if k in wanted}


def get_latest_verdict(*, engine: Engine, actor: Actor, candidate: str, vaga: str) -> Feedback | None:
    """The current verdict on one pair (its latest feedback), or None when nobody gave one."""
    return get_latest_verdicts(engine=engine, actor=actor, pairs=[(candidate, vaga)]).get((candidate, vaga))


def _fetch(engine: Engine, stmt: Select[Any]) -> list[Feedback]:
    try:
        with engine.connect() as conn:
            return [_row(r) for r in conn.execute(stmt).mappings()]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the match feedback: {e.orig}") from e
