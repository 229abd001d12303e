"""One vocabulary: the forms' choices are exactly what the validator accepts and what the model ranks."""

from __future__ import annotations

import math

from hr_core.ml.features import rank_academic, rank_language, rank_professional
from hr_core.recruiting.editing import CandidateForm, validate_candidate_form
from hr_core.vocabulary import ACADEMIC_LEVELS, LANGUAGE_LEVELS, PCD_VALUES, PROFESSIONAL_LEVELS


def test_every_offered_language_level_is_accepted_and_ranked_in_order() -> None:
    for level in ("", *LANGUAGE_LEVELS):
        form = CandidateForm(codigo="1", nome="Ana", nivel_ingles=level, nivel_espanhol=level)
        assert validate_candidate_form(form) == [], level
    ranks = [rank_language(v) for v in LANGUAGE_LEVELS]
    assert ranks == sorted(ranks) and not any(math.isnan(r) for r in ranks)
    assert validate_candidate_form(CandidateForm(codigo="1", nome="Ana", nivel_ingles="Nativo"))


def test_pcd_values_and_levels_are_all_known_to_the_model() -> None:
    for value in ("", *PCD_VALUES):
        assert validate_candidate_form(CandidateForm(codigo="1", nome="Ana", pcd=value)) == []
    assert validate_candidate_form(CandidateForm(codigo="1", nome="Ana", pcd="Talvez"))
    assert not any(math.isnan(rank_professional(v)) for v in PROFESSIONAL_LEVELS)
    academic = [rank_academic(v) for v in ACADEMIC_LEVELS]
    assert academic == sorted(academic) and not any(math.isnan(r) for r in academic)


def test_every_face_of_the_recruiting_import_takes_the_same_files() -> None:
    from hr_api.routes.recruiting import ImportIn
    from hr_core.cli import build_parser
    from hr_core.jobs.kinds import JOB_KINDS
    from hr_core.vocabulary import IMPORT_SOURCES

    names = set(IMPORT_SOURCES)
    kind = JOB_KINDS["recruiting.import"]
    assert set(kind.params) == names and kind.one_of == names
    assert set(ImportIn.model_fields) == names
    args = build_parser().parse_args(["import-recruiting", *(f"--{n}={n}.x" for n in sorted(names))])
    assert {n: getattr(args, n) for n in names} == {n: f"{n}.x" for n in names}
