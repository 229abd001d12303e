"""Pair features: level ranks, skills, text similarity and the pairs CSV parser."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.errors import InvalidInputError
from hr_core.ml.features import (
    FEATURES,
    SKILLS_VOCABULARY,
    build_features,
    compare_level,
    compare_skills,
    extract_skills,
    fit_text_vectorizer,
    make_pair_frame,
    rank_academic,
    rank_language,
    rank_professional,
)
from hr_core.ml.match import read_pairs_csv


def test_language_levels_are_ordered_and_accent_blind() -> None:
    ranks = [rank_language(v) for v in ("Nenhum", "Básico", "Intermediário", "Avançado", "Fluente")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
    assert rank_language("basico") == rank_language(" Básico ")
    assert math.isnan(rank_language("")) and math.isnan(rank_language("Klingon"))


def test_professional_and_academic_levels() -> None:
    assert rank_professional("Júnior") < rank_professional("Pleno") < rank_professional("Sênior")
    assert rank_professional("Sênior") < rank_professional("Especialista")
    assert rank_academic("Ensino Superior Cursando") < rank_academic("Ensino Superior Completo")
    assert rank_academic("Ensino Superior Completo") < rank_academic("Pós Graduação Completo")


def test_skills_are_found_as_whole_words() -> None:
    assert extract_skills("Experiência com Python, SQL Server e C#; AWS.") >= {
        "python",
        "sql server",
        "c#",
        "aws",
    }
    assert "java" not in extract_skills("javascript e typescript")
    assert "sap" not in extract_skills("sapato")
    matched, missing = compare_skills(
        {"conhecimentos_tecnicos": "python docker"}, {"competencias": "python, django e docker"}
    )
    assert matched == ["docker", "python"] and missing == ["django"]


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(SKILLS_VOCABULARY), max_size=6))
def test_every_vocabulary_skill_listed_in_text_is_found(skills: set[str]) -> None:
    assert extract_skills(" ; ".join(sorted(skills))) >= skills


def test_build_features_agreement_and_similarity() -> None:
    import pandas as pd

    candidates = pd.DataFrame(
        [
            {
                "codigo": "c1",
                "nivel_ingles": "Fluente",
                "nivel_profissional": "Sênior",
                "local": "Recife, Pernambuco",
                "conhecimentos_tecnicos": "python django sql",
                "titulo_profissional": "Desenvolvedor Python",
            },
            {
                "codigo": "c2",
                "nivel_ingles": "Básico",
                "nivel_profissional": "Júnior",
                "local": "São Paulo, São Paulo",
                "conhecimentos_tecnicos": "excel",
                "titulo_profissional": "Assistente administrativo",
            },
        ]
    )
    vagas = pd.DataFrame(
        [
            {
                "codigo": "v1",
                "nivel_ingles": "Avançado",
                "nivel_profissional": "Pleno",
                "cidade": "Recife",
                "estado": "Pernambuco",
                "titulo": "Desenvolvedor Python",
                "competencias": "python, django, docker",
            }
        ]
    )
    vectorizer = fit_text_vectorizer(
        ["Desenvolvedor Python python django sql", "Assistente administrativo excel"],
        ["Desenvolvedor Python python django docker"],
    )
    frame = make_pair_frame(candidates, vagas, [("c1", "v1"), ("c2", "v1"), ("missing", "v1")])
    assert list(frame["candidate"]) == ["c1", "c2"]
    features = build_features(frame, vectorizer=vectorizer)
    assert list(features.columns) == list(FEATURES)
    good, poor = features.iloc[0], features.iloc[1]
    # Requirements read as a recruiter reads them: met or short by how many steps, never a signed gap.
    assert (good["english_meets"], good["english_shortfall"]) == (1.0, 0.0)
    assert (poor["english_meets"], poor["english_shortfall"]) == (0.0, 2.0)
    assert (good["level_meets"], good["level_shortfall"], good["level_excess"]) == (1.0, 0.0, 1.0)
    assert (poor["level_meets"], poor["level_shortfall"], poor["level_excess"]) == (0.0, 1.0, 0.0)
    # Nothing asked is met by anyone; asked of someone who states nothing is unknown.
    assert good["spanish_meets"] == 1.0 and good["spanish_shortfall"] == 0.0
    assert good["same_city"] == 1.0 and good["same_state"] == 1.0 and poor["same_city"] == 0.0
    assert good["skills_overlap"] == pytest.approx(2 / 3) and poor["skills_overlap"] == 0.0
    assert (good["skills_matched"], good["skills_missing"]) == (2.0, 1.0)
    assert poor["skills_missing"] == 3.0
    assert good["title_overlap"] == 1.0 and poor["title_overlap"] == 0.0
    assert good["text_similarity"] > poor["text_similarity"] >= 0.0
    assert good["vaga_tipo_contratacao"] == "(blank)"


def test_level_comparison_meets_short_and_above() -> None:
    assert compare_level(3.0, 3.0) == (1.0, 0.0, 0.0)
    assert compare_level(2.0, 4.0) == (0.0, 2.0, 0.0)
    assert compare_level(5.0, 3.0) == (1.0, 0.0, 2.0)
    assert compare_level(math.nan, 0.0) == (1.0, 0.0, 0.0)
    assert compare_level(2.0, math.nan) == (1.0, 0.0, 0.0)
    assert compare_level(4.0, 0.0) == (1.0, 0.0, 4.0)
    assert all(math.isnan(v) for v in compare_level(math.nan, 3.0))


def _write_pairs(
    path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("candidate", "vaga")
) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


code = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(code, code), max_size=8))
def test_pairs_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]) -> None:
    path = tmp_path_factory.mktemp("pairs") / "pairs.csv"
    _write_pairs(path, rows)
    assert read_pairs_csv(path) == rows


def test_pairs_csv_errors_name_the_line_and_header(tmp_path: Path) -> None:
    bad_header = tmp_path / "h.csv"
    _write_pairs(bad_header, [("1", "2")], header=("cand", "job"))
    with pytest.raises(InvalidInputError, match="candidate and vaga"):
        read_pairs_csv(bad_header)
    blank = tmp_path / "b.csv"
    _write_pairs(blank, [("1", "2"), ("3", "")])
    with pytest.raises(InvalidInputError, match="line 3"):
        read_pairs_csv(blank)
