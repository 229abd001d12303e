"""Requirements a recruiter tunes: each skill extracted from an opening's texts is required, preferred or
ignored, saved with the opening (table opening_skill_requirements).

preferred is the default (nothing saved: the skills count as they always did). An ignored skill leaves the
opening's skill set for the match features and for the matched / missing lists (hr_core.ml.skills.
apply_skill_levels); a candidate who lacks a required one ranks below every candidate who has them all
among the opening's recommendations, and each result names the required skills it lacks
(hr_core.ml.recommend). The levels reach every score through hr_core.ml.data.load_vagas, so Match scoring
and Recommendations agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy import exc as sa_exc

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.db import begin
from hr_core.errors import DatabaseUnavailableError, InvalidInputError
from hr_core.ml import data
from hr_core.ml.skills import (
    SkillVocabulary,
    opening_requirement_text,
    read_skill_levels,
    seed_vocabulary,
    select_shown_terms,
)
from hr_core.models.skill_requirements import OpeningSkillRequirement
from hr_core.vocabulary import DEFAULT_SKILL_LEVEL, SKILL_LEVELS

if TYPE_CHECKING:
    from hr_core.ml.match import MatchModel


@dataclass(frozen=True)
class OpeningSkill:
    """One skill extracted from an opening: its term (stem key), the words shown, and its level."""

    term: str
    label: str
    level: str

    def as_dict(self) -> dict[str, Any]:
        return {"term": self.term, "label": self.label, "level": self.level}


def labels_at(skills: Iterable[OpeningSkill], level: str) -> list[str]:
    """The labels of the skills at a level (required, preferred or ignored), in their order."""
    return [s.label for s in skills if s.level == level]


@dataclass(frozen=True)
class SavedSkillLevels:
    """What a save left: the opening, every extracted skill with its level, and how many levels changed."""

    vaga: str
    skills: tuple[OpeningSkill, ...]
    changed: int

    @property
    def required(self) -> list[str]:
        return labels_at(self.skills, "required")

    @property
    def ignored(self) -> list[str]:
        return labels_at(self.skills, "ignored")


def get_skill_vocabulary(model: MatchModel | None) -> SkillVocabulary:
    """The skill terms openings are read with: the trained model's, else the fixed seed list."""
    return model.skills if model is not None else seed_vocabulary()


def _opening_skills(row: Mapping[str, Any], vocabulary: SkillVocabulary) -> list[OpeningSkill]:
    levels = read_skill_levels(row)
    found = select_shown_terms(vocabulary.find(opening_requirement_text(row)))
    skills = [OpeningSkill(t, vocabulary.label(t), levels.get(t, DEFAULT_SKILL_LEVEL)) for t in found]
    return sorted(skills, key=lambda s: (s.label, s.term))


def list_opening_skills(
    *, engine: Engine, actor: Actor, vaga: str, vocabulary: SkillVocabulary
) -> list[OpeningSkill]:
    """The skills extracted from an opening's activities and competences, by label, each with its saved
    level (preferred when none is saved). NotFoundError when the opening has no description on file."""
    require_role(actor, Action.RECRUITING_READ)
    code = (vaga or "").strip()
    row = data.require_one(data.load_vagas(engine, codes=[code]), code, what="opening (vaga)")
    return _opening_skills(row, vocabulary)


def save_opening_skills(
    *,
    engine: Engine,
    actor: Actor,
    vaga: str,
    levels: Mapping[str, str],
    vocabulary: SkillVocabulary,
    now: dt.datetime | None = None,
) -> SavedSkillLevels:
    """Set the level of some of an opening's extracted skills (term -> required / preferred / ignored);
    audited as recruiting.opening_skills. A preferred skill keeps no row (it is the default).

    InvalidInputError names the level or the term when a level is not in SKILL_LEVELS or a term is not one of
    the opening's extracted skills; NotFoundError when the opening has no description on file.
    """
    code = (vaga or "").strip()
    details: dict[str, Any] = {"vaga": code}
    with audited(engine, actor, Action.OPENING_SKILLS_EDIT, details) as audit:
        row = data.require_one(data.load_vagas(engine, codes=[code]), code, what="opening (vaga)")
        current = {s.term: s for s in _opening_skills(row, vocabulary)}
        for term, level in levels.items():
            if level not in SKILL_LEVELS:
                raise InvalidInputError(
                    f"level {level!r} of skill {term!r} is not one of: {', '.join(SKILL_LEVELS)}"
                )
            if term not in current:
                known = ", ".join(s.label for s in current.values()) or "none"
                raise InvalidInputError(
                    f"{term!r} is not a skill extracted from opening {code}; its skills are: {known}"
                )
        changes = {t: lv for t, lv in levels.items() if current[t].level != lv}
        saved_at = now or dt.datetime.now(dt.UTC)
        table = OpeningSkillRequirement
        try:
            with begin(engine) as conn:
                if changes:
                    conn.execute(
                        delete(table).where(table.vaga_codigo == code, table.term.in_(sorted(changes)))
                    )
                    rows = [
                        {
                            "vaga_codigo": code,
                            "term": t,
                            "label": current[t].label,
                            "level": lv,
                            "username": actor.username,
                            "updated_at": saved_at,
                        }
                        for t, lv in sorted(changes.items())
                        if lv != DEFAULT_SKILL_LEVEL
                    ]
                    if rows:
                        conn.execute(insert(table), rows)
        except sa_exc.OperationalError as e:
            raise DatabaseUnavailableError(f"cannot save the opening's skill levels: {e.orig}") from e
        skills = tuple(OpeningSkill(s.term, s.label, changes.get(s.term, s.level)) for s in current.values())
        result = SavedSkillLevels(vaga=code, skills=skills, changed=len(changes))
        audit.details.update(
            changed={current[t].label: lv for t, lv in sorted(changes.items())},
            required=result.required,
            ignored=result.ignored,
        )
    return result


def list_skill_requirements(*, engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Every saved skill level (vaga, term, label, level, username, updated_at), by opening and term: the
    export's opening_skill_requirements.csv."""
    require_role(actor, Action.RECRUITING_EXPORT)
    table = OpeningSkillRequirement
    stmt = select(
        table.vaga_codigo.label("vaga"),
        table.term,
        table.label,
        table.level,
        table.username,
        table.updated_at,
    ).order_by(table.vaga_codigo, table.term)
    try:
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
    except sa_exc.OperationalError as e:
        raise DatabaseUnavailableError(f"cannot read the openings' skill levels: {e.orig}") from e
    return [{**r, "updated_at": r["updated_at"].isoformat()} for r in rows]
