"""Fair by construction: no model feature reads or derives from a protected attribute."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hr_core.ml.features import (
    CANDIDATE_COLUMNS,
    FEATURES,
    PROTECTED_ATTRIBUTES,
    VAGA_ELIGIBILITY_COLUMNS,
    build_candidate_text,
    build_features,
    fit_text_vectorizer,
    make_pair_frame,
    redact_protected_text,
)
from hr_core.ml.skills import learn_from_openings
from tests.factories import make_match_rows, make_truth_match_rows


def test_no_feature_names_a_protected_attribute_or_an_eligibility_rule() -> None:
    forbidden = [*PROTECTED_ATTRIBUTES, *(f"vaga_{c}" for c in VAGA_ELIGIBILITY_COLUMNS)]
    for feature in FEATURES:
        name = f"_{feature}_"
        for attribute in forbidden:
            assert f"_{attribute}_" not in name, f"feature {feature!r} reads protected {attribute!r}"
    # The protected columns that the tables hold are all covered by the constant.
    assert {"sexo", "estado_civil", "pcd", "nome"} <= set(CANDIDATE_COLUMNS) & set(PROTECTED_ATTRIBUTES)
    # Every comparison feature says what it compares, and none compares a protected attribute.
    for feature in FEATURES:
        assert not any(word in feature for word in ("sex", "civil", "pcd", "idade", "nasc", "nome", "foto"))


def test_free_text_loses_the_words_that_state_a_protected_attribute() -> None:
    cv = "Analista SAP FI\n29 anos ▪ brasileiro ▪ Casado ▪ PcD (deficiência auditiva)\n5 anos de experiência"
    redacted = redact_protected_text(cv).lower()
    for word in ("29 anos", "casado", "pcd", "deficiência"):
        assert word not in redacted
    assert "5 anos de experiência" in redacted and "sap fi" in redacted
    assert "solteira" not in build_candidate_text({"cv_pt": "Solteira, 31 anos, sexo feminino"}).lower()


_PAIRS = make_match_rows(seed=3, n_vagas=6, per_vaga=5)
protected_values = st.fixed_dictionaries(
    {
        "sexo": st.sampled_from(["Feminino", "Masculino", "", "Outro"]),
        "estado_civil": st.sampled_from(["Solteiro", "Casado", "Divorciado", ""]),
        "pcd": st.sampled_from(["Sim", "Não", ""]),
        "nome": st.text(max_size=20),
    }
)


@settings(max_examples=10, deadline=None)
@given(st.lists(protected_values, min_size=30, max_size=30), st.sampled_from(["Sim", "Não"]))
def test_changing_only_protected_fields_changes_no_feature(changes: list[dict], vaga_pcd: str) -> None:
    candidates, vagas, prospects = _PAIRS
    cands = pd.DataFrame(candidates)
    vags = pd.DataFrame(vagas)
    pairs = [(p["candidate_codigo"], p["vaga_codigo"]) for p in prospects]
    vectorizer = fit_text_vectorizer(
        [build_candidate_text(r) for r in candidates], [v["competencias"] for v in vagas]
    )
    before = build_features(make_pair_frame(cands, vags, pairs), vectorizer=vectorizer)
    changed = cands.copy()
    for i, change in enumerate(changes):
        for column, value in change.items():
            changed.loc[i, column] = value
    changed_vagas = vags.assign(pcd=vaga_pcd)
    after = build_features(make_pair_frame(changed, changed_vagas, pairs), vectorizer=vectorizer)
    pd.testing.assert_frame_equal(before, after)


@settings(max_examples=10, deadline=None)
@given(st.lists(protected_values, min_size=30, max_size=30))
def test_changing_only_protected_fields_changes_no_retrieval_text(changes: list[dict]) -> None:
    """What recommend() ranks by (the MiniLM text and its BM25 terms) never reads a protected column."""
    from hr_core.ml.lexical import analyze

    candidates, _, _ = _PAIRS
    for row, change in zip(candidates, changes, strict=False):
        changed = {**row, **change}
        assert build_candidate_text(changed) == build_candidate_text(row)
        assert analyze(build_candidate_text(changed)) == analyze(build_candidate_text(row))


_TRUTH = make_truth_match_rows(seed=4, n_vagas=8, n_candidates=40, per_vaga=5)


@settings(max_examples=10, deadline=None)
@given(st.lists(protected_values, min_size=40, max_size=40), st.sampled_from(["Sim", "Não"]))
def test_learned_skills_and_comparisons_ignore_protected_fields(changes: list[dict], vaga_pcd: str) -> None:
    """With skills learned from the openings (multi-word, Portuguese) and CVs that state protected facts,
    changing only those facts, the CV words that state them included, changes no feature."""
    candidates, vagas, prospects, _ = _TRUTH
    cands = pd.DataFrame(candidates)
    vags = pd.DataFrame(vagas)
    pairs = [(p["candidate_codigo"], p["vaga_codigo"]) for p in prospects]
    skills = learn_from_openings(vagas, min_openings=2)
    vectorizer = fit_text_vectorizer([build_candidate_text(r) for r in candidates], [""])
    stated = cands.assign(cv_pt=cands["cv_pt"] + "\nSolteira, 31 anos, PcD.")
    before = build_features(make_pair_frame(stated, vags, pairs), vectorizer=vectorizer, skills=skills)
    changed = stated.copy()
    changed["cv_pt"] = cands["cv_pt"] + "\nCasado, 45 anos, sem deficiência."
    for i, change in enumerate(changes):
        for column, value in change.items():
            changed.loc[i, column] = value
    after = build_features(
        make_pair_frame(changed, vags.assign(pcd=vaga_pcd), pairs), vectorizer=vectorizer, skills=skills
    )
    pd.testing.assert_frame_equal(before, after)
    assert before["skills_matched"].sum() > 0 and before["title_overlap"].notna().all()
