"""Match reasons read as sentences with their direction, in each language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hr_core.i18n import gettext_for
from hr_core.ml.features import FEATURES
from hr_core.ml.reasons import describe_reason


@dataclass(frozen=True)
class R:
    feature: str
    effect: float
    value: Any


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        (R("english_shortfall", 0.08, 0.0), "English: meets the requirement (raises the chance)"),
        (R("english_meets", -0.1, 0.0), "English: below the requirement (lowers the chance)"),
        (R("same_city", 0.05, 1), "Same city (raises the chance)"),
        (R("same_city", -0.02, 0), "Different city (lowers the chance)"),
        (
            R("vaga_nivel_profissional", -0.03, "Sênior"),
            "Level the opening asks for: Sênior (lowers the chance)",
        ),
        (R("cand_outro_idioma", 0.01, None), "Candidate's other languages: not stated (raises the chance)"),
        (R("skills_overlap", 0.2, 0.4), "Skills in common: 40% (raises the chance)"),
        (R("english_meets", 0.08, 1.0), "English: meets the requirement (raises the chance)"),
        (R("level_meets", -0.05, 0.0), "Professional level: below the requirement (lowers the chance)"),
        (R("academic_meets", -0.01, None), "Education: not stated (lowers the chance)"),
        (R("english_shortfall", -0.1, 2.0), "English: 2 step(s) below the requirement (lowers the chance)"),
        (R("spanish_shortfall", 0.01, 0.0), "Spanish: meets the requirement (raises the chance)"),
        (
            R("level_excess", -0.04, 2.0),
            "Professional level: 2 step(s) above the requirement (lowers the chance)",
        ),
        (R("skills_missing", -0.12, 3.0), "3 required skills missing (lowers the chance)"),
        (R("title_overlap", 0.06, 0.5), "Title in common with the opening: 50% (raises the chance)"),
        (R("area_overlap", 0.02, None), "Opening's area: not stated (raises the chance)"),
        (R("vaga_tipo_contratacao", 0.01, "pj/autonomo"), "Contract type: pj/autonomo (raises the chance)"),
    ],
)
def test_reasons_are_sentences_with_a_direction(reason: R, sentence: str) -> None:
    assert describe_reason(reason) == sentence


def test_skills_count_against_the_required_ones() -> None:
    assert (
        describe_reason(R("skills_matched", 0.1, 2), required_skills=5)
        == "2 of 5 required skills (raises the chance)"
    )


def test_every_feature_reads_without_field_names() -> None:
    for feature in FEATURES:
        text = describe_reason(R(feature, 0.1, 1))
        assert feature not in text and "_" not in text, text


def test_reasons_in_portuguese_and_spanish() -> None:
    reason = R("english_meets", 0.08, 1.0)
    assert describe_reason(reason, gettext_for("pt_BR")) == "Inglês: atende ao requisito (aumenta a chance)"
    assert (
        describe_reason(reason, gettext_for("es")) == "Inglés: cumple el requisito (aumenta la probabilidad)"
    )


def test_new_comparisons_read_in_portuguese_and_spanish() -> None:
    reason = R("english_shortfall", -0.1, 2.0)
    assert (
        describe_reason(reason, gettext_for("pt_BR"))
        == "Inglês: 2 nível(is) abaixo do requisito (diminui a chance)"
    )
    assert "por debajo del requisito" in describe_reason(reason, gettext_for("es"))
    missing = R("skills_missing", -0.1, 3.0)
    assert describe_reason(missing, gettext_for("pt_BR")).startswith("3 competências exigidas faltando")
