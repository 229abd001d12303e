"""Invariance on both databases: changing only protected fields changes no probability or recommendation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, update

from hr_core.access import CLI_ACTOR
from hr_core.ml.match import load_match_model, read_model_card, score_pairs, train_match_model
from hr_core.ml.recommend import build_indexes, recommend
from hr_core.models import Candidate, Vaga
from tests.factories import insert_recruiting_rows, make_match_rows


def _scramble_protected(engine: Engine) -> None:
    """Rewrite every candidate's sex, marital status, PcD, name and personal section; flip openings' PcD."""
    with engine.begin() as conn:
        codes = [r[0] for r in conn.execute(Candidate.__table__.select().with_only_columns(Candidate.codigo))]
        for i, code in enumerate(codes):
            conn.execute(
                update(Candidate)
                .where(Candidate.codigo == code)
                .values(
                    sexo=("Masculino", "Feminino", "")[i % 3],
                    estado_civil=("Casado", "Solteiro", "Divorciado", "")[i % 4],
                    pcd=("Sim", "Não")[i % 2],
                    nome=f"Outra Pessoa {i}",
                    informacoes_pessoais={"data_nascimento": f"19{50 + i % 50}-01-01", "endereco": "rua x"},
                )
            )
        conn.execute(update(Vaga).values(pcd="Sim"))


def _lists(engine: Engine, codes: list[str], **kwargs: Any) -> list[list[tuple[Any, ...]]]:
    out = []
    for code in codes:
        for method in ("hybrid", "hybrid+rerank"):
            result = recommend(engine=engine, actor=CLI_ACTOR, k=10, method=method, **{kwargs["side"]: code})
            assert (
                result.method == method
            )  # re-ranked: the model orders them, and protected fields must not move it
            out.append(
                [
                    (r.code, r.probability, r.semantic_similarity, r.lexical_score, r.fused_rank, r.reasons)
                    for r in result.items
                ]
            )
    return out


@pytest.mark.slow
def test_protected_fields_move_no_probability_and_no_recommendation(engine: Engine) -> None:
    candidates, vagas, prospects = make_match_rows(seed=11, n_vagas=24, per_vaga=8)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    build_indexes(engine=engine, actor=CLI_ACTOR)
    card = read_model_card()
    assert card is not None and "sexo" in card.protected_attributes
    model = load_match_model()
    pairs = [(c["codigo"], v["codigo"]) for c in candidates[::7] for v in vagas]
    before = score_pairs(engine=engine, actor=CLI_ACTOR, model=model, pairs=pairs)
    cand_codes = [c["codigo"] for c in candidates[::20]]
    vaga_codes = [v["codigo"] for v in vagas[::5]]
    recs_before = _lists(engine, cand_codes, side="candidate") + _lists(engine, vaga_codes, side="vaga")

    _scramble_protected(engine)
    after = score_pairs(engine=engine, actor=CLI_ACTOR, model=model, pairs=pairs)
    assert before["probability"].tolist() == after["probability"].tolist()
    recs_after = _lists(engine, cand_codes, side="candidate") + _lists(engine, vaga_codes, side="vaga")
    assert recs_before == recs_after
