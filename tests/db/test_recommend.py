"""Embedding indexes and recommendations with the real MiniLM model, on both databases."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR, Actor
from hr_core.cli import main as cli_main
from hr_core.errors import InvalidInputError, ModelError, NotFoundError, PermissionDenied
from hr_core.ml.match import load_match_model, score_pairs, train_match_model
from hr_core.ml.recommend import (
    RecommendFilters,
    build_indexes,
    get_index_paths,
    get_index_status,
    open_index,
    recommend,
)
from tests.factories import insert_recruiting_rows, make_match_rows, make_planted_recommend_rows


@pytest.fixture
def indexed(engine: Engine, encoder: Any) -> tuple[Engine, list[dict], list[dict]]:
    candidates, vagas = make_planted_recommend_rows()
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=[])
    result = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert result.vagas == len(vagas) and result.candidates == len(candidates)
    return engine, candidates, vagas


def test_recommendations_find_the_planted_best_match_both_ways(
    indexed: tuple[Engine, list[dict], list[dict]],
) -> None:
    engine, candidates, vagas = indexed
    for cand in candidates:
        top = recommend(engine=engine, actor=CLI_ACTOR, candidate=cand["codigo"], k=3)
        assert top.code == cand["codigo"] and top.source_kind == "candidates"
        # No match model is trained: the fused MiniLM + BM25 order stands, and the result says so.
        assert top.method == "hybrid" and not top.reranked and "No match model" in top.note
        assert top.items[0].code == top.as_dict()["results"][0]["vaga"] == cand["planted_vaga"], (cand, top)
        assert [i.fused_rank for i in top.items] == [1, 2, 3]
        assert all(i.probability is None and i.kind == "vagas" for i in top.items)
        assert top.items[0].lexical_score > 0 and top.items[0].matched_skills
        assert any("Similar meaning" in r for r in top.items[0].reasons)
    for vaga in vagas:
        top = recommend(engine=engine, actor=CLI_ACTOR, vaga=vaga["codigo"], k=2)
        wanted = {c["codigo"] for c in candidates if c["planted_vaga"] == vaga["codigo"]}
        assert {r.code for r in top.items} == wanted
        for row in top.items:
            back = recommend(engine=engine, actor=CLI_ACTOR, candidate=row.code, k=len(vagas)).items
            # The same pair has the same similarities whichever side asks.
            assert {r.code: r.semantic_similarity for r in back}[vaga["codigo"]] == row.semantic_similarity
        assert top.items[0].matched_skills


def test_filters_apply_to_the_recommended_side(indexed: tuple[Engine, list[dict], list[dict]]) -> None:
    engine, candidates, vagas = indexed
    vaga = vagas[0]["codigo"]
    in_city = recommend(
        engine=engine, actor=CLI_ACTOR, vaga=vaga, k=10, filters=RecommendFilters(city="recife")
    ).items
    assert in_city and all("Recife" in r.city for r in in_city)
    assert len(in_city) == sum("Recife" in c["local"] for c in candidates)
    seniors = recommend(
        engine=engine,
        actor=CLI_ACTOR,
        candidate=candidates[0]["codigo"],
        k=10,
        filters=RecommendFilters(level="Sênior"),
    )
    assert {r.code for r in seniors.items} == {
        v["codigo"] for v in vagas if v["nivel_profissional"] == "Sênior"
    }
    pcd = recommend(engine=engine, actor=CLI_ACTOR, vaga=vaga, k=10, filters=RecommendFilters(pcd=True)).items
    assert [r.code for r in pcd] == [c["codigo"] for c in candidates if c["pcd"] == "Sim"]
    with pytest.raises(NotFoundError, match="not in the recommendation index"):
        recommend(engine=engine, actor=CLI_ACTOR, candidate="nobody")
    with pytest.raises(InvalidInputError, match="exactly one"):
        recommend(engine=engine, actor=CLI_ACTOR, candidate="a", vaga="b")


@pytest.mark.slow
def test_a_trained_model_re_ranks_so_order_and_probability_agree(engine: Engine, encoder: Any) -> None:
    candidates, vagas, prospects = make_match_rows(seed=5, n_vagas=8, per_vaga=6)
    insert_recruiting_rows(engine, candidates=candidates, vagas=vagas, prospects=prospects)
    train_match_model(engine=engine, actor=CLI_ACTOR)
    build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    model = load_match_model()
    for side, code in (("candidate", candidates[0]["codigo"]), ("vaga", vagas[0]["codigo"])):
        found = recommend(engine=engine, actor=CLI_ACTOR, k=5, method="hybrid+rerank", **{side: code})  # type: ignore[arg-type]
        assert found.method == "hybrid+rerank" and found.reranked and found.note == ""
        assert found.base_rate is not None and 0 < found.base_rate < 1
        probabilities = [i.probability for i in found.items]
        assert len(probabilities) == 5 and probabilities == sorted(probabilities, reverse=True)  # type: ignore[type-var]
        pairs = [(code, i.code) if side == "candidate" else (i.code, code) for i in found.items]
        scored = score_pairs(engine=engine, actor=CLI_ACTOR, model=model, pairs=pairs)
        assert scored["probability"].tolist() == probabilities  # the Match scoring page shows the same
        assert all(i.reasons and i.fused_rank >= 1 for i in found.items)
        assert any("raises the chance" in r or "lowers the chance" in r for r in found.items[0].reasons)
        fused = recommend(engine=engine, actor=CLI_ACTOR, k=5, **{side: code})  # type: ignore[arg-type]
        assert [i.fused_rank for i in fused.items] == [1, 2, 3, 4, 5] and fused.method == "hybrid"
        assert fused.note and all(i.probability is not None for i in fused.items)


def test_cli_recommend_and_stale_marker(
    indexed: tuple[Engine, list[dict], list[dict]], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, candidates, _ = indexed
    code = candidates[0]["codigo"]
    assert cli_main(["recommend", "--candidate", code, "-k", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["candidate"] == code and len(out["results"]) == 2
    assert set(out["results"][0]) >= {"vaga", "title", "score", "probability", "lexical_score", "reasons"}
    assert out["method"] == "hybrid"
    assert out["results"][0]["vaga"] == candidates[0]["planted_vaga"]

    assert get_index_status(engine).stale is False
    extra = [{**candidates[0], "codigo": "ZZ-new"}]
    insert_recruiting_rows(engine, candidates=[_columns(c) for c in extra], vagas=[], prospects=[])
    status = get_index_status(engine)
    assert status.built and status.stale and "rebuild" in status.message


def test_tampered_or_mismatched_indexes_are_refused(indexed: tuple[Engine, list[dict], list[dict]]) -> None:
    ann, npy, meta_path = get_index_paths("vagas")
    assert open_index("vagas").vectors.shape[1] == 384
    original = ann.read_bytes()
    ann.write_bytes(original[:100] + bytes(b ^ 0xFF for b in original[100:108]) + original[108:])
    with pytest.raises(ModelError, match="integrity check"):
        open_index("vagas")
    ann.write_bytes(original)

    vectors = np.load(npy)
    vectors[0, 0] += 0.5
    np.save(npy, vectors)
    with pytest.raises(ModelError, match="vectors .* integrity check"):
        open_index("vagas")

    meta = json.loads(meta_path.read_text())
    meta["dimension"] = 512
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="dimension 512"):
        open_index("vagas")


def test_building_needs_a_recruiter_and_data(engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        build_indexes(engine=engine, actor=Actor(username="a", role="analyst"))
    with pytest.raises(InvalidInputError, match="import the recruiting data"):
        build_indexes(engine=engine, actor=CLI_ACTOR)
    assert get_index_status(engine).built is False


def _columns(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "planted_vaga"}


def test_openings_known_by_title_alone_reach_a_cv_through_the_cvs_their_title_finds(
    engine: Engine, encoder: Any
) -> None:
    from hr_core.ml.profiles import recommend_for_profile

    candidates, vagas = make_planted_recommend_rows()
    thin = [
        {"codigo": "T-DEVOPS", "titulo": "Engenheiro DevOps"},
        {"codigo": "T-SAP", "titulo": "Consultor SAP FI"},
    ]
    # Her CV names the DevOps skills, never the title's words: BM25 cannot link her to the title.
    devops = {
        "codigo": "RC-X",
        "nome": "Pessoa X",
        "titulo_profissional": "Profissional de nuvem",
        "conhecimentos_tecnicos": "aws docker kubernetes terraform",
        "cv_pt": "Automação de infraestrutura em nuvem com aws, docker, kubernetes e terraform",
    }
    rows = [_columns(c) for c in candidates] + [devops]
    insert_recruiting_rows(engine, candidates=rows, vagas=vagas + thin, prospects=[])
    build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)

    def peer_share(items: Any) -> dict[str, int]:
        found = {i.code: [r for r in i.reasons if "title finds" in r] for i in items}
        assert all(not found[v["codigo"]] for v in vagas if v["codigo"] in found)  # described: no peers
        return {code: int("".join(ch for ch in r[0] if ch.isdigit())) for code, r in found.items() if r}

    stored = recommend(engine=engine, actor=CLI_ACTOR, candidate="RC-X", k=len(vagas) + 2).items
    assert {i.code: i.lexical_score for i in stored}["T-DEVOPS"] == 0
    shares = peer_share(stored)
    assert shares["T-DEVOPS"] > shares["T-SAP"]
    positions = [i.code for i in stored]
    assert positions.index("T-DEVOPS") < positions.index("T-SAP")
    # A free profile with the same fields is read from its text: the same openings have peers, alike.
    free = recommend_for_profile(
        engine=engine,
        actor=CLI_ACTOR,
        profile={k: v for k, v in devops.items() if k != "codigo"},
        k=len(vagas) + 2,
    )
    free_shares = peer_share([f.recommendation for f in free])
    assert free_shares.keys() == shares.keys() and free_shares["T-DEVOPS"] > free_shares["T-SAP"]
