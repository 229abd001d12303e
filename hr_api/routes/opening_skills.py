"""An opening's skills (recruiters): read the skills extracted from its texts with their levels, and set
levels (required / preferred / ignored); the same hr_core functions as the opening's Skills tab."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hr_api.deps import ActorDep, RuntimeDep
from hr_core.ml.requirements import OpeningSkill, labels_at, list_opening_skills, save_opening_skills
from hr_core.vocabulary import SkillLevel as Level

router = APIRouter(prefix="/recruiting/openings/{codigo}/skills", tags=["recruiting"])
Term = Annotated[str, Field(min_length=1, max_length=200)]
MAX_LEVELS = 500


class SkillOut(BaseModel):
    term: str = Field(description="the skill's key (send it back to set its level)")
    label: str = Field(description="the words shown")
    level: Level


class OpeningSkillsOut(BaseModel):
    """Every skill read from the opening's activities and competences, by label, with its level."""

    vaga: str
    skills: list[SkillOut]
    required: list[str] = Field(description="labels of the required skills")
    ignored: list[str] = Field(description="labels of the ignored skills")


class SkillLevelsIn(BaseModel):
    """New levels by term (terms from GET …/skills); skills not named keep their level."""

    levels: dict[Term, Level] = Field(
        min_length=1, max_length=MAX_LEVELS, examples=[{"python": "required", "ingl": "ignored"}]
    )


class SavedSkillsOut(OpeningSkillsOut):
    changed: int = Field(description="how many levels this request changed")


def _out(vaga: str, skills: list[OpeningSkill] | tuple[OpeningSkill, ...]) -> dict[str, object]:
    return {
        "vaga": vaga,
        "skills": [s.as_dict() for s in skills],
        "required": labels_at(skills, "required"),
        "ignored": labels_at(skills, "ignored"),
    }


@router.get("", response_model=OpeningSkillsOut)
def get_opening_skills(runtime: RuntimeDep, actor: ActorDep, codigo: str) -> OpeningSkillsOut:
    """The opening's extracted skills with their levels (preferred unless a recruiter set another)."""
    vocabulary = runtime.skill_vocabulary()
    found = list_opening_skills(engine=runtime.engine, actor=actor, vaga=codigo, vocabulary=vocabulary)
    return OpeningSkillsOut.model_validate(_out(codigo.strip(), found))


@router.patch("", response_model=SavedSkillsOut)
def patch_opening_skills(
    runtime: RuntimeDep, actor: ActorDep, codigo: str, body: SkillLevelsIn
) -> SavedSkillsOut:
    """Set the levels of some of the opening's skills (audited as recruiting.opening_skills); a candidate who
    lacks a required skill ranks below those who have them all, an ignored one stops counting."""
    saved = save_opening_skills(
        engine=runtime.engine,
        actor=actor,
        vaga=codigo,
        levels=body.levels,
        vocabulary=runtime.skill_vocabulary(),
    )
    return SavedSkillsOut.model_validate({**_out(saved.vaga, saved.skills), "changed": saved.changed})
