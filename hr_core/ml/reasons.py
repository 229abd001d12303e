"""Match reasons as sentences a recruiter reads ("English: meets the requirement", "Same city",
"2 of 5 required skills"), with the direction each one moves the chance; translated by the caller's `_`."""

from __future__ import annotations

import math
from typing import Any, Protocol

from hr_core.i18n import N_, Gettext

_RAISES, _LOWERS = N_("raises the chance"), N_("lowers the chance")
# Requirement comparisons: met (1/0), steps short of what the opening asks, steps above it.
_MEETS: dict[str, str] = {
    "english_meets": N_("English"),
    "spanish_meets": N_("Spanish"),
    "level_meets": N_("Professional level"),
    "academic_meets": N_("Education"),
}
_SHORTFALLS: dict[str, str] = {
    "english_shortfall": N_("English"),
    "spanish_shortfall": N_("Spanish"),
    "level_shortfall": N_("Professional level"),
    "academic_shortfall": N_("Education"),
}
_SHARES: dict[str, tuple[str, str]] = {
    "title_overlap": (N_("Title in common with the opening: {share}%"), N_("Opening's title: not stated")),
    "area_overlap": (N_("Area in common with the opening: {share}%"), N_("Opening's area: not stated")),
    "skills_weighted_overlap": (
        N_("Required skills covered, rarer ones weighing more: {share}%"),
        N_("The opening names no skill"),
    ),
}
_CATEGORIES: dict[str, str] = {
    "cand_nivel_academico": N_("Candidate's education"),
    "cand_nivel_profissional": N_("Candidate's professional level"),
    "vaga_nivel_profissional": N_("Level the opening asks for"),
    "cand_nivel_ingles": N_("Candidate's English"),
    "vaga_nivel_ingles": N_("English the opening asks for"),
    "cand_nivel_espanhol": N_("Candidate's Spanish"),
    "vaga_nivel_espanhol": N_("Spanish the opening asks for"),
    "cand_outro_idioma": N_("Candidate's other languages"),
    "vaga_tipo_contratacao": N_("Contract type"),
    "vaga_cidade": N_("Opening's city"),
    "vaga_estado": N_("Opening's state"),
    "vaga_pais": N_("Opening's country"),
}


class ReasonLike(Protocol):
    @property
    def feature(self) -> str: ...
    @property
    def effect(self) -> float: ...
    @property
    def value(self) -> Any: ...


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _steps(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"


def _fact(reason: ReasonLike, _: Gettext, required_skills: int | None) -> str:
    feature, value = reason.feature, reason.value
    number = _number(value)
    if feature in _MEETS:
        what = _(_MEETS[feature])
        if number is None:
            return _("{what}: not stated").format(what=what)
        if number >= 1:
            return _("{what}: meets the requirement").format(what=what)
        return _("{what}: below the requirement").format(what=what)
    if feature in _SHORTFALLS:
        what = _(_SHORTFALLS[feature])
        if number is None:
            return _("{what}: not stated").format(what=what)
        if number <= 0:
            return _("{what}: meets the requirement").format(what=what)
        return _("{what}: {steps} step(s) below the requirement").format(what=what, steps=_steps(number))
    if feature == "level_excess":
        if not number:
            return _("Professional level: not above the requirement")
        return _("Professional level: {steps} step(s) above the requirement").format(steps=_steps(number))
    if feature in _SHARES:
        sentence, blank = _SHARES[feature]
        if number is None:
            return _(blank)
        return _(sentence).format(share=round(number * 100))
    if feature == "skills_missing":
        return _("{count} required skills missing").format(count=int(number or 0))
    if feature == "same_city":
        return _("Same city") if number else _("Different city")
    if feature == "same_state":
        return _("Same state") if number else _("Different state")
    if feature == "skills_matched":
        count = int(number or 0)
        if required_skills:
            return _("{count} of {total} required skills").format(count=count, total=required_skills)
        return _("{count} required skills matched").format(count=count)
    if feature == "skills_overlap":
        return _("Skills in common: {share}%").format(share=round((number or 0.0) * 100))
    if feature == "text_similarity":
        return _("CV and description similarity: {share}%").format(share=round((number or 0.0) * 100))
    label = _CATEGORIES.get(feature, feature.replace("_", " ").capitalize())
    shown = str(value).strip() if value is not None and str(value).strip() else _("not stated")
    return f"{_(label)}: {shown}"


def describe_reason(reason: ReasonLike, _: Gettext = str, *, required_skills: int | None = None) -> str:
    """One reason as a sentence with its direction: 'English: meets the requirement (raises the chance)'."""
    fact = _fact(reason, _, required_skills)
    if not reason.effect:
        return fact
    return f"{fact} ({_(_RAISES) if reason.effect > 0 else _(_LOWERS)})"


def describe_retrieval(
    semantic_similarity: float, lexical_score: float, _: Gettext = str, *, peer: float | None = None
) -> list[str]:
    """Why retrieval found a result, in words: how close the meanings are, whether words are shared and,
    for an opening known by its title alone, how like this CV are the CVs its title finds (peer)."""
    meaning = _("Similar meaning of the texts: {share}%").format(
        share=round(max(semantic_similarity, 0.0) * 100)
    )
    words = (
        _("No words in common")
        if lexical_score <= 0
        else _("Words in common (BM25 score {score})").format(score=f"{lexical_score:.1f}")
    )
    if peer is None:
        return [meaning, words]
    alike = _("The CVs this opening's title finds are {share}% like this one").format(
        share=round(max(peer, 0.0) * 100)
    )
    return [meaning, words, alike]
