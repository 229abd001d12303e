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
from tests.factories import make_match_rows


def test_no_feature_names_a_protected_attribute_or_an_eligibility_rule() -> None:
    forbidden = [*PROTECTED_ATTRIBUTES, *(f"vaga_{c}" for c in VAGA_ELIGIBILITY_COLUMNS)]
    for feature in FEATURES:
        name = f"_{feature}_"
        for attribute in forbidden:
            assert f"_{attribute}_" not in name, f"feature {feature!r} reads protected {attribute!r}"
    # The protected columns that the tables hold are all covered by the constant.
    assert {"sexo", "estado_civil", "pcd", "nome"} <= set(CANDIDATE_COLUMNS) & set(PROTECTED_ATTRIBUTES)


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
